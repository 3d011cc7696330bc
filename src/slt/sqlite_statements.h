#pragma once

// SQLite set-up statements that DuckDB reads differently, handled by the runner's set-up layer
// (see slt/runner.h): their effect on later results is reproduced exactly, or they are refused.

#include <optional>
#include <string>
#include <string_view>

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

}  // namespace cleanroom::slt
