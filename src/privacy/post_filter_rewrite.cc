// The query's own post-filters (Azure's form): drop result rows whose column is below a
// minimum. Applied to the materialised result so the dropped rows can be counted.
#include "checker_internal.h"
#include "sql/catalog.h"
#include "sql/emitter/program_statements.h"

namespace cleanroom::privacy::internal {

Result<std::string> ApplyPostFilters(CheckContext& ctx, const std::string& final_sql,
                                     const std::vector<sql::ColumnInfo>& output) {
  const auto& filters = ctx.policies->query.post_filters;
  if (filters.empty()) return final_sql;
  std::vector<std::string> names;
  for (size_t i = 0; i < output.size(); ++i) names.push_back("c" + std::to_string(i));
  const sql::ProgramStatements& emit = *ctx.statements;
  std::string table = ctx.temp_prefix + "result";
  ctx.steps.push_back(ProgramStep{
      ProgramStep::Kind::kExecute, emit.CreateTempTableAs(table, final_sql, names), "", 0, {}, {}});
  std::vector<std::string> dropped;
  std::vector<std::string> rules;
  std::string pass;
  for (size_t f = 0; f < filters.size(); ++f) {
    int found = -1;
    for (size_t i = 0; i < output.size(); ++i) {
      if (sql::ToLowerAscii(output[i].name) == filters[f].column) {
        if (found >= 0) {
          return Status::InvalidArgument("postFilters[" + std::to_string(f) + "]: column " +
                                         filters[f].column + " names more than one output column");
        }
        found = static_cast<int>(i);
      }
    }
    if (found < 0) {
      return Status::InvalidArgument("postFilters[" + std::to_string(f) + "]: column " +
                                     filters[f].column + " is not an output column");
    }
    std::string cond = emit.AtLeast(names[static_cast<size_t>(found)], filters[f].min);
    dropped.push_back("NOT " + cond);
    rules.push_back("postFilter(" + filters[f].column + ")>=" + std::to_string(filters[f].min));
    pass += (f > 0 ? " AND " : "") + cond;
  }
  ctx.steps.push_back(ProgramStep{
      ProgramStep::Kind::kSuppressionCount, emit.CountRowsWhere(table, dropped), "", 0, rules, {}});
  ctx.explain += "post-filter: " + pass + "\n";
  std::vector<std::string> output_names;
  output_names.reserve(output.size());
  for (const auto& c : output) output_names.push_back(c.name);
  // Insertion order of the temp table is the result's order.
  return emit.SelectInserted(table, names, output_names, pass);
}

}  // namespace cleanroom::privacy::internal
