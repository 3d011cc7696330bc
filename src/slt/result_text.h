#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/frontend.h"
#include "sql/types.h"

namespace cleanroom::slt {

// One result cell as sqllogictest prints it, for a column of sqllogictest type `column_type`
// ('I', 'R', 'T'; others as 'T'). `text` is the engine's kText spelling of a non-NULL value of
// SQL type `type`. NULL is "NULL" and the empty string "(empty)" in both dialects.
//   kSqlite, as SQLite's own runner: I is an integer (reals truncated toward zero, text read as
//            its leading integer, booleans 1/0), R has three decimals, T has control and
//            non-ASCII bytes replaced by '@' and reals with 15 significant digits.
//   kSpark,  as DuckDB's runner: the value's own spelling (R is compared numerically later).
std::string FormatValue(bool is_null, std::string_view text, const sql::DataType& type,
                        char column_type, sql::Dialect dialect);

// Sorts `values` (row-major, `columns` per row) as the sort mode says: "rowsort" / "sort" sort
// rows (comparing values left to right as strings), "valuesort" sorts every value, anything
// else keeps the order.
void SortValues(std::vector<std::string>& values, size_t columns, std::string_view sort_mode);

// MD5 (lower-case hex) over every value followed by "\n", as sqllogictest hashes results.
std::string HashValues(const std::vector<std::string>& values);

// The expected section of a query: either values or "N values hashing to H".
struct Expected {
  bool hashed = false;
  size_t count = 0;
  std::string hash;
  std::vector<std::string> values;  // row-major; DuckDB-style tab-separated rows are split
};
Expected ParseExpected(const std::vector<std::string>& lines);

// Empty when `actual` matches `expected`, else what differs (the first position, both values).
// In kSpark, R values compare as numbers within DuckDB's runner tolerance (1%), other numbers
// compare numerically, and true/false match 1/0.
std::string CompareValues(const std::vector<std::string>& expected,
                          const std::vector<std::string>& actual, std::string_view types,
                          std::string_view sort_mode, sql::Dialect dialect);

}  // namespace cleanroom::slt
