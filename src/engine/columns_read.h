#pragma once

// The base-table columns a compiled script can read, from its bound plans: what the engine
// validates of a Parquet input before DuckDB reads it (docs/engine.md, "What is validated when").

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sql/frontend.h"

namespace cleanroom::engine {

// Table name -> column names, both lower case. A table the script reads with no column at all
// (count(*)) is present with an empty set.
using ColumnsRead = std::map<std::string, std::set<std::string>>;

// Every column of a base table (a Get that is not a view) that an expression anywhere in the
// statements references, that a DISTINCT or set operation compares, or that a plan's root or
// a subquery's output passes on. Over-approximates, never under: a column left out is one
// the emitted SQL cannot use.
ColumnsRead ColumnsReadBy(const std::vector<sql::CompiledStatement>& statements);

}  // namespace cleanroom::engine
