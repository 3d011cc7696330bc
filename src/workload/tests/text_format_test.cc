#include "workload/text_format.h"

#include <gtest/gtest.h>

namespace cleanroom::workload {
namespace {

TEST(TextFormatTest, Unsigned) {
  std::string s;
  AppendUnsigned(s, 0);
  s.push_back('|');
  AppendUnsigned(s, 18446744073709551615ULL);
  EXPECT_EQ(s, "0|18446744073709551615");
}

TEST(TextFormatTest, FixedDecimal) {
  std::string s;
  AppendFixedDecimal(s, 12345, 2);
  s.push_back('|');
  AppendFixedDecimal(s, 5, 4);
  s.push_back('|');
  AppendFixedDecimal(s, 7, 0);
  s.push_back('|');
  AppendFixedDecimal(s, 100, 2);
  EXPECT_EQ(s, "123.45|0.0005|7|1.00");
}

TEST(TextFormatTest, EpochSecondsMatchesKnownDates) {
  EXPECT_EQ(EpochSeconds(1970, 1, 1), 0);
  EXPECT_EQ(EpochSeconds(2026, 3, 1), 1772323200);  // date -u -d 2026-03-01 +%s
  EXPECT_EQ(EpochSeconds(2000, 2, 29, 23, 59, 59), 951868799);
}

TEST(TextFormatTest, TimestampRoundTripsThroughCivilDates) {
  std::string s;
  AppendTimestamp(s, EpochSeconds(2024, 2, 29, 7, 5, 9));
  EXPECT_EQ(s, "2024-02-29 07:05:09");
  s.clear();
  AppendTimestamp(s, EpochSeconds(2026, 12, 31, 23, 59, 59) + 1);
  EXPECT_EQ(s, "2027-01-01 00:00:00");
}

}  // namespace
}  // namespace cleanroom::workload
