// Recovery: torn tails are truncated, any other damage is DataLoss at open and in verify.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file.h"
#include "ledger/ledger.h"
#include "ledger/segment.h"
#include "ledger/tests/test_keys.h"
#include "ledger/verify.h"

namespace cleanroom::ledger {
namespace {

namespace fs = std::filesystem;

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("ledger-recovery");
    work_ = dir_ + "/work";
    source_ = dir_ + "/source";
    signer_ = testing::NewTestSigner();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<Ledger>> Open(const std::string& dir, std::vector<Entry>* replayed) {
    LedgerOptions o;
    o.directory = dir;
    o.signer = signer_;
    o.max_segment_bytes = segment_bytes_;
    return Ledger::Open(o, [replayed](const Entry& e) {
      if (replayed != nullptr) replayed->push_back(e);
      return Status::OK();
    });
  }

  // A cleanly closed ledger in source_ with `n` requests (its last record is a tree head).
  void Build(int n) {
    auto ledger = Open(source_, nullptr);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (int i = 0; i < n; ++i) {
      RequestRecord r;
      // About 250 bytes a record, so that small segment limits give several segments.
      r.signed_request =
          ToBytes("signed request number " + std::to_string(i) + std::string(200, 'p'));
      r.result = "{\"i\":" + std::to_string(i) + "}";
      ASSERT_TRUE((*ledger)->Append(r).ok());
    }
  }

  void CopySource() {
    fs::remove_all(work_);
    fs::copy(source_, work_);
  }

  std::vector<std::string> Segments(const std::string& dir) {
    auto listed = ListSegments(dir);
    EXPECT_TRUE(listed.ok());
    std::vector<std::string> out;
    for (const auto& [number, path] : *listed) out.push_back(path);
    return out;
  }

  // Offsets of every record in `path`.
  std::vector<uint64_t> RecordOffsets(const std::string& path) {
    std::string data = ReadFileToString(path).value();
    std::vector<uint64_t> offsets;
    ScanVisitor v;
    v.on_record = [&](ByteSpan, uint64_t offset) {
      offsets.push_back(offset);
      return Status::OK();
    };
    EXPECT_TRUE(ScanSegments(AsBytes(data), path, false, v).ok());
    return offsets;
  }

  std::string dir_, work_, source_;
  uint64_t segment_bytes_ = 64ull << 20;
  std::shared_ptr<TreeHeadSigner> signer_;
};

// The last two records (a request, then the final tree head) cut at every byte: open truncates
// the torn one with a warning, keeps every earlier entry, appends again, and the result
// verifies.
TEST_F(RecoveryTest, TornTailAtEveryByteOfTheLastEntries) {
  Build(12);
  std::string last_segment = Segments(source_).back();
  std::vector<uint64_t> offsets = RecordOffsets(last_segment);
  ASSERT_GE(offsets.size(), 3u);
  uint64_t size = fs::file_size(last_segment);
  for (uint64_t cut = offsets[offsets.size() - 2]; cut < size; ++cut) {
    // One segment: entry k (1-based) is record k - 1; the records before the cut survive.
    size_t kept = cut < offsets.back() ? offsets.size() - 2 : offsets.size() - 1;
    uint64_t kept_bytes = offsets[kept];
    CopySource();
    std::string target = Segments(work_).back();
    fs::resize_file(target, cut);
    std::vector<Entry> replayed;
    auto ledger = Open(work_, &replayed);
    ASSERT_TRUE(ledger.ok()) << "cut at " << cut << ": " << ledger.status().ToString();
    ASSERT_EQ(replayed.size(), kept) << "cut at " << cut;
    EXPECT_EQ(fs::file_size(target), kept_bytes);
    // Appending after recovery continues the seqnos (checked at every 8th cut to keep the test
    // quick: each append is an fsync).
    if (cut % 8 == 0) {
      RequestRecord r;
      r.signed_request = ToBytes("after recovery");
      auto appended = (*ledger)->Append(r);
      ASSERT_TRUE(appended.ok()) << appended.status().ToString();
      EXPECT_EQ(appended->seqno, kept + 1);
    }
    ledger->reset();
    VerifyReport report;
    Status s = VerifyLedger(work_, {}, &report);
    ASSERT_TRUE(s.ok()) << "cut at " << cut << ": " << s.ToString();
  }
}

TEST_F(RecoveryTest, ZeroFilledTailIsTorn) {
  Build(3);
  CopySource();
  std::string target = Segments(work_).back();
  uint64_t size = fs::file_size(target);
  fs::resize_file(target, size + 4096);  // Extended with zeros, as after a power loss.
  std::vector<Entry> replayed;
  auto ledger = Open(work_, &replayed);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_EQ(fs::file_size(target), size);
}

TEST_F(RecoveryTest, IncompleteLastSegmentHeaderIsRewritten) {
  segment_bytes_ = 2048;
  Build(40);
  CopySource();
  std::vector<std::string> segments = Segments(work_);
  ASSERT_GE(segments.size(), 2u);
  fs::resize_file(segments.back(), 10);
  std::vector<Entry> replayed;
  auto ledger = Open(work_, &replayed);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  ASSERT_TRUE((*ledger)->Append(RequestRecord{}).ok());
  ledger->reset();
  VerifyReport report;
  EXPECT_TRUE(VerifyLedger(work_, {}, &report).ok());
}

// A flipped byte anywhere (segment headers, record headers, payloads, of every segment, the
// last record included) refuses to open with DataLoss naming the file and offset, and fails
// verification naming the entry.
TEST_F(RecoveryTest, FlippedByteIsDetectedAtOpenAndByVerify) {
  segment_bytes_ = 4096;
  Build(30);
  std::vector<std::string> segments = Segments(source_);
  ASSERT_GE(segments.size(), 2u);
  int checked = 0;
  for (size_t s = 0; s < segments.size(); ++s) {
    uint64_t size = fs::file_size(segments[s]);
    std::vector<uint64_t> offsets;
    for (uint64_t o = 0; o < 40 && o < size; ++o) offsets.push_back(o);  // Headers.
    for (uint64_t o = 40; o < size; o += 37) offsets.push_back(o);
    offsets.push_back(size - 1);
    for (uint64_t offset : offsets) {
      CopySource();
      std::string target = Segments(work_)[s];
      std::string data = ReadFileToString(target).value();
      data[offset] = static_cast<char>(data[offset] ^ 0x5A);
      ASSERT_TRUE(WriteFileAtomic(target, data).ok());
      VerifyReport report;
      Status verified = VerifyLedger(work_, {}, &report);
      ASSERT_FALSE(verified.ok()) << "flip at " << offset << " of segment " << s;
      EXPECT_FALSE(report.first_bad_location.empty());
      EXPECT_NE(report.first_bad_location.find(target), std::string::npos);
      auto ledger = Open(work_, nullptr);
      ASSERT_FALSE(ledger.ok()) << "flip at " << offset << " of segment " << s << " opened";
      EXPECT_EQ(ledger.status().code(), StatusCode::kDataLoss) << ledger.status().ToString();
      EXPECT_NE(ledger.status().message().find(target), std::string::npos)
          << ledger.status().ToString();
      EXPECT_NE(ledger.status().message().find("offset"), std::string::npos);
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST_F(RecoveryTest, MissingOrTruncatedEarlierSegmentIsDataLoss) {
  segment_bytes_ = 2048;
  Build(40);
  CopySource();
  std::vector<std::string> segments = Segments(work_);
  ASSERT_GE(segments.size(), 3u);
  fs::resize_file(segments[1], fs::file_size(segments[1]) - 3);
  EXPECT_EQ(Open(work_, nullptr).status().code(), StatusCode::kDataLoss);
  CopySource();
  fs::remove(Segments(work_)[1]);
  EXPECT_EQ(Open(work_, nullptr).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cleanroom::ledger
