#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "sql/emitter/duckdb_emitter.h"
#include "sql/plan.h"

namespace cleanroom::sql {

// The engine a checked program is written for.
enum class SqlTarget {
  kDuckDb,  // the embedded engine
  kSpark,   // Apache Spark 4 (a session with ANSI off: spark_emitter.h)
};

// An UPDATE of a temp table of groups from a query over the same groups (see UpdateFromGroups).
struct UpdateFromGroups {
  std::string table;
  std::vector<std::string> columns;        // every column of the table, in order
  std::vector<std::string> group_columns;  // its first columns: the groups' keys
  size_t value_count = 0;
  // Computes, per group of the same keys, `value_count` values (read with SourceValue(j)).
  std::string source;
  // Column -> new value (SQL reading UpdatedColumn and SourceValue), for the matched groups.
  std::vector<std::pair<std::string, std::string>> set;
  std::string where;  // extra condition on the matched groups, may be empty
};

// The update's statement, and the name the table has from then on.
struct UpdateStatement {
  std::string sql;
  std::string table;
};

// The statements of a checked program around its emitted queries (the privacy checker's
// thresholds and post-filters): a query's rows materialised into a temp table, counted and
// updated there, in one target's SQL. Names are quoted here; `select` and `source` are SQL this
// object's EmitQuery produced, conditions are built with AtLeast / ColumnCompare or are such
// statements' own.
class ProgramStatements {
 public:
  // The statements for `target` (static objects).
  static const ProgramStatements& For(SqlTarget target);
  virtual ~ProgramStatements() = default;

  virtual SqlTarget target() const = 0;
  // The query computing `plan`'s result, with safe arithmetic.
  virtual Result<std::string> EmitQuery(const LogicalPlan& plan) const = 0;
  virtual std::string Quote(std::string_view name) const = 0;
  // Whether a kExecute step may run only when its condition holds. A target without them runs
  // every step (an update that matches nothing changes nothing).
  virtual bool conditional_steps() const = 0;

  // CREATE TEMP TABLE "t" AS SELECT * FROM (<select>) AS "__cr_t"("c0", ...). Its rows keep the
  // select's order for SelectInserted.
  virtual std::string CreateTempTableAs(std::string_view table, std::string_view select,
                                        const std::vector<std::string>& columns) const;
  // CREATE OR REPLACE TEMP VIEW "v" AS <select>
  std::string CreateTempView(std::string_view view, std::string_view select) const;
  // SELECT count(*) FROM "t" [WHERE <where>]
  std::string CountRows(std::string_view table, std::string_view where = "") const;
  // SELECT count(*) FILTER (WHERE <condition>), ... FROM "t": one count per condition.
  std::string CountRowsWhere(std::string_view table,
                             const std::vector<std::string>& conditions) const;
  // coalesce("c" >= min, false): the column is at least `min` (NULL counts as not).
  std::string AtLeast(std::string_view column, int64_t min) const;
  // "c" <op> <value>, for op one of <, >=.
  std::string ColumnCompare(std::string_view column, std::string_view op, int64_t value) const;
  // SELECT "c0" AS "name0", ... FROM "t" WHERE <where>, in the order the rows were inserted (the
  // materialised query's order), renamed.
  virtual std::string SelectInserted(std::string_view table,
                                     const std::vector<std::string>& columns,
                                     const std::vector<std::string>& names,
                                     std::string_view where) const = 0;
  // Sets columns of the groups the source matches (keys compared NULL-safe).
  virtual UpdateStatement UpdateGroups(const UpdateFromGroups& update) const = 0;
  // "t"."c": a column of the updated table, and "__cr_x"."e<j>": a value of the source.
  std::string UpdatedColumn(std::string_view table, std::string_view column) const;
  std::string SourceValue(size_t j) const;

 protected:
  // "__cr_x"(k0, ..., e0, ...) and the NULL-safe match of the keys, for UpdateGroups.
  std::string SourceColumns(const UpdateFromGroups& u) const;
  std::vector<std::string> KeyMatches(const UpdateFromGroups& u, std::string_view equal) const;
};

}  // namespace cleanroom::sql
