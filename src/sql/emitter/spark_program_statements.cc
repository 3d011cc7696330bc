// The checked program's statements in Spark SQL. Spark has no temp tables that can be updated:
// a table of groups is a cached temp view (CACHE TABLE ... AS, computed once, eagerly), and an
// update makes a new cached view of the updated rows under the next version of the name
// (`t_v2`), which later statements read.
#include <cctype>

#include "sql/emitter/program_statements.h"
#include "sql/emitter/spark_emitter.h"

namespace cleanroom::sql {
namespace {

// The rows' order in a cached view: Spark's ids increase along the partitions of the query
// they are computed over (a sorted query's partitions are in its order).
constexpr std::string_view kOrder = "__cr_order";
constexpr std::string_view kMatched = "__cr_m";

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// "t" -> "t_v2", "t_v2" -> "t_v3".
std::string NextVersion(std::string_view table) {
  size_t digits = table.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(table[digits - 1]))) --digits;
  if (digits < table.size() && digits >= 2 && table.substr(digits - 2, 2) == "_v") {
    int version = std::stoi(std::string(table.substr(digits)));
    return std::string(table.substr(0, digits)) + std::to_string(version + 1);
  }
  return std::string(table) + "_v2";
}

class SparkProgram final : public ProgramStatements {
 public:
  SqlTarget target() const override { return SqlTarget::kSpark; }
  Result<std::string> EmitQuery(const LogicalPlan& plan) const override {
    EmitOptions emit;
    emit.safe_arithmetic = true;
    return EmitSparkSql(plan, emit);
  }
  std::string Quote(std::string_view name) const override { return QuoteSparkIdentifier(name); }
  bool conditional_steps() const override { return false; }

  std::string CreateTempTableAs(std::string_view table, std::string_view select,
                                const std::vector<std::string>& columns) const override {
    std::vector<std::string> quoted;
    quoted.reserve(columns.size());
    for (const std::string& c : columns) quoted.push_back(Quote(c));
    return "CACHE TABLE " + Quote(table) + " AS SELECT *, monotonically_increasing_id() AS " +
           Quote(kOrder) + " FROM (" + std::string(select) + ") AS " + Quote("__cr_t") + "(" +
           Join(quoted, ", ") + ")";
  }

  std::string SelectInserted(std::string_view table, const std::vector<std::string>& columns,
                             const std::vector<std::string>& names,
                             std::string_view where) const override {
    std::vector<std::string> renamed;
    for (size_t i = 0; i < columns.size() && i < names.size(); ++i) {
      renamed.push_back(Quote(columns[i]) + " AS " + Quote(names[i]));
    }
    return "SELECT " + Join(renamed, ", ") + " FROM " + Quote(table) + " WHERE " +
           std::string(where) + " ORDER BY " + Quote(kOrder);
  }

  // CACHE TABLE `t_v2` AS SELECT <each column, or CASE WHEN matched AND <where> THEN <value>
  // ELSE `t`.`c` END>, `t`.`__cr_order` FROM `t` LEFT JOIN (SELECT *, true AS `__cr_m` FROM
  // (<source>) AS `__cr_s`(k0, ..., e0, ...)) AS `__cr_x` ON `t`.`g0` <=> `__cr_x`.`k0` AND ...
  UpdateStatement UpdateGroups(const UpdateFromGroups& u) const override {
    std::string matched = SourceValueNamed(kMatched) + " IS NOT NULL";
    if (!u.where.empty()) matched += " AND (" + u.where + ")";
    std::vector<std::string> items;
    for (const std::string& column : u.columns) {
      std::string item = UpdatedColumn(u.table, column);
      for (const auto& [set_column, value] : u.set) {
        if (set_column == column) {
          item = "CASE WHEN " + matched + " THEN " + value + " ELSE " + item + " END";
        }
      }
      items.push_back(item + " AS " + Quote(column));
    }
    items.push_back(UpdatedColumn(u.table, kOrder));
    std::vector<std::string> source_columns;
    for (size_t g = 0; g < u.group_columns.size(); ++g) {
      source_columns.push_back(Quote("k" + std::to_string(g)));
    }
    for (size_t j = 0; j < u.value_count; ++j) {
      source_columns.push_back(Quote("e" + std::to_string(j)));
    }
    std::vector<std::string> match = KeyMatches(u, " <=> ");
    std::string next = NextVersion(u.table);
    return UpdateStatement{
        "CACHE TABLE " + Quote(next) + " AS SELECT " + Join(items, ", ") + " FROM " +
            Quote(u.table) + " LEFT JOIN (SELECT *, true AS " + Quote(kMatched) + " FROM (" +
            u.source + ") AS " + Quote("__cr_s") + "(" + Join(source_columns, ", ") + ")) AS " +
            Quote("__cr_x") + " ON " + (match.empty() ? std::string("true") : Join(match, " AND ")),
        next};
  }

 private:
  std::string SourceValueNamed(std::string_view column) const {
    return Quote("__cr_x") + "." + Quote(column);
  }
};

}  // namespace

const ProgramStatements& SparkProgramStatements() {
  static const SparkProgram kSpark;
  return kSpark;
}

}  // namespace cleanroom::sql
