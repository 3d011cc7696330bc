#include "ledger/crc32c.h"

#include <gtest/gtest.h>

#include <random>

namespace cleanroom::ledger {
namespace {

// Known answers: the CRC catalogue's check value and RFC 3720 appendix B.4.
TEST(Crc32cTest, KnownAnswers) {
  EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xE3069283u);
  Bytes zeros(32, 0x00);
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  Bytes ones(32, 0xFF);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  Bytes ascending(32);
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  Bytes descending(32);
  for (int i = 0; i < 32; ++i) descending[i] = static_cast<uint8_t>(31 - i);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
  EXPECT_EQ(Crc32c({}), 0u);
}

TEST(Crc32cTest, PortableAndHardwareAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  Bytes data(1000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; len + start <= data.size(); len += 7) {
      ByteSpan s = ByteSpan(data).subspan(start, len);
      ASSERT_EQ(Crc32cExtend(0, s), Crc32cExtendPortable(0, s)) << start << " " << len;
    }
  }
  SUCCEED() << "hardware path used: " << Crc32cHardwareAvailable();
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  ByteSpan all = AsBytes("the quick brown fox jumps over the lazy dog");
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    EXPECT_EQ(Crc32cExtend(Crc32c(all.subspan(0, cut)), all.subspan(cut)), Crc32c(all));
  }
}

}  // namespace
}  // namespace cleanroom::ledger
