// The checked program's statements in DuckDB SQL, and what both targets share.
#include "sql/emitter/program_statements.h"

namespace cleanroom::sql {
namespace {

constexpr std::string_view kSource = "__cr_x";

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

class DuckDbProgram final : public ProgramStatements {
 public:
  SqlTarget target() const override { return SqlTarget::kDuckDb; }
  Result<std::string> EmitQuery(const LogicalPlan& plan) const override {
    EmitOptions emit;
    emit.safe_arithmetic = true;
    return EmitDuckDbSql(plan, emit);
  }
  std::string Quote(std::string_view name) const override { return QuoteIdentifier(name); }
  bool conditional_steps() const override { return true; }

  std::string SelectInserted(std::string_view table, const std::vector<std::string>& columns,
                             const std::vector<std::string>& names,
                             std::string_view where) const override {
    std::vector<std::string> renamed;
    for (size_t i = 0; i < columns.size() && i < names.size(); ++i) {
      renamed.push_back(Quote(columns[i]) + " AS " + Quote(names[i]));
    }
    return "SELECT " + Join(renamed, ", ") + " FROM " + Quote(table) + " WHERE " +
           std::string(where) + " ORDER BY rowid";
  }

  // UPDATE "t" SET "c" = v, ... FROM (<source>) AS "__cr_x"("k0", ..., "e0", ...)
  //   WHERE "t"."<group i>" IS NOT DISTINCT FROM "__cr_x"."k<i>" AND ... [AND <where>]
  UpdateStatement UpdateGroups(const UpdateFromGroups& u) const override {
    std::vector<std::string> set;
    for (const auto& [column, value] : u.set) set.push_back(Quote(column) + " = " + value);
    std::vector<std::string> match = KeyMatches(u, " IS NOT DISTINCT FROM ");
    if (!u.where.empty()) match.push_back(u.where);
    return UpdateStatement{"UPDATE " + Quote(u.table) + " SET " + Join(set, ", ") + " FROM (" +
                               u.source + ") AS " + SourceColumns(u) + " WHERE " +
                               (match.empty() ? std::string("true") : Join(match, " AND ")),
                           u.table};
  }
};

}  // namespace

const ProgramStatements& SparkProgramStatements();  // spark_program_statements.cc

const ProgramStatements& ProgramStatements::For(SqlTarget target) {
  static const DuckDbProgram kDuckDb;
  return target == SqlTarget::kSpark ? SparkProgramStatements() : kDuckDb;
}

std::string ProgramStatements::CreateTempTableAs(std::string_view table, std::string_view select,
                                                 const std::vector<std::string>& columns) const {
  std::vector<std::string> quoted;
  quoted.reserve(columns.size());
  for (const std::string& c : columns) quoted.push_back(Quote(c));
  return "CREATE TEMP TABLE " + Quote(table) + " AS SELECT * FROM (" + std::string(select) +
         ") AS " + Quote("__cr_t") + "(" + Join(quoted, ", ") + ")";
}

std::string ProgramStatements::CreateTempView(std::string_view view,
                                              std::string_view select) const {
  return "CREATE OR REPLACE TEMP VIEW " + Quote(view) + " AS " + std::string(select);
}

std::string ProgramStatements::CountRows(std::string_view table, std::string_view where) const {
  std::string sql = "SELECT count(*) FROM " + Quote(table);
  if (!where.empty()) sql += " WHERE " + std::string(where);
  return sql;
}

std::string ProgramStatements::CountRowsWhere(std::string_view table,
                                              const std::vector<std::string>& conditions) const {
  std::vector<std::string> counts;
  counts.reserve(conditions.size());
  for (const std::string& c : conditions) counts.push_back("count(*) FILTER (WHERE " + c + ")");
  return "SELECT " + Join(counts, ", ") + " FROM " + Quote(table);
}

std::string ProgramStatements::AtLeast(std::string_view column, int64_t min) const {
  return "coalesce(" + Quote(column) + " >= " + std::to_string(min) + ", false)";
}

std::string ProgramStatements::ColumnCompare(std::string_view column, std::string_view op,
                                             int64_t value) const {
  return Quote(column) + " " + std::string(op) + " " + std::to_string(value);
}

std::string ProgramStatements::UpdatedColumn(std::string_view table,
                                             std::string_view column) const {
  return Quote(table) + "." + Quote(column);
}

std::string ProgramStatements::SourceValue(size_t j) const {
  return Quote(kSource) + "." + Quote("e" + std::to_string(j));
}

std::string ProgramStatements::SourceColumns(const UpdateFromGroups& u) const {
  std::vector<std::string> columns;
  for (size_t g = 0; g < u.group_columns.size(); ++g) {
    columns.push_back(Quote("k" + std::to_string(g)));
  }
  for (size_t j = 0; j < u.value_count; ++j) columns.push_back(Quote("e" + std::to_string(j)));
  return Quote(kSource) + "(" + Join(columns, ", ") + ")";
}

std::vector<std::string> ProgramStatements::KeyMatches(const UpdateFromGroups& u,
                                                       std::string_view equal) const {
  std::vector<std::string> match;
  for (size_t g = 0; g < u.group_columns.size(); ++g) {
    match.push_back(UpdatedColumn(u.table, u.group_columns[g]) + std::string(equal) +
                    Quote(kSource) + "." + Quote("k" + std::to_string(g)));
  }
  return match;
}

}  // namespace cleanroom::sql
