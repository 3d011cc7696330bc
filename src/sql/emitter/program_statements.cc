#include "sql/emitter/program_statements.h"

#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::sql {
namespace {

constexpr std::string_view kSource = "\"__cr_x\"";

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string EmitCreateTempTableAs(std::string_view table, std::string_view select,
                                  const std::vector<std::string>& columns) {
  std::vector<std::string> quoted;
  quoted.reserve(columns.size());
  for (const std::string& c : columns) quoted.push_back(QuoteIdentifier(c));
  return "CREATE TEMP TABLE " + QuoteIdentifier(table) + " AS SELECT * FROM (" +
         std::string(select) + ") AS \"__cr_t\"(" + Join(quoted, ", ") + ")";
}

std::string EmitCreateTempView(std::string_view view, std::string_view select) {
  return "CREATE OR REPLACE TEMP VIEW " + QuoteIdentifier(view) + " AS " + std::string(select);
}

std::string EmitCountRows(std::string_view table, std::string_view where) {
  std::string sql = "SELECT count(*) FROM " + QuoteIdentifier(table);
  if (!where.empty()) sql += " WHERE " + std::string(where);
  return sql;
}

std::string EmitCountRowsWhere(std::string_view table, const std::vector<std::string>& conditions) {
  std::vector<std::string> counts;
  counts.reserve(conditions.size());
  for (const std::string& c : conditions) counts.push_back("count(*) FILTER (WHERE " + c + ")");
  return "SELECT " + Join(counts, ", ") + " FROM " + QuoteIdentifier(table);
}

std::string EmitAtLeast(std::string_view column, int64_t min) {
  return "coalesce(" + QuoteIdentifier(column) + " >= " + std::to_string(min) + ", false)";
}

std::string EmitColumnCompare(std::string_view column, std::string_view op, int64_t value) {
  return QuoteIdentifier(column) + " " + std::string(op) + " " + std::to_string(value);
}

std::string EmitSelectInserted(std::string_view table, const std::vector<std::string>& columns,
                               const std::vector<std::string>& names, std::string_view where) {
  std::vector<std::string> renamed;
  for (size_t i = 0; i < columns.size() && i < names.size(); ++i) {
    renamed.push_back(QuoteIdentifier(columns[i]) + " AS " + QuoteIdentifier(names[i]));
  }
  return "SELECT " + Join(renamed, ", ") + " FROM " + QuoteIdentifier(table) + " WHERE " +
         std::string(where) + " ORDER BY rowid";
}

std::string UpdatedColumn(std::string_view table, std::string_view column) {
  return QuoteIdentifier(table) + "." + QuoteIdentifier(column);
}

std::string SourceValue(size_t j) {
  return std::string(kSource) + "." + QuoteIdentifier("e" + std::to_string(j));
}

std::string EmitUpdateFromGroups(const UpdateFromGroups& u) {
  std::vector<std::string> source_columns;
  std::vector<std::string> match;
  for (size_t g = 0; g < u.group_columns.size(); ++g) {
    std::string key = QuoteIdentifier("k" + std::to_string(g));
    source_columns.push_back(key);
    match.push_back(UpdatedColumn(u.table, u.group_columns[g]) + " IS NOT DISTINCT FROM " +
                    std::string(kSource) + "." + key);
  }
  for (size_t j = 0; j < u.value_count; ++j) {
    source_columns.push_back(QuoteIdentifier("e" + std::to_string(j)));
  }
  if (!u.where.empty()) match.push_back(u.where);
  return "UPDATE " + QuoteIdentifier(u.table) + " SET " + u.set + " FROM (" + u.source + ") AS " +
         std::string(kSource) + "(" + Join(source_columns, ", ") + ") WHERE " +
         (match.empty() ? std::string("true") : Join(match, " AND "));
}

}  // namespace cleanroom::sql
