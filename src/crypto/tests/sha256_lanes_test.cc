#include "crypto/sha256_lanes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/tests/test_util.h"

namespace cleanroom::crypto {
namespace {

// Every lane count gives, for every message, OpenSSL's SHA-256 of that message.
void ExpectMatchesOpenSsl(const std::vector<Bytes>& messages) {
  std::vector<ByteSpan> spans(messages.begin(), messages.end());
  for (size_t lanes = 1; lanes <= kSha256MaxLanes; ++lanes) {
    std::vector<Sha256Digest> got(messages.size());
    Sha256Many(spans, got.data(), lanes);
    for (size_t i = 0; i < messages.size(); ++i) {
      EXPECT_EQ(HexEncode(got[i]), Sha256Hex(messages[i]))
          << "lanes " << lanes << ", message " << i << " of " << messages[i].size() << " bytes";
    }
  }
}

TEST(Sha256LanesTest, NistExamples) {
  // FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values", SHA-256).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn"
       "opq"
       "rsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  std::vector<ByteSpan> spans;
  spans.reserve(cases.size());
  for (const auto& c : cases) spans.push_back(AsBytes(c.first));
  for (size_t lanes = 1; lanes <= kSha256MaxLanes; ++lanes) {
    std::vector<Sha256Digest> got(cases.size());
    Sha256Many(spans, got.data(), lanes);
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(HexEncode(got[i]), cases[i].second) << "lanes " << lanes << ", case " << i;
    }
  }
}

TEST(Sha256LanesTest, EqualLengthsAroundTheBlockAndPaddingEdges) {
  // 55 / 56 bytes: the last length that pads into one block and the first that needs two.
  for (size_t n : {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65536}) {
    std::vector<Bytes> messages;
    for (uint32_t seed = 0; seed < 7; ++seed)
      messages.push_back(testing::SeededBytes(n, seed + 100 * n));
    ExpectMatchesOpenSsl(messages);
  }
}

TEST(Sha256LanesTest, MixedLengthsInOneCall) {
  std::mt19937 rng(42);
  std::vector<Bytes> messages;
  for (uint32_t i = 0; i < 61; ++i) messages.push_back(testing::SeededBytes(rng() % 5000, i));
  messages.push_back(testing::SeededBytes(200000, 1));
  messages.push_back(testing::SeededBytes(3, 2));
  ExpectMatchesOpenSsl(messages);
}

TEST(Sha256LanesTest, UnalignedInput) {
  Bytes big = testing::SeededBytes(70000, 9);
  std::vector<ByteSpan> spans;
  for (size_t off = 1; off < 9; ++off) spans.emplace_back(big.data() + off, 65536 + off);
  std::vector<Sha256Digest> got(spans.size());
  Sha256Many(spans, got.data());
  for (size_t i = 0; i < spans.size(); ++i) EXPECT_EQ(got[i], Sha256(spans[i])) << i;
}

TEST(Sha256LanesTest, ReportsTheCpuFeature) {
  // Not an assertion about this machine: the fallback path is exercised where SHA-NI is absent.
  RecordProperty("sha_ni", Sha256LanesAccelerated() ? "yes" : "no");
  SUCCEED();
}

}  // namespace
}  // namespace cleanroom::crypto
