#include "workload/text_format.h"

namespace cleanroom::workload {
namespace {

// Days since 1970-01-01 of a civil date, and back: the era-based algorithms of
// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

void AppendTwoDigits(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

void AppendUnsigned(std::string& out, uint64_t value) {
  char buffer[20];
  int n = 0;
  do {
    buffer[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out.push_back(buffer[--n]);
}

void AppendFixedDecimal(std::string& out, uint64_t units, int scale) {
  uint64_t divisor = 1;
  for (int i = 0; i < scale; ++i) divisor *= 10;
  AppendUnsigned(out, units / divisor);
  if (scale == 0) return;
  out.push_back('.');
  uint64_t fraction = units % divisor;
  for (uint64_t d = divisor / 10; d > 0; d /= 10) {
    out.push_back(static_cast<char>('0' + fraction / d));
    fraction %= d;
  }
}

void AppendTimestamp(std::string& out, int64_t seconds) {
  int64_t days = seconds / 86400;
  unsigned in_day = static_cast<unsigned>(seconds % 86400);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  AppendUnsigned(out, static_cast<uint64_t>(y));
  out.push_back('-');
  AppendTwoDigits(out, m);
  out.push_back('-');
  AppendTwoDigits(out, d);
  out.push_back(' ');
  AppendTwoDigits(out, in_day / 3600);
  out.push_back(':');
  AppendTwoDigits(out, in_day / 60 % 60);
  out.push_back(':');
  AppendTwoDigits(out, in_day % 60);
}

int64_t EpochSeconds(int year, int month, int day, int hour, int minute, int second) {
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
}

}  // namespace cleanroom::workload
