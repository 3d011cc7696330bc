#pragma once

// SQLite set-up statements that DuckDB reads differently, handled by the runner's set-up layer
// (see slt/runner.h): their effect on later results is reproduced exactly, or they are refused.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// UPDATE ... SET with a column assigned more than once: SQLite ignores all but the rightmost
// assignment (DuckDB refuses the statement). Returns the statement with only the rightmost
// assignment of each column, or nullopt when nothing is repeated (or it is no such UPDATE).
std::optional<std::string> KeepRightmostAssignments(std::string_view update_sql);

// REINDEX [[schema.]name]: the object it names, lower-case, or "" for a bare REINDEX; nullopt
// when the statement is not a REINDEX. Rebuilding an index changes no result, so the runner
// only checks that the name is a table or an index (SQLite's error otherwise).
Result<std::optional<std::string>> ReindexTarget(std::string_view sql);

// CREATE TABLE with INT / INTEGER columns: SQLite's integers are 64-bit, DuckDB's INTEGER is
// 32-bit, so those columns become BIGINT. nullopt for any other statement or when no column
// is declared so.
std::optional<std::string> WidenIntegerColumns(std::string_view create_sql);

// INSERT ... VALUES (row), (row) split into the text before VALUES and each row's
// expressions, so their values can be computed with SQLite's semantics (DuckDB refuses, e.g.,
// `1<<63`, which SQLite wraps). nullopt for any other statement, or when anything but a final
// ';' follows the rows.
struct InsertValues {
  std::string head;               // "INSERT INTO t1(a, b) "
  std::vector<std::string> rows;  // "1<<63, 'x'"
};
std::optional<InsertValues> SplitInsertValues(std::string_view sql);

}  // namespace cleanroom::slt
