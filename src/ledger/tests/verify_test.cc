// Offline verification of member signatures (COSE_Sign1 under introduced certificates) and of
// the service identity.
#include "ledger/verify.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "crypto/cose.h"
#include "crypto/identity.h"
#include "ledger/ledger.h"
#include "ledger/tests/test_keys.h"

namespace cleanroom::ledger {
namespace {

namespace fs = std::filesystem;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("ledger-verify");
    signer_ = testing::NewTestSigner();
    alice_.emplace(crypto::GenerateIdentity("alice").value());
    bob_.emplace(crypto::GenerateIdentity("bob").value());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Bytes Signed(const crypto::MemberIdentity& who, std::string_view payload) {
    crypto::cose::Sign1Options options;
    options.msg_type = "test.message";
    options.created_at = 1763700000;
    options.generate_nonce = true;
    return crypto::cose::CreateSign1(who.signing_key, AsBytes(payload), options).value();
  }

  static MemberCertificate Cert(const crypto::MemberIdentity& who) {
    return {who.member_id(), who.public_identity.certificate.der()};
  }

  // Writes `records` into a fresh ledger and verifies it with COSE member signatures.
  Status WriteAndVerify(std::vector<RequestRecord> records, VerifyReport* report,
                        VerifyOptions options = {}) {
    fs::remove_all(dir_ + "/l");
    {
      LedgerOptions o;
      o.directory = dir_ + "/l";
      o.signer = signer_;
      o.max_tree_head_delay = std::chrono::hours(1);  // Tree heads every 100 entries only.
      auto ledger = Ledger::Open(o, nullptr);
      if (!ledger.ok()) return ledger.status();
      for (auto& r : records) CR_RETURN_IF_ERROR((*ledger)->AppendAsync(std::move(r)).status());
      CR_RETURN_IF_ERROR((*ledger)->Sync());
    }
    options.member_verifier = CoseMemberSignatureVerifier();
    return VerifyLedger(dir_ + "/l", options, report);
  }

  RequestRecord ByAlice(std::string_view payload, bool introduce_alice = false) {
    RequestRecord r;
    r.signer_id = alice_->member_id();
    r.signed_request = Signed(*alice_, payload);
    r.result = "{}";
    if (introduce_alice) r.introduced_members = {Cert(*alice_), Cert(*bob_)};
    return r;
  }

  std::string dir_;
  std::shared_ptr<TreeHeadSigner> signer_;
  std::optional<crypto::MemberIdentity> alice_, bob_;
};

TEST_F(VerifyTest, MemberSignaturesVerifyUnderIntroducedCertificates) {
  RequestRecord by_bob;
  by_bob.signer_id = bob_->member_id();
  by_bob.signed_request = Signed(*bob_, "{\"vote\":\"accept\"}");
  RequestRecord refused;  // A refused request is recorded but not signature-checked.
  refused.signer_id = bob_->member_id();
  refused.signed_request = ToBytes("garbage");
  refused.outcome = Outcome::kRefused;
  refused.refusal_code = "InvalidSignature";
  RequestRecord service_entry;  // The service's own entry: no signer.
  service_entry.result = "{\"run\":\"done\"}";
  VerifyReport report;
  Status s = WriteAndVerify(
      {ByAlice("{\"create\":1}", true), by_bob, refused, service_entry, ByAlice("{\"again\":2}")},
      &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.requests, 5u);
  EXPECT_EQ(report.member_signatures_checked, 3u);
}

TEST_F(VerifyTest, UnknownSignerFailsNamingTheEntry) {
  RequestRecord by_bob;
  by_bob.signer_id = bob_->member_id();
  by_bob.signed_request = Signed(*bob_, "{}");
  VerifyReport report;
  Status s = WriteAndVerify({by_bob}, &report);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_EQ(report.first_bad_seqno, 2u);
  EXPECT_NE(s.message().find("entry 2"), std::string::npos) << s.ToString();
}

TEST_F(VerifyTest, ForgedOrMisattributedSignatureFails) {
  RequestRecord forged = ByAlice("{\"x\":1}");
  forged.signed_request[forged.signed_request.size() - 5] ^= 1;
  VerifyReport report;
  Status s = WriteAndVerify({ByAlice("{}", true), forged}, &report);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_EQ(report.first_bad_seqno, 3u);

  RequestRecord misattributed = ByAlice("{\"x\":1}");
  misattributed.signer_id = bob_->member_id();  // Signed by alice, recorded as bob's.
  s = WriteAndVerify({ByAlice("{}", true), misattributed}, &report);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
}

// Signatures are checked in parallel batches; the first bad entry is still the lowest seqno,
// also when a later entry fails a structural check first.
TEST_F(VerifyTest, FirstBadEntryIsTheLowestAcrossBatches) {
  std::vector<RequestRecord> records = {ByAlice("{}", true)};
  for (int i = 0; i < 600; ++i) records.push_back(ByAlice("{\"i\":" + std::to_string(i) + "}"));
  records[400].signed_request[records[400].signed_request.size() - 3] ^= 0x10;
  VerifyReport report;
  Status s = WriteAndVerify(records, &report);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  // Seqno = index + 2 (entry 1 is the service identity), plus the tree heads before it: entries
  // 101, 202, 303 and 404.
  uint64_t expected = 402 + 4;
  EXPECT_EQ(report.first_bad_seqno, expected) << s.ToString();
  EXPECT_EQ(report.entries_checked, expected - 1);
  EXPECT_EQ(report.member_signatures_checked, 399u + 1u);

  auto carol = crypto::GenerateIdentity("carol").value();
  RequestRecord unknown;
  unknown.signer_id = carol.member_id();
  unknown.signed_request = Signed(carol, "{}");
  RequestRecord forged = ByAlice("{}");
  forged.signed_request[forged.signed_request.size() - 3] ^= 0x10;
  s = WriteAndVerify({ByAlice("{}", true), forged, ByAlice("{}"), unknown}, &report);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_EQ(report.first_bad_seqno, 3u) << s.ToString();
}

TEST_F(VerifyTest, IntroducedIdMustBeTheCertificateHash) {
  RequestRecord r = ByAlice("{}", true);
  r.introduced_members[1].member_id = alice_->member_id();  // Bob's certificate under alice's id.
  VerifyReport report;
  Status s = WriteAndVerify({r}, &report);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
}

TEST_F(VerifyTest, PinnedServiceCertificate) {
  VerifyReport report;
  VerifyOptions pinned;
  pinned.expected_service_certificate_der = signer_->certificate_der();
  EXPECT_TRUE(WriteAndVerify({ByAlice("{}", true)}, &report, pinned).ok());
  VerifyOptions other;
  other.expected_service_certificate_der = testing::NewTestSigner()->certificate_der();
  Status s = WriteAndVerify({ByAlice("{}", true)}, &report, other);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_EQ(report.first_bad_seqno, 1u);
}

}  // namespace
}  // namespace cleanroom::ledger
