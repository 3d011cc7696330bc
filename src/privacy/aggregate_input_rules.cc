// What may feed an aggregate over individual rows of a protected dataset (docs/privacy.md,
// "Aggregate inputs"):
//  - value rule: an aggregate that returns one row's value (MIN, MAX, first, mode, a
//    percentile, a list, SUM(DISTINCT ...), any function not known to be unit-safe) is refused
//    on the columns of an aggregate-only dataset unless the column's policy lists it;
//  - conditional aggregation rule: over the rows of a dataset with a minGroupUnits floor, every
//    aggregate reads the whole group: no FILTER clause, and its argument is a column (or a cast
//    of one) or a constant. A computed argument (CASE, IF, NULLIF, COALESCE, arithmetic with an
//    indicator, any function) would let the aggregate read a sub-population of the group that
//    the floor never counted.
#include "checker_internal.h"
#include "sql/catalog.h"
#include "sql/function/function_registry.h"

namespace cleanroom::privacy::internal {
namespace {

// Aggregates whose value mixes every input row: a group's result is not one row's value.
// Every other aggregate, including functions added to the registry later, is treated as
// returning a row's value (fail closed).
bool IsUnitSafe(const std::string& fn, bool distinct) {
  if (fn == "count" || fn == "approx_count_distinct") return true;
  if (distinct) return false;  // SUM(DISTINCT x): the value held by one person alone shows
  return fn == "sum" || fn == "total" || fn == "avg" || fn == "mean" || fn == "stddev" ||
         fn == "stddev_pop" || fn == "variance" || fn == "var_pop";
}

std::string CallName(const sql::Expression& call) {
  std::string name = call.function != nullptr ? call.function->name : "this aggregate";
  for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return call.distinct ? name + "(DISTINCT ...)" : name;
}

}  // namespace

Status CheckAggregateInputs(CheckContext& ctx, const sql::PlanNode& aggregate) {
  std::set<std::string> row_level = ctx.lineage.RowLevelDatasets(*aggregate.children[0]);
  // The floored datasets whose rows feed this aggregate, and the strictest floor among them.
  std::string floored;
  int64_t floor = 0;
  for (const std::string& ds : row_level) {
    const DatasetPolicy* p = ctx.PolicyOf(ds);
    if (p == nullptr) continue;
    int64_t units = MergeFloors(*p, ctx.policies->query, ds).min_group_units;
    if (units > floor) {
      floor = units;
      floored = ds;
    }
  }
  std::string floor_text = "dataset " + floored + " (minGroupUnits " + std::to_string(floor) + ")";
  for (const auto& call : aggregate.expressions) {
    if (call->kind != sql::ExprKind::kAggregate) continue;
    std::string fn = call->function != nullptr ? call->function->name : "";
    Trace args;
    for (const auto& c : call->children) {
      args.Merge(ctx.lineage.OfExpression(*c), call->children.size() == 1);
    }
    if (!IsUnitSafe(fn, call->distinct)) {
      for (const Origin& o : args.origins) {
        const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
        if (p == nullptr || p->output != OutputMode::kAggregate ||
            row_level.count(o.dataset) == 0) {
          continue;
        }
        ColumnRole role = p->RoleOf(o.column);
        if (role != ColumnRole::kDimension) continue;  // join, unit, aggregate: role_rules.cc
        return Denied("aggregate rule", o, role,
                      "may not be aggregated by " + CallName(*call) +
                          ": it returns one row's value, which only a column of role aggregate "
                          "whose functions list it may give");
      }
    }
    if (floor <= 0) continue;
    if (call->filter) {
      return Status::PermissionDenied(
          "conditional aggregation rule: " + CallName(*call) +
          " has a FILTER clause over the rows of " + floor_text +
          "; the floor counts the group's units, not the filtered ones (filter the rows in "
          "WHERE, or group by the condition)");
    }
    if (!args.origins.empty() && !args.identity) {
      const Origin& o = *args.origins.begin();
      return Status::PermissionDenied(
          "conditional aggregation rule: the argument of " + CallName(*call) +
          " is computed from column " + o.column + " of dataset " + o.dataset +
          " over the rows of " + floor_text +
          "; an aggregate reads a column or a constant (a CASE, IF, NULLIF, COALESCE or "
          "arithmetic inside it could select fewer units than the floor)");
    }
  }
  return Status::OK();
}

}  // namespace cleanroom::privacy::internal
