#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cleanroom::sql {

// The statements of a checked program around its emitted queries (the privacy checker's
// thresholds and post-filters): a query's rows materialised into a temp table, counted and
// updated there. Names are quoted here; `select` and `source` are SQL this emitter produced,
// conditions are built with EmitAtLeast / EmitColumnCompare or are such statements' own.

// CREATE TEMP TABLE "t" AS SELECT * FROM (<select>) AS "__cr_t"("c0", ...)
std::string EmitCreateTempTableAs(std::string_view table, std::string_view select,
                                  const std::vector<std::string>& columns);
// CREATE OR REPLACE TEMP VIEW "v" AS <select>
std::string EmitCreateTempView(std::string_view view, std::string_view select);
// SELECT count(*) FROM "t" [WHERE <where>]
std::string EmitCountRows(std::string_view table, std::string_view where = "");
// SELECT count(*) FILTER (WHERE <condition>), ... FROM "t": one count per condition.
std::string EmitCountRowsWhere(std::string_view table, const std::vector<std::string>& conditions);
// coalesce("c" >= min, false): the column is at least `min` (NULL counts as not).
std::string EmitAtLeast(std::string_view column, int64_t min);
// "c" <op> <min>, for op one of <, >=.
std::string EmitColumnCompare(std::string_view column, std::string_view op, int64_t value);

// SELECT "c0" AS "name0", ... FROM "t" WHERE <where> ORDER BY rowid: a temp table's rows in
// the order they were inserted (the materialised query's order), renamed.
std::string EmitSelectInserted(std::string_view table, const std::vector<std::string>& columns,
                               const std::vector<std::string>& names, std::string_view where);

// UPDATE "t" SET <set> FROM (<source>) AS "__cr_x"("k0", ..., "e0", ...)
//   WHERE "t"."<group i>" IS NOT DISTINCT FROM "__cr_x"."k<i>" AND ... [AND <where>]
// `source` computes, per group of the same keys as the table's first `group_columns.size()`
// columns, `value_count` values (read as "__cr_x"."e<j>").
struct UpdateFromGroups {
  std::string table;
  std::vector<std::string> group_columns;
  size_t value_count = 0;
  std::string source;
  std::string set;    // "c" = ..., built by the caller from the names below
  std::string where;  // extra condition, may be empty
};
std::string EmitUpdateFromGroups(const UpdateFromGroups& update);
// "t"."c": a column of the updated table, and "__cr_x"."e<j>": a value of the source.
std::string UpdatedColumn(std::string_view table, std::string_view column);
std::string SourceValue(size_t j);

}  // namespace cleanroom::sql
