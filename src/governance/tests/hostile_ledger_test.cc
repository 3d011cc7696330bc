// Finding 7 of issue 14 and the ledger's missing negative tests: `cleanroom audit verify` and the
// service's start-up replay refuse a replayed or back-dated member request, an unsigned tail
// (unless accepted), a ledger that does not extend a tree head seen earlier (truncation,
// rollback, fork), and a tree head whose root or signature is wrong under valid checksums.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "base/file.h"
#include "crypto/identity.h"
#include "governance/tests/collab_fixture.h"
#include "governance/tests/process_server.h"
#include "ledger/ledger.h"
#include "ledger/segment.h"
#include "ledger/signer.h"
#include "ledger/verify.h"

namespace cleanroom::governance::testing {
namespace {

namespace fs = std::filesystem;

class LedgerAudit : public RunningCollaboration {
 protected:
  // The service's ledger as `audit download` writes it.
  std::string Download(govwire::GovernanceClient& member, const std::string& name) {
    std::string file = dir_.path() + "/" + name;
    std::string bytes;
    auto reply = member.Download("/v1/ledger", [&](ByteSpan chunk) {
      bytes.append(AsStringView(chunk));
      return Status::OK();
    });
    EXPECT_TRUE(reply.ok() && reply->ok());
    EXPECT_TRUE(WriteFileAtomic(file, bytes).ok());
    return file;
  }
  int Verify(std::vector<std::string> extra, std::string* out) {
    std::vector<std::string> args = {"audit", "verify", "--ledger"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCleanroom(args, out);
  }
  // The ledger of a stopped service reopened with its key, to write what an attacker with the
  // disk (or a dishonest operator) would.
  std::unique_ptr<ledger::Ledger> OpenStoppedLedger() {
    server_->Stop();
    auto identity = crypto::LoadIdentity(dir_.path() + "/service");
    EXPECT_TRUE(identity.ok());
    auto pem = identity->signing_key.ToPem();
    auto signer =
        ledger::TreeHeadSigner::FromPem(*pem, identity->public_identity.certificate.ToPem());
    EXPECT_TRUE(signer.ok());
    ledger::LedgerOptions options;
    options.directory = dir_.path() + "/ledger";
    options.signer = *signer;
    auto opened = ledger::Ledger::Open(options, nullptr);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  // The last accepted entry of member type `type`.
  ledger::Entry LastOfType(const std::string& type) {
    ledger::Entry found;
    for (const ledger::Entry& e : LedgerEntries()) {
      if (MemberMessageType(e) == type && e.request.outcome == ledger::Outcome::kAccepted)
        found = e;
    }
    EXPECT_EQ(MemberMessageType(found), type);
    return found;
  }
  // Stops the service, copies its data dir to DIR + `suffix` and starts it again; the copy's
  // path. What a dishonest operator keeps to roll the service back or fork it.
  std::string CopyStoppedService(const std::string& suffix) {
    server_->Stop();
    std::string copy = dir_.path() + suffix;
    fs::copy(dir_.path(), copy, fs::copy_options::recursive);
    server_ = TestServer::Start(dir_.path());
    EXPECT_NE(server_, nullptr);
    return copy;
  }
  // Signs `payload` as `member` now and appends it to the stopped service's ledger as an
  // accepted entry with `result`: what a dishonest operator (or an older, laxer service) could
  // have written. The entry's seqno.
  uint64_t AppendAccepted(TestMember& member, const std::string& type, Json payload,
                          const Json& result) {
    payload["collaboration"] = collab_;
    auto signed_request = member.client->Sign(type, payload);
    EXPECT_TRUE(signed_request.ok());
    auto ledger = OpenStoppedLedger();
    if (ledger == nullptr || !signed_request.ok()) return 0;
    ledger::RequestRecord record;
    record.signer_id = member.id();
    record.signed_request = *signed_request;
    record.result = result.dump();
    auto entry = ledger->Append(record);
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    return entry.ok() ? entry->seqno : 0;
  }
  void ExpectServiceRefusesToStart(const std::string& why) {
    ServiceOptions options;
    options.data_dir = dir_.path();
    auto reopened = Service::Open(options);
    ASSERT_FALSE(reopened.ok());
    EXPECT_EQ(reopened.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(reopened.status().message().find(why), std::string::npos)
        << reopened.status().ToString();
  }
};

TEST_F(LedgerAudit, AReplayedMemberRequestFailsVerificationAndStartUp) {
  ExpectOk(Write(*b_, "/v1/datasets/impressions/consent", "dataset.disable",
                 {{"dataset", "impressions"}}));
  ExpectOk(Write(*b_, "/v1/datasets/impressions/consent", "dataset.enable",
                 {{"dataset", "impressions"}}));
  ledger::Entry disable = LastOfType("dataset.disable");
  auto ledger = OpenStoppedLedger();
  ASSERT_NE(ledger, nullptr);
  // The member's signed disable, appended again as it was: it verifies as a signature.
  ASSERT_TRUE(ledger->Append(disable.request).ok());
  ledger.reset();  // a final tree head covers it

  std::string out;
  EXPECT_NE(Verify({dir_.path() + "/ledger"}, &out), 0) << out;
  EXPECT_NE(out.find("used this nonce in an earlier entry"), std::string::npos) << out;
  ExpectServiceRefusesToStart("nonce");
}

TEST_F(LedgerAudit, ABackDatedMemberRequestFailsVerificationAndStartUp) {
  auto old =
      b_->client->Sign("dataset.disable", {{"collaboration", collab_}, {"dataset", "impressions"}},
                       std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                               .count() -
                           3600);
  ASSERT_TRUE(old.ok());
  auto ledger = OpenStoppedLedger();
  ASSERT_NE(ledger, nullptr);
  ledger::RequestRecord record;
  record.signer_id = b_->id();
  record.signed_request = *old;
  record.result = "{}";
  ASSERT_TRUE(ledger->Append(record).ok());
  ledger.reset();

  std::string out;
  EXPECT_NE(Verify({dir_.path() + "/ledger"}, &out), 0) << out;
  EXPECT_NE(out.find("freshness window"), std::string::npos) << out;
  ExpectServiceRefusesToStart("freshness window");
}

// A byte changed anywhere in a downloaded ledger (offsets drawn from a seeded generator, the
// first and last bytes included): verification fails closed and names the entry whose record
// holds the byte, or, for a byte of a segment header, the first entry after it; `audit verify`
// prints that entry and exits 1.
TEST_F(LedgerAudit, AByteChangedAnywhereFailsVerificationNamingItsEntry) {
  std::string run = RequestRun();
  std::string digest;
  ReleaseKeys(run, &digest);
  std::string clean = Download(*a_->client, "clean.ledger");
  std::string data = ReadFileToString(clean).value();
  // Where each record ends, in entry order (entry seqno = index + 1).
  std::vector<uint64_t> record_ends;
  ledger::ScanVisitor visitor;
  visitor.on_record = [&](ByteSpan payload, uint64_t offset) {
    record_ends.push_back(offset + ledger::kRecordHeaderSize + payload.size());
    return Status::OK();
  };
  auto scanned = ledger::ScanSegments(AsBytes(data), clean, true, visitor);
  ASSERT_TRUE(scanned.ok() && !scanned->torn);
  ASSERT_GT(record_ends.size(), 10u);
  ledger::VerifyOptions options;  // as `audit verify --service-cert` checks
  options.check_request_freshness = true;
  options.member_verifier = ledger::CoseMemberSignatureVerifier();
  options.expected_service_certificate_der =
      server_->service()->identity().public_identity.certificate.der();
  ledger::VerifyReport report;
  ASSERT_TRUE(ledger::VerifyLedger(clean, options, &report).ok());

  std::mt19937_64 random(14);
  std::vector<uint64_t> offsets = {0, data.size() - 1};
  for (int i = 0; i < 300; ++i) offsets.push_back(random() % data.size());
  std::string tampered = dir_.path() + "/tampered.ledger";
  std::vector<std::pair<uint64_t, uint64_t>> for_the_cli;  // (offset, entry)
  for (uint64_t offset : offsets) {
    std::string copy = data;
    copy[offset] = static_cast<char>(copy[offset] ^ (1 + random() % 255));
    ASSERT_TRUE(WriteFileAtomic(tampered, copy).ok());
    uint64_t entry =
        std::upper_bound(record_ends.begin(), record_ends.end(), offset) - record_ends.begin() + 1;
    Status verified = ledger::VerifyLedger(tampered, options, &report);
    ASSERT_FALSE(verified.ok()) << "a change at offset " << offset << " went unnoticed";
    EXPECT_TRUE(verified.code() == StatusCode::kDataLoss ||
                verified.code() == StatusCode::kUnauthenticated)
        << verified.ToString();
    EXPECT_EQ(report.first_bad_seqno, entry) << "offset " << offset << ": " << verified.ToString()
                                             << " at " << report.first_bad_location;
    if (for_the_cli.size() < 3 && offset > 0) for_the_cli.emplace_back(offset, entry);
  }
  for (auto [offset, entry] : for_the_cli) {
    std::string copy = data;
    copy[offset] = static_cast<char>(copy[offset] ^ 0x01);
    ASSERT_TRUE(WriteFileAtomic(tampered, copy).ok());
    std::string out;
    EXPECT_EQ(Verify({tampered, "--accept-unsigned-tail"}, &out), 1) << out;
    EXPECT_NE(out.find("first bad entry: " + std::to_string(entry) + " ("), std::string::npos)
        << "offset " << offset << ": " << out;
  }
}

TEST_F(LedgerAudit, AnUnsignedTailFailsUnlessAccepted) {
  auto ledger = OpenStoppedLedger();
  ASSERT_NE(ledger, nullptr);
  std::string exported;
  // The service's own entry, appended and exported before any tree head covers it.
  ledger::RequestRecord record;
  record.result = "{}";
  record.signed_request = ToBytes("{\"serviceAction\":\"run.expired\",\"payload\":{}}");
  ASSERT_TRUE(ledger->AppendAsync(record).ok());
  ASSERT_TRUE(ledger->AppendAsync(record).ok());
  // Exported while uncovered: the writer signs a head at most a second later, so export at once
  // and only keep an export that shows the tail (almost always the first).
  std::string file = dir_.path() + "/tail.ledger";
  for (int attempt = 0; attempt < 20; ++attempt) {
    exported.clear();
    ASSERT_TRUE(ledger
                    ->Export([&](ByteSpan chunk) {
                      exported.append(AsStringView(chunk));
                      return Status::OK();
                    })
                    .ok());
    ASSERT_TRUE(WriteFileAtomic(file, exported).ok());
    std::string out;
    if (Verify({file}, &out) != 0 && out.find("not signed") != std::string::npos) break;
    ASSERT_TRUE(ledger->AppendAsync(record).ok());
  }
  std::string out;
  EXPECT_EQ(Verify({file}, &out), 1) << out;
  EXPECT_NE(out.find("entries after the last tree head are not signed"), std::string::npos) << out;
  EXPECT_NE(out.find("--accept-unsigned-tail"), std::string::npos) << out;
  EXPECT_EQ(Verify({file, "--accept-unsigned-tail"}, &out), 0) << out;
}

TEST_F(LedgerAudit, ATrustedHeadRefusesTruncationRollbackAndForks) {
  std::string head = dir_.path() + "/head.json";
  std::string first = Download(*a_->client, "first.ledger");
  std::string out;
  ASSERT_EQ(Verify({first, "--save-head", head}, &out), 0) << out;

  // The data dir as it is now, copied while the service is stopped: the root of a fork.
  std::string fork_dir = CopyStoppedService("-fork");
  ASSERT_NE(server_, nullptr);
  auto a = Connect(*server_, a_->identity);
  auto b = Connect(*server_, b_->identity);
  ASSERT_TRUE(a && b);

  // Later: the ledger grew; it extends the saved head, and the member keeps the newer head.
  ASSERT_TRUE(
      b->Write("/v1/datasets/impressions/consent", "dataset.disable", {{"dataset", "impressions"}})
          .ok());
  std::string second = Download(*a, "second.ledger");
  ASSERT_EQ(Verify({second, "--trusted-head", head}, &out), 0) << out;
  EXPECT_NE(out.find("extends the trusted tree head"), std::string::npos);
  std::string newer = dir_.path() + "/newer.json";
  ASSERT_EQ(Verify({second, "--save-head", newer}, &out), 0) << out;

  // A rollback to the earlier ledger (a truncation at a record boundary) is refused now.
  EXPECT_EQ(Verify({first, "--trusted-head", newer}, &out), 1) << out;
  EXPECT_NE(out.find("truncated or rolled back"), std::string::npos) << out;

  // A fork: the copy goes on with another history, longer than the newer head.
  std::string forked;
  {
    auto fork = TestServer::Start(fork_dir);
    ASSERT_NE(fork, nullptr);
    auto fa = Connect(*fork, a_->identity);
    auto fb = Connect(*fork, b_->identity);
    for (const char* type : {"query.disable", "query.enable", "query.disable", "query.enable"}) {
      auto r = fb->Write("/v1/queries/" + query_ + "/consent", type, {{"query", query_}});
      ASSERT_TRUE(r.ok() && r->ok());
    }
    forked = Download(*fa, "forked.ledger");
  }
  fs::remove_all(fork_dir);
  ASSERT_EQ(Verify({forked, "--trusted-head", head}, &out), 0) << out;  // it extends the root
  EXPECT_EQ(Verify({forked, "--trusted-head", newer}, &out), 1) << out;
  EXPECT_NE(out.find("forked history"), std::string::npos) << out;
}

// Rewrites a downloaded ledger, changing entry `seqno` with `change`, every checksum recomputed.
std::string Rewrite(const std::string& file, uint64_t seqno,
                    const std::function<void(ledger::Entry&)>& change) {
  auto data = ReadFileToString(file);
  EXPECT_TRUE(data.ok());
  Bytes out;
  uint64_t next = 1;
  ledger::ScanVisitor visitor;
  visitor.on_segment = [&](const ledger::SegmentHeader& header, uint64_t) {
    Bytes h = ledger::EncodeSegmentHeader(header);
    out.insert(out.end(), h.begin(), h.end());
    return Status::OK();
  };
  visitor.on_record = [&](ByteSpan payload, uint64_t) {
    if (next++ != seqno) {
      ledger::AppendRecord(out, payload);
      return Status::OK();
    }
    auto entry = ledger::DecodeEntry(payload);
    EXPECT_TRUE(entry.ok());
    change(*entry);
    ledger::AppendRecord(out, ledger::EncodeEntry(*entry));
    return Status::OK();
  };
  EXPECT_TRUE(ledger::ScanSegments(AsBytes(*data), file, true, visitor).ok());
  std::string rewritten = file + ".rewritten";
  EXPECT_TRUE(WriteFileAtomic(rewritten, AsStringView(out)).ok());
  return rewritten;
}

TEST_F(LedgerAudit, ATreeHeadWithAWrongRootOrSignatureFailsUnderValidChecksums) {
  std::string file = Download(*a_->client, "heads.ledger");
  std::string out;
  ASSERT_EQ(Verify({file}, &out), 0) << out;
  uint64_t head_seqno = 0;
  for (const ledger::Entry& e : LedgerEntries()) {
    if (e.kind == ledger::EntryKind::kTreeHead && head_seqno == 0) head_seqno = e.seqno;
  }
  ASSERT_GT(head_seqno, 0u);
  // Unchanged through the rewrite: the rewriting itself is sound.
  ASSERT_EQ(Verify({Rewrite(file, head_seqno, [](ledger::Entry&) {})}, &out), 0) << out;

  std::string wrong_root =
      Rewrite(file, head_seqno, [](ledger::Entry& e) { e.tree_head.root[0] ^= 1; });
  EXPECT_EQ(Verify({wrong_root}, &out), 1) << out;
  EXPECT_EQ(out.find("checksum"), std::string::npos) << out;
  EXPECT_NE(out.find("first bad entry: " + std::to_string(head_seqno)), std::string::npos) << out;

  std::string wrong_signature =
      Rewrite(file, head_seqno, [](ledger::Entry& e) { e.tree_head.signature[10] ^= 1; });
  EXPECT_EQ(Verify({wrong_signature}, &out), 1) << out;
  EXPECT_EQ(out.find("checksum"), std::string::npos) << out;
  EXPECT_NE(out.find("first bad entry: " + std::to_string(head_seqno)), std::string::npos) << out;
}

}  // namespace
}  // namespace cleanroom::governance::testing

namespace cleanroom::governance::testing {
namespace {

// Replay applies the request path's own checks (one function for both): an accepted entry that
// the request path refuses stops the start, and the error names the entry.
TEST_F(LedgerAudit, AQueryTheRequestPathRefusesIsRefusedAtReplay) {
  Json query = QueryDocument("typo", "SELECT COUNT(*) AS n FROM customers");
  query["guards"] = {{"minGroupUnit", 10}};  // not a guard: minGroupUnits
  govwire::ApiReply refused = Write(*a_, "/v1/queries", "query.propose", {{"query", query}});
  ExpectError(refused, 400, "InvalidArgument");
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_NE(refused.error->message.find("minGroupUnit"), std::string::npos);

  // The same proposal, recorded as accepted with a plausible result (no check: as an entry from
  // before the check was recorded).
  Json result = {{"id", "q2"},
                 {"queryHash", std::string(64, 'a')},
                 {"approvers", {a_->id()}},
                 {"datasets", {{{"name", "customers"}, {"version", 1}}}},
                 {"state", "accepted"}};
  uint64_t seqno = AppendAccepted(*a_, "query.propose", {{"query", query}}, result);
  ASSERT_GT(seqno, 0u);
  ExpectServiceRefusesToStart("ledger entry " + std::to_string(seqno) + " (query.propose)");
  ExpectServiceRefusesToStart("minGroupUnit");
}

TEST_F(LedgerAudit, ADatasetPolicyTheRequestPathRefusesIsRefusedAtReplay) {
  Json dataset = MakeDataset("customers", {"email", "segment"});
  dataset["policy"]["noise"] = 1;  // not a policy field
  ExpectError(Write(*a_, "/v1/datasets", "dataset.register", {{"dataset", dataset}}), 400,
              "InvalidArgument");
  uint64_t seqno = AppendAccepted(*a_, "dataset.register", {{"dataset", dataset}},
                                  {{"dataset", "customers"}, {"version", 2}});
  ASSERT_GT(seqno, 0u);
  ExpectServiceRefusesToStart("ledger entry " + std::to_string(seqno) + " (dataset.register)");
  ExpectServiceRefusesToStart("noise");
}

TEST_F(LedgerAudit, PrivacyDefaultsTheRequestPathRefusesAreRefusedAtReplay) {
  Json contract = Get(*a_, "/v1/collab")["versions"][0]["contract"];
  contract["privacyDefaults"] = {{"minGroupUnits", 5}};
  ExpectError(Write(*a_, "/v1/collab/proposals", "collab.propose",
                    {{"version", 2}, {"contract", contract}}),
              501, "Unimplemented");
  uint64_t seqno = AppendAccepted(*a_, "collab.propose", {{"version", 2}, {"contract", contract}},
                                  {{"version", 2}, {"state", "proposed"}});
  ASSERT_GT(seqno, 0u);
  ExpectServiceRefusesToStart("ledger entry " + std::to_string(seqno) + " (collab.propose)");
  ExpectServiceRefusesToStart("privacyDefaults");
}

TEST_F(LedgerAudit, AMemberDetectsARolledBackServiceOnDownload) {
  // a's identity on disk, pinned to the service, as a member's CLI uses it.
  std::string identity = dir_.path() + "/member-a";
  ASSERT_TRUE(crypto::WriteIdentity(identity, a_->identity).ok());
  auto download = [&](std::string* out) {
    EXPECT_TRUE(govwire::SavePin(identity, server_->url(), server_->fingerprint()).ok());
    return RunCleanroom(
        {"audit", "download", "--identity", identity, "--out", dir_.path() + "/download.ledger"},
        out);
  };
  std::string out;
  ASSERT_EQ(download(&out), 0) << out;
  EXPECT_TRUE(fs::exists(identity + "/tree-head.json"));

  // The service's state as it is now, kept by a dishonest operator.
  std::string saved = CopyStoppedService("-saved");
  ASSERT_NE(server_, nullptr);
  auto b = Connect(*server_, b_->identity);
  ASSERT_TRUE(
      b->Write("/v1/datasets/impressions/consent", "dataset.disable", {{"dataset", "impressions"}})
          .ok());
  ASSERT_EQ(download(&out), 0) << out;
  EXPECT_NE(out.find("extends the tree head seen before"), std::string::npos) << out;

  // The operator rolls the service back to the copy (the disable vanishes).
  server_->Stop();
  for (const char* part : {"ledger", "secrets", "service"}) {
    fs::remove_all(dir_.path() + "/" + part);
    fs::copy(saved + "/" + part, dir_.path() + "/" + part, fs::copy_options::recursive);
  }
  fs::remove_all(saved);
  server_ = TestServer::Start(dir_.path());
  ASSERT_NE(server_, nullptr);
  EXPECT_NE(download(&out), 0) << out;
  EXPECT_NE(out.find("truncated or rolled back"), std::string::npos) << out;
  // Any other command of the member checks the same (a consistency proof from the service).
  EXPECT_NE(RunCleanroom({"collab", "show", "--identity", identity}, &out), 0) << out;
  EXPECT_NE(out.find("truncated or rolled back"), std::string::npos) << out;

  // The service, rolled back, goes on with another history: a fork, also refused.
  auto b2 = Connect(*server_, b_->identity);
  for (int i = 0; i < 6; ++i) {
    auto r = b2->Write("/v1/queries/" + query_ + "/consent",
                       i % 2 ? "query.enable" : "query.disable", {{"query", query_}});
    ASSERT_TRUE(r.ok() && r->ok());
  }
  // A download makes the service sign a head over them.
  auto signed_head = b2->Download("/v1/ledger", [](ByteSpan) { return Status::OK(); });
  ASSERT_TRUE(signed_head.ok() && signed_head->ok());
  EXPECT_NE(RunCleanroom({"collab", "show", "--identity", identity}, &out), 0) << out;
  EXPECT_NE(out.find("forked history"), std::string::npos) << out;
}

}  // namespace
}  // namespace cleanroom::governance::testing
