#include "sql/parser/interval_literal.h"

#include <vector>

namespace cleanroom::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
// Bounded so that no product below overflows: Spark's own limits are far below these.
constexpr int64_t kMaxFieldValue = int64_t{1} << 40;

Status Invalid(int start, int end) {
  return Status::InvalidArgument("the interval text does not match INTERVAL " +
                                 DataType::Interval(start, end).ToString().substr(9));
}

// Digits only, at most 13 of them.
bool ReadInteger(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 13) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out <= kMaxFieldValue;
}

// S[.fffffffff]: microseconds (digits past the sixth dropped, as Spark keeps microseconds).
bool ReadSeconds(std::string_view text, int64_t& micros) {
  size_t dot = text.find('.');
  int64_t whole = 0;
  if (!ReadInteger(text.substr(0, dot), whole)) return false;
  int64_t fraction = 0;
  if (dot != std::string_view::npos) {
    std::string_view digits = text.substr(dot + 1);
    if (digits.empty() || digits.size() > 9) return false;
    for (size_t k = 0; k < 6; ++k) {
      char c = k < digits.size() ? digits[k] : '0';
      if (c < '0' || c > '9') return false;
      fraction = fraction * 10 + (c - '0');
    }
    for (size_t k = 6; k < digits.size(); ++k) {
      if (digits[k] < '0' || digits[k] > '9') return false;
    }
  }
  micros = whole * kMicrosPerSecond + fraction;
  return true;
}

}  // namespace

void IntervalValue::Add(const IntervalValue& other) {
  months += other.months;
  days += other.days;
  micros += other.micros;
}

void IntervalValue::Negate() {
  months = -months;
  days = -days;
  micros = -micros;
}

std::string IntervalValue::ToText() const {
  return std::to_string(months) + " months " + std::to_string(days) + " days " +
         std::to_string(micros) + " microseconds";
}

int IntervalFieldOf(std::string_view unit) {
  static constexpr std::string_view kNames[] = {"year", "month", "day", "hour", "minute", "second"};
  for (int k = 0; k < 6; ++k) {
    if (unit == kNames[k]) return k + 1;
  }
  return kNoField;
}

std::string SingularUnit(std::string unit) {
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  return unit;
}

Result<IntervalValue> ParseAnsiInterval(std::string_view text, int start, int end) {
  if (start == kNoField || end < start || end > kSecond || (start <= kMonth) != (end <= kMonth)) {
    return Status::InvalidArgument("invalid interval fields");
  }
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  IntervalValue value;
  if (start <= kMonth) {
    int64_t years = 0, months = 0;
    if (start == kYear && end == kMonth) {
      size_t dash = text.find('-');
      if (dash == std::string_view::npos || !ReadInteger(text.substr(0, dash), years) ||
          !ReadInteger(text.substr(dash + 1), months) || months > 11) {
        return Invalid(start, end);
      }
    } else if (!ReadInteger(text, start == kYear ? years : months)) {
      return Invalid(start, end);
    }
    value.months = years * 12 + months;
  } else {
    // The day-time fields from start to end: "D H:M:S" with a space after the day.
    std::vector<std::string_view> parts;
    std::string_view rest = text;
    if (start == kDay && end > kDay) {
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) return Invalid(start, end);
      parts.push_back(rest.substr(0, space));
      rest = rest.substr(space + 1);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
    while (true) {
      size_t colon = rest.find(':');
      parts.push_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest = rest.substr(colon + 1);
    }
    if (static_cast<int>(parts.size()) != end - start + 1) return Invalid(start, end);
    for (int field = start; field <= end; ++field) {
      std::string_view part = parts[static_cast<size_t>(field - start)];
      int64_t n = 0;
      if (field == kSecond) {
        if (!ReadSeconds(part, n)) return Invalid(start, end);
        if (start != kSecond && n >= 60 * kMicrosPerSecond) return Invalid(start, end);
        value.micros += n;
        continue;
      }
      if (!ReadInteger(part, n)) return Invalid(start, end);
      bool leading = field == start;
      if ((field == kHour && !leading && n > 23) || (field == kMinute && !leading && n > 59)) {
        return Invalid(start, end);
      }
      if (field == kDay) value.days += n;
      if (field == kHour) value.micros += n * kMicrosPerHour;
      if (field == kMinute) value.micros += n * kMicrosPerMinute;
    }
  }
  if (negative) value.Negate();
  return value;
}

}  // namespace cleanroom::sql
