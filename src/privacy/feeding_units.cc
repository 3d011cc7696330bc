// The units that feed each aggregate. A group passes its floor on the units of all its rows;
// an aggregate over a column reads only the rows where that column is not NULL. A column NULL
// for every person of a group but one (a sparse column) would give that person's value. So
// every aggregate over a floored dataset's column also counts its non-NULL inputs (one
// count(column) per group, cheap); where that count falls short of the group's rows, a
// conditional step counts the distinct units behind the non-NULL values exactly and sets the
// aggregate's cells to NULL in the groups where they are fewer than the floor.
#include "checker_internal.h"
#include "sql/function/function_registry.h"

namespace cleanroom::privacy::internal {

Result<std::vector<FeedingCheck>> AddFeedingCounts(CheckContext& ctx, sql::PlanNode& node,
                                                   size_t original_count,
                                                   const std::vector<FloorUnit>& floors,
                                                   const sql::FunctionDef* unit_hash) {
  const sql::FunctionDef* count = sql::LookupFunction("count");
  if (count == nullptr) return Status::Internal("count function missing from the registry");
  std::vector<FeedingCheck> checks;
  for (size_t k = 0; k < original_count && k < node.expressions.size(); ++k) {
    const sql::ExprPtr call = node.expressions[k];
    if (call->kind != sql::ExprKind::kAggregate || call->children.size() != 1) continue;
    const sql::ExprPtr& arg = call->children[0];
    Trace trace = ctx.lineage.OfExpression(*arg);
    if (!trace.identity || trace.origins.size() != 1) continue;  // constants; refused forms
    const Origin& origin = *trace.origins.begin();
    size_t value_column = node.groups.size() + k;
    for (const FloorUnit& floor : floors) {
      const DatasetPolicy* p = ctx.PolicyOf(floor.dataset);
      if (floor.dataset != origin.dataset || p == nullptr || p->privacy_unit == origin.column) {
        continue;  // another dataset's column; the unit itself is never NULL where it counts
      }
      FeedingCheck* same = nullptr;
      for (FeedingCheck& c : checks) {
        // One check per table instance: in a self-join the argument's origin does not say which
        // instance it reads, so every instance's units must reach the floor (conservative).
        if (c.dataset == floor.dataset && c.unit == floor.unit.binding &&
            sql::ExpressionEquals(*c.arg, *arg)) {
          same = &c;
        }
      }
      if (same != nullptr) {
        same->value_columns.push_back(value_column);
        same->min = std::max(same->min, floor.min);
        continue;
      }
      FeedingCheck check;
      check.dataset = floor.dataset;
      check.min = floor.min;
      check.arg = arg;
      check.unit = floor.unit.binding;
      check.value_columns.push_back(value_column);
      const sql::DataType bigint = sql::DataType::Of(sql::TypeId::kBigInt);
      sql::ExprPtr fed = sql::MakeBoundCall(sql::ExprKind::kAggregate, count, bigint, {arg});
      check.fed_column = AddAggregate(&node, fed, "__cr_fed_" + std::to_string(checks.size()));
      sql::ExprPtr hash = sql::MakeBoundCall(sql::ExprKind::kFunction, unit_hash, bigint,
                                             {sql::MakeColumnRef(floor.unit)});
      sql::ExprPtr exact =
          sql::MakeBoundCall(sql::ExprKind::kAggregate, count, bigint, {hash}, true);
      exact->filter = sql::MakeBoundOperator(sql::OperatorKind::kIsNotNull,
                                             sql::DataType::Of(sql::TypeId::kBoolean), {arg});
      check.exact = exact;
      checks.push_back(std::move(check));
    }
  }
  return checks;
}

}  // namespace cleanroom::privacy::internal
