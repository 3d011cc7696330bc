#include "attest/rfc3339.h"

#include <cctype>
#include <cstdio>

namespace cleanroom::attest {
namespace {

// Reads `digits` decimal digits at `pos`; -1 when they are not all digits.
int ReadNumber(std::string_view text, size_t pos, size_t digits) {
  if (pos + digits > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool Expect(std::string_view text, size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

}  // namespace

Result<std::time_t> ParseRfc3339(std::string_view text) {
  const Status bad = Status::InvalidArgument(
      "time is not RFC 3339 (expected YYYY-MM-DDTHH:MM:SSZ or with an offset +HH:MM)");
  int year = ReadNumber(text, 0, 4), month = ReadNumber(text, 5, 2), day = ReadNumber(text, 8, 2);
  int hour = ReadNumber(text, 11, 2), minute = ReadNumber(text, 14, 2);
  int second = ReadNumber(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60 || !Expect(text, 4, '-') ||
      !Expect(text, 7, '-') || !(Expect(text, 10, 'T') || Expect(text, 10, 't')) ||
      !Expect(text, 13, ':') || !Expect(text, 16, ':')) {
    return bad;
  }
  size_t pos = 19;
  if (Expect(text, pos, '.')) {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start) return bad;
  }
  long offset_seconds = 0;
  if (Expect(text, pos, 'Z') || Expect(text, pos, 'z')) {
    ++pos;
  } else if (Expect(text, pos, '+') || Expect(text, pos, '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    int offset_hour = ReadNumber(text, pos + 1, 2), offset_minute = ReadNumber(text, pos + 4, 2);
    if (offset_hour < 0 || offset_hour > 23 || offset_minute < 0 || offset_minute > 59 ||
        !Expect(text, pos + 3, ':')) {
      return bad;
    }
    offset_seconds = sign * (offset_hour * 3600L + offset_minute * 60L);
    pos += 6;
  } else {
    return bad;
  }
  if (pos != text.size()) return bad;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t utc = timegm(&tm);
  return utc - offset_seconds;
}

std::string FormatRfc3339(std::time_t at) {
  std::tm tm{};
  gmtime_r(&at, &tm);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

}  // namespace cleanroom::attest
