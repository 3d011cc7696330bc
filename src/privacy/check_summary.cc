// The checked summary of a query, for the approvers who review it at proposal.
#include <nlohmann/json.hpp>

#include "checker_internal.h"

namespace cleanroom::privacy {
namespace internal {
namespace {

// The base columns a value is computed from, through aggregates too (an aggregate's value comes
// from its arguments): what an approver wants to see beside an output column.
void SourcesOf(CheckContext& ctx, sql::ColumnBinding binding, std::set<Origin>& out, int depth);

void SourcesOfExpression(CheckContext& ctx, const sql::Expression& e, std::set<Origin>& out,
                         int depth) {
  if (e.kind == sql::ExprKind::kColumnRef) {
    SourcesOf(ctx, e.binding, out, depth + 1);
    return;
  }
  Trace t = ctx.lineage.OfExpression(e);
  out.insert(t.origins.begin(), t.origins.end());
  for (const auto& c : e.children) SourcesOfExpression(ctx, *c, out, depth + 1);
  if (e.filter) SourcesOfExpression(ctx, *e.filter, out, depth + 1);
}

void SourcesOf(CheckContext& ctx, sql::ColumnBinding binding, std::set<Origin>& out, int depth) {
  if (depth > 64) return;  // plans are trees of bounded depth; this only guards a cycle
  Trace t = ctx.lineage.OfBinding(binding);
  out.insert(t.origins.begin(), t.origins.end());
  const sql::PlanNode* node = ctx.lineage.Node(binding.node_id);
  if (node == nullptr || binding.index < 0) return;
  size_t i = static_cast<size_t>(binding.index);
  if (node->kind == sql::PlanKind::kAggregate && i >= node->groups.size() &&
      i - node->groups.size() < node->expressions.size()) {
    SourcesOfExpression(ctx, *node->expressions[i - node->groups.size()], out, depth);
  } else if (node->kind == sql::PlanKind::kProject && i < node->expressions.size()) {
    SourcesOfExpression(ctx, *node->expressions[i], out, depth);
  }
}

}  // namespace

std::set<Origin> SourcesOfOutput(CheckContext& ctx, sql::ColumnBinding binding) {
  std::set<Origin> out;
  SourcesOf(ctx, binding, out, 0);
  return out;
}

CheckSummary Summarize(CheckContext& ctx, const sql::LogicalPlan& final_plan,
                       const std::set<std::string>& read, const std::vector<ProgramStep>& steps) {
  CheckSummary summary;
  for (const auto& column : final_plan.Output()) {
    Trace trace = ctx.lineage.OfBinding(column.binding);
    CheckSummary::OutputColumn out{column.name, {}, trace.aggregated};
    std::set<Origin> sources;
    SourcesOf(ctx, column.binding, sources, 0);
    for (const Origin& o : sources) {
      const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
      ColumnRole role = p != nullptr ? p->RoleOf(o.column) : ColumnRole::kDimension;
      out.sources.push_back(o.dataset + "." + o.column + " (" + std::string(ColumnRoleName(role)) +
                            ")");
    }
    summary.columns.push_back(std::move(out));
  }
  for (const std::string& ds : read) {
    const DatasetPolicy* p = ctx.PolicyOf(ds);
    if (p == nullptr) continue;
    EffectiveFloors floors = MergeFloors(*p, ctx.policies->query, ds);
    summary.floors.push_back(CheckSummary::Floors{ds, floors.min_row_count, floors.min_group_units,
                                                  p->min_row_count, p->min_group_units});
  }
  for (const ProgramStep& step : steps) {
    if (step.kind != ProgramStep::Kind::kSuppressionCount) continue;
    summary.suppression_rules.insert(summary.suppression_rules.end(), step.rules.begin(),
                                     step.rules.end());
  }
  for (const PostFilter& f : ctx.policies->query.post_filters) {
    summary.post_filters.push_back(f.column + ">=" + std::to_string(f.min));
  }
  return summary;
}

}  // namespace internal

std::string CheckSummaryJson(const CheckSummary& summary) {
  nlohmann::json out = {{"columns", nlohmann::json::array()},
                        {"floors", nlohmann::json::array()},
                        {"suppressionRules", summary.suppression_rules},
                        {"postFilters", summary.post_filters}};
  for (const auto& c : summary.columns) {
    out["columns"].push_back(
        {{"name", c.name}, {"sources", c.sources}, {"aggregated", c.aggregated}});
  }
  for (const auto& f : summary.floors) {
    out["floors"].push_back(
        {{"dataset", f.dataset},
         {"minRowCount", f.min_row_count},
         {"minGroupUnits", f.min_group_units},
         {"owner",
          {{"minRowCount", f.owner_min_row_count}, {"minGroupUnits", f.owner_min_group_units}}}});
  }
  if (!summary.dp.empty()) {
    nlohmann::json dp = {{"groups", summary.dp_groups}, {"aggregates", nlohmann::json::array()}};
    for (const auto& a : summary.dp) {
      dp["aggregates"].push_back({{"column", a.column},
                                  {"aggregate", a.aggregate},
                                  {"mechanism", a.mechanism},
                                  {"epsilon", a.epsilon},
                                  {"interval95", a.interval}});
    }
    out["differentialPrivacy"] = dp;
  }
  return out.dump();
}

}  // namespace cleanroom::privacy
