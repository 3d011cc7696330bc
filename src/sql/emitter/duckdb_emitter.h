#pragma once

// The emitter: a bound logical plan to DuckDB SQL that computes what Spark (or, in the sqlite
// dialect, SQLite) would. Only SQL produced here reaches the engine. Every identifier is
// quoted; every plan column is named "_c<node>_<index>" inside the statement, and the result
// columns carry the query's own names.

#include <string>

#include "base/status.h"
#include "sql/frontend.h"
#include "sql/plan.h"

namespace cleanroom::sql {

struct EmitOptions {
  Dialect dialect = Dialect::kSpark;
  // Overflow, division by zero and invalid casts yield NULL instead of an error.
  bool safe_arithmetic = false;
  // The session time zone (CompileOptions::session_time_zone).
  ZoneId session_time_zone;
};

// One SELECT statement computing `plan`'s result (its first output_count columns).
// Internal for a plan this module cannot express (a rewrite that broke an invariant).
Result<std::string> EmitDuckDbSql(const LogicalPlan& plan, const EmitOptions& options);

// A SQL identifier in double quotes, inner quotes doubled.
std::string QuoteIdentifier(std::string_view name);
// A SQL string literal in single quotes, inner quotes doubled.
std::string QuoteString(std::string_view value);

}  // namespace cleanroom::sql
