#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "base/file.h"
#include "ledger/tests/test_keys.h"
#include "ledger/verify.h"

namespace cleanroom::ledger {
namespace {

namespace fs = std::filesystem;

RequestRecord Record(const std::string& text) {
  RequestRecord r;
  r.signed_request = ToBytes("request:" + text);
  r.result = "{\"n\":\"" + text + "\"}";
  return r;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("ledger-test");
    signer_ = testing::NewTestSigner();
  }
  void TearDown() override { fs::remove_all(dir_); }

  LedgerOptions Options(const std::string& dir) const {
    LedgerOptions o;
    o.directory = dir;
    o.signer = signer_;
    return o;
  }

  // Opens `dir`, collecting the replayed entries.
  Result<std::unique_ptr<Ledger>> OpenAt(const std::string& dir, std::vector<Entry>* replayed,
                                         LedgerOptions* options = nullptr) {
    LedgerOptions o = options != nullptr ? *options : Options(dir);
    return Ledger::Open(o, [replayed](const Entry& e) {
      if (replayed != nullptr) replayed->push_back(e);
      return Status::OK();
    });
  }

  // A ledger with `n` request entries, closed cleanly.
  void Populate(const std::string& dir, int n) {
    auto ledger = OpenAt(dir, nullptr);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (int i = 0; i < n; ++i) ASSERT_TRUE((*ledger)->Append(Record(std::to_string(i))).ok());
  }

  static Status Verify(const std::string& path, VerifyReport* report) {
    VerifyOptions options;
    return VerifyLedger(path, options, report);
  }

  std::string dir_;
  std::shared_ptr<TreeHeadSigner> signer_;
};

TEST_F(LedgerTest, AppendsReplaysAndVerifies) {
  {
    std::vector<Entry> replayed;
    auto ledger = OpenAt(dir_, &replayed);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ASSERT_EQ(replayed.size(), 1u);
    EXPECT_EQ(replayed[0].kind, EntryKind::kServiceIdentity);
    EXPECT_EQ(replayed[0].identity.certificate_der, signer_->certificate_der());
    for (int i = 0; i < 5; ++i) {
      auto entry = (*ledger)->Append(Record(std::to_string(i)));
      ASSERT_TRUE(entry.ok()) << entry.status().ToString();
      EXPECT_EQ(entry->seqno, static_cast<uint64_t>(i + 2));
      EXPECT_EQ(entry->request.result, "{\"n\":\"" + std::to_string(i) + "\"}");
    }
    EXPECT_EQ((*ledger)->durable_seqno(), 6u);
  }
  std::vector<Entry> replayed;
  auto ledger = OpenAt(dir_, &replayed);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  std::vector<std::string> results;
  for (const Entry& e : replayed) {
    if (e.kind == EntryKind::kRequest) results.push_back(e.request.result);
  }
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[4], "{\"n\":\"4\"}");
  // A clean close covers everything with a final tree head.
  EXPECT_EQ(replayed.back().kind, EntryKind::kTreeHead);
  EXPECT_EQ(replayed.back().tree_head.tree_size, replayed.size() - 1);
  ledger->reset();

  VerifyReport report;
  Status s = Verify(dir_, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.entries_checked, replayed.size());
  EXPECT_EQ(report.requests, 5u);
  EXPECT_EQ(report.uncovered_entries, 0u);
}

TEST_F(LedgerTest, TreeHeadAtLeastEveryHundredEntries) {
  LedgerOptions o = Options(dir_);
  o.max_tree_head_delay = std::chrono::hours(1);
  {
    auto ledger = OpenAt(dir_, nullptr, &o);
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < 450; ++i) ASSERT_TRUE((*ledger)->AppendAsync(Record("x")).ok());
    ASSERT_TRUE((*ledger)->Sync().ok());
    EXPECT_EQ((*ledger)->stats().tree_heads, 5u);  // Four full hundreds, then Sync's.
  }
  std::vector<Entry> replayed;
  ASSERT_TRUE(OpenAt(dir_, &replayed, &o).ok());
  uint64_t since = 0;
  for (const Entry& e : replayed) {
    if (e.kind == EntryKind::kTreeHead) {
      EXPECT_LE(since, 100u);
      since = 0;
    } else {
      ++since;
    }
  }
}

TEST_F(LedgerTest, TreeHeadWithinTheDelay) {
  LedgerOptions o = Options(dir_);
  o.max_tree_head_delay = std::chrono::milliseconds(100);
  auto ledger = OpenAt(dir_, nullptr, &o);
  ASSERT_TRUE(ledger.ok());
  auto entry = (*ledger)->Append(Record("alone"));
  ASSERT_TRUE(entry.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto head = (*ledger)->LatestTreeHead();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_GE(head->tree_size, entry->seqno);
}

// Every acknowledged append from 64 concurrent writers is present after reopening, and the
// writers shared fsyncs.
TEST_F(LedgerTest, GroupCommitUnderConcurrentWriters) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 40;
  std::mutex mu;
  std::map<uint64_t, std::string> acknowledged;
  LedgerStats stats;
  {
    auto ledger = OpenAt(dir_, nullptr);
    ASSERT_TRUE(ledger.ok());
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string text = std::to_string(t) + "/" + std::to_string(i);
          auto entry = (*ledger)->Append(Record(text));
          if (!entry.ok()) {
            ++failures;
            continue;
          }
          std::lock_guard<std::mutex> lock(mu);
          acknowledged[entry->seqno] = entry->request.result;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    stats = (*ledger)->stats();
  }
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_LT(stats.batches, stats.records_written / 4) << "writers did not share fsyncs";
  std::map<uint64_t, std::string> found;
  std::vector<Entry> replayed;
  ASSERT_TRUE(OpenAt(dir_, &replayed).ok());
  for (const Entry& e : replayed) {
    if (e.kind == EntryKind::kRequest) found[e.seqno] = e.request.result;
  }
  for (const auto& [seqno, result] : acknowledged) {
    auto it = found.find(seqno);
    ASSERT_NE(it, found.end()) << "acknowledged entry " << seqno << " is missing";
    EXPECT_EQ(it->second, result);
  }
}

TEST_F(LedgerTest, RollsSegmentsAndExportsOneFile) {
  LedgerOptions o = Options(dir_);
  o.max_segment_bytes = 4096;
  {
    auto ledger = OpenAt(dir_, nullptr, &o);
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < 300; ++i)
      ASSERT_TRUE((*ledger)->AppendAsync(Record(std::to_string(i))).ok());
    ASSERT_TRUE((*ledger)->Sync().ok());
    std::string exported;
    ASSERT_TRUE((*ledger)
                    ->Export([&](ByteSpan chunk) {
                      exported.append(AsStringView(chunk));
                      return Status::OK();
                    })
                    .ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "-export.ledger", exported).ok());
  }
  size_t segments = 0;
  for (const auto& item : fs::directory_iterator(dir_)) {
    if (item.path().extension() == ".seg") {
      ++segments;
      EXPECT_LE(fs::file_size(item.path()), 4096u);
    }
  }
  EXPECT_GT(segments, 5u);
  std::vector<Entry> replayed;
  auto reopened = OpenAt(dir_, &replayed, &o);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_GE(replayed.size(), 302u);
  reopened->reset();

  VerifyReport report;
  Status s = Verify(dir_ + "-export.ledger", &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(report.segments, segments);
  EXPECT_EQ(report.requests, 300u);
  fs::remove(dir_ + "-export.ledger");
}

TEST_F(LedgerTest, ReceiptsVerifyOfflineAndDetectModification) {
  auto ledger = OpenAt(dir_, nullptr);
  ASSERT_TRUE(ledger.ok());
  std::vector<uint64_t> seqnos;
  seqnos.reserve(20);
  for (int i = 0; i < 20; ++i)
    seqnos.push_back((*ledger)->Append(Record(std::to_string(i)))->seqno);
  auto service = TreeHeadVerifier::FromCertificate(signer_->certificate_der());
  ASSERT_TRUE(service.ok());
  for (uint64_t seqno : {seqnos.front(), seqnos[7], seqnos.back()}) {
    auto receipt = (*ledger)->GetReceipt(seqno);
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    auto parsed = Receipt::FromJson(receipt->ToJson());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    auto entry = VerifyReceipt(*parsed, **service);
    ASSERT_TRUE(entry.ok()) << entry.status().ToString();
    EXPECT_EQ(entry->seqno, seqno);

    // A modified entry: same seqno, different outcome document.
    Entry changed = *entry;
    changed.request.result = "{\"n\":\"forged\"}";
    Receipt forged = *parsed;
    forged.entry = EncodeEntry(changed);
    EXPECT_EQ(VerifyReceipt(forged, **service).status().code(), StatusCode::kDataLoss);
    // A flipped bit anywhere in the entry.
    Receipt flipped = *parsed;
    flipped.entry[flipped.entry.size() / 2] ^= 0x04;
    EXPECT_FALSE(VerifyReceipt(flipped, **service).ok());
    // A tampered proof or root.
    if (!parsed->proof.empty()) {
      Receipt bad_proof = *parsed;
      bad_proof.proof[0][0] ^= 1;
      EXPECT_FALSE(VerifyReceipt(bad_proof, **service).ok());
    }
    Receipt bad_root = *parsed;
    bad_root.tree_head.root[3] ^= 1;
    EXPECT_EQ(VerifyReceipt(bad_root, **service).status().code(), StatusCode::kUnauthenticated);
  }
  // Another service's certificate does not verify the receipt.
  auto other = TreeHeadVerifier::FromCertificate(testing::NewTestSigner()->certificate_der());
  auto receipt = (*ledger)->GetReceipt(seqnos[3]);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(VerifyReceipt(*receipt, **other).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ((*ledger)->GetReceipt(0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*ledger)->GetReceipt(10000).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Receipt::FromJson("{\"version\":2}").ok());
  EXPECT_FALSE(Receipt::FromJson("not json").ok());
}

TEST_F(LedgerTest, RefusesAnotherServiceKeyAndASecondOpener) {
  Populate(dir_, 3);
  {
    auto first = OpenAt(dir_, nullptr);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(OpenAt(dir_, nullptr).status().code(), StatusCode::kFailedPrecondition);
  }
  LedgerOptions o = Options(dir_);
  o.signer = testing::NewTestSigner();
  EXPECT_EQ(OpenAt(dir_, nullptr, &o).status().code(), StatusCode::kFailedPrecondition);
  // A replay callback's error aborts Open.
  auto failing = Ledger::Open(Options(dir_), [](const Entry& e) {
    return e.seqno == 3 ? Status::Internal("stop") : Status::OK();
  });
  EXPECT_EQ(failing.status().code(), StatusCode::kInternal);
}

TEST_F(LedgerTest, RejectsMalformedRecords) {
  auto ledger = OpenAt(dir_, nullptr);
  ASSERT_TRUE(ledger.ok());
  RequestRecord bad_signer = Record("a");
  bad_signer.signer_id = "not-an-id";
  EXPECT_EQ((*ledger)->AppendAsync(bad_signer).status().code(), StatusCode::kInvalidArgument);
  RequestRecord code_on_accept = Record("b");
  code_on_accept.refusal_code = "Nope";
  EXPECT_EQ((*ledger)->AppendAsync(code_on_accept).status().code(), StatusCode::kInvalidArgument);
  RequestRecord huge = Record("c");
  huge.signed_request.resize(17u << 20);
  EXPECT_EQ((*ledger)->AppendAsync(huge).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*ledger)->last_seqno(), 1u);
}

}  // namespace
}  // namespace cleanroom::ledger
