#pragma once

// The Spark emitter: a bound logical plan to Spark SQL (Apache Spark 4) with Spark's own
// semantics, for running a checked program on a Spark cluster. The plan was bound with Spark's
// rules, so most of it is written back as Spark spells it; what the checker added (its unit hash,
// its row counts) and what safe arithmetic means are spelt here. Only SQL produced here reaches
// Spark. Every identifier is quoted with backquotes; plan columns are named "_c<node>_<index>"
// as in the DuckDB emitter.
//
// The SQL assumes a session with spark.sql.ansi.enabled=false (the driver sets it): under safe
// arithmetic overflow is caught by Spark's try_* functions, and ANSI off makes a function or cast
// that fails on a value yield NULL, as TRY() does in the DuckDB emitter.

#include <string>
#include <string_view>

#include "base/status.h"
#include "sql/emitter/duckdb_emitter.h"
#include "sql/plan.h"

namespace cleanroom::sql {

// One Spark SQL SELECT computing `plan`'s result. Unimplemented naming the construct for a
// function or literal this emitter cannot write for Spark yet; Internal for a broken plan.
Result<std::string> EmitSparkSql(const LogicalPlan& plan, const EmitOptions& options);

// A Spark identifier in backquotes, inner backquotes doubled.
std::string QuoteSparkIdentifier(std::string_view name);
// A Spark string literal: single quotes, with backslash and quote escaped by a backslash (Spark
// reads backslash escapes in literals, and two adjacent literals are concatenated, so a doubled
// quote would not mean a quote).
std::string QuoteSparkString(std::string_view value);

}  // namespace cleanroom::sql
