#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/catalog.h"
#include "sql/time_zone.h"

namespace cleanroom::sql {

class LogicalPlan;  // The bound, typed plan (sql/planner). Read by the privacy checker.

// Which semantics the emitter reproduces. kSpark: Spark 4 with ANSI mode (the product).
// kSqlite: SQLite's (integer division, NULL ordering, ...) so that SQLite's test corpus runs.
// kDuckdb: Spark's, except where DuckDB's test corpus expects DuckDB's own behaviour (concat
// skipping NULLs, bare DECIMAL as decimal(18,3), rounding casts to integers, ORDER BY inside
// an aggregate call, ...), so that DuckDB's test corpus runs. Only the corpora use the two.
enum class Dialect { kSpark, kSqlite, kDuckdb };

struct CompileOptions {
  Dialect dialect = Dialect::kSpark;
  // Resolves an inline file reference (FROM 'data/x.parquet') to a table the engine loaded;
  // returns the TableDef under which it is registered. Null: inline files are an error.
  std::function<Result<TableDef>(std::string_view path)> resolve_file;
  // Overflow, division by zero and invalid casts yield NULL instead of an error (the privacy
  // checker turns this on: a data-dependent error would be a one-bit oracle on the data).
  bool safe_arithmetic = false;
  // Spark's spark.sql.groupByAliases: GROUP BY may name a select alias (Spark's default).
  bool group_by_aliases = true;
  // Spark's spark.sql.session.timeZone: the zone whose wall time a TIMESTAMP_NTZ holds (UTC in
  // the clean room; Spark's own golden files run in America/Los_Angeles).
  ZoneId session_time_zone;
};

// One compiled statement.
struct CompiledStatement {
  enum class Kind { kQuery, kCreateView };
  Kind kind = Kind::kQuery;
  std::string view_name;       // kCreateView: the temp view it defines
  std::string duckdb_sql;      // what the engine runs, in order
  std::vector<Column> output;  // result (or view) columns: names and types
  std::shared_ptr<const LogicalPlan> plan;
  std::string ExplainText() const;  // our plan, then the emitted SQL
};

// Parses, binds and emits a script: zero or more `CREATE TEMP VIEW name AS SELECT ...` steps
// separated by ';' and at most one final query. Each view is added to `catalog` as it is
// bound, so later steps see it. Errors carry line:column and a caret line, and never contain
// data values. The user's text never reaches the engine: only `duckdb_sql`.
Result<std::vector<CompiledStatement>> CompileScript(std::string_view text, Catalog& catalog,
                                                     const CompileOptions& options = {});

// The base tables (not views, not CTEs) a script reads, lower-case, sorted, unique.
// Governance uses it to find a query's datasets; an unknown table is NotFound naming it.
Result<std::vector<std::string>> ReferencedTables(std::string_view text, const Catalog& catalog,
                                                  const CompileOptions& options = {});

}  // namespace cleanroom::sql
