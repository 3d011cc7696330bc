// The query's own post-filters (Azure's form): drop result rows whose column is below a
// minimum. Applied to the materialised result so the dropped rows can be counted.
#include "checker_internal.h"
#include "sql/catalog.h"
#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::privacy::internal {

Result<std::string> ApplyPostFilters(CheckContext& ctx, const std::string& final_sql,
                                     const std::vector<sql::ColumnInfo>& output) {
  const auto& filters = ctx.policies->query.post_filters;
  if (filters.empty()) return final_sql;
  std::vector<std::string> names;
  std::string column_list;
  for (size_t i = 0; i < output.size(); ++i) {
    names.push_back("c" + std::to_string(i));
    column_list += (i > 0 ? ", " : "") + sql::QuoteIdentifier(names.back());
  }
  std::string table = ctx.temp_prefix + "result";
  ctx.steps.push_back(ProgramStep{ProgramStep::Kind::kExecute,
                                  "CREATE TEMP TABLE " + sql::QuoteIdentifier(table) +
                                      " AS SELECT * FROM (" + final_sql + ") AS \"__cr_t\"(" +
                                      column_list + ")",
                                  "", 0, {}, {}});
  ProgramStep counts{ProgramStep::Kind::kSuppressionCount, "SELECT ", "", 0, {}, {}};
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
    std::string cond = "coalesce(" + sql::QuoteIdentifier(names[static_cast<size_t>(found)]) +
                       " >= " + std::to_string(filters[f].min) + ", false)";
    counts.sql += (f > 0 ? ", " : "") + std::string("count(*) FILTER (WHERE NOT ") + cond + ")";
    counts.rules.push_back("postFilter(" + filters[f].column + ")>=" + std::to_string(filters[f].min));
    pass += (f > 0 ? " AND " : "") + cond;
  }
  counts.sql += " FROM " + sql::QuoteIdentifier(table);
  ctx.steps.push_back(std::move(counts));
  ctx.explain += "post-filter: " + pass + "\n";
  std::string select = "SELECT ";
  for (size_t i = 0; i < output.size(); ++i) {
    select += (i > 0 ? ", " : "") + sql::QuoteIdentifier(names[i]) + " AS " +
              sql::QuoteIdentifier(output[i].name);
  }
  // Insertion order of the temp table is the result's order.
  return select + " FROM " + sql::QuoteIdentifier(table) + " WHERE " + pass + " ORDER BY rowid";
}

}  // namespace cleanroom::privacy::internal
