#pragma once

// Spark's interval literals: the unit names and the ANSI interval strings ('1-2' YEAR TO MONTH,
// '1 02:03:04.5' DAY TO SECOND, '1.5' SECOND, ...), read into months, days and microseconds.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sql/types.h"

namespace cleanroom::sql {

struct IntervalValue {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;

  void Add(const IntervalValue& other);
  void Negate();
  // DuckDB's interval text: "M months D days U microseconds".
  std::string ToText() const;
};

// year, month, day, hour, minute, second (singular, lower case) -> the field; else kNoField.
int IntervalFieldOf(std::string_view unit);
// "days" -> "day".
std::string SingularUnit(std::string unit);
// The value of `text` as an interval from field `start` to field `end` (Spark's ANSI forms, an
// optional sign first). InvalidArgument (without the text) when it does not fit.
Result<IntervalValue> ParseAnsiInterval(std::string_view text, int start, int end);

}  // namespace cleanroom::sql
