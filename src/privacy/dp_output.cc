// The result of a differentially private query (docs/differential-privacy.md "Results"): the
// released aggregate is the query's outermost aggregate, its values reach the result as they are
// (each with its 95% interval in two more columns), and no DP dataset is read anywhere else.
#include "checker_internal.h"

namespace cleanroom::privacy::internal {
namespace {

using sql::PlanKind;

Status NotDpShape(const std::string& what) {
  return Status::Unimplemented("differential privacy: " + what +
                               " is not supported in a differentially private query");
}

bool IsDp(const CheckContext& ctx, const std::string& table) {
  const DatasetPolicy* p = ctx.PolicyOf(sql::ToLowerAscii(table));
  return p != nullptr && p->differential_privacy.has_value();
}

// A DP dataset read by `node`'s tree other than through the released aggregate.
Status CheckNoOtherRead(const CheckContext& ctx, const sql::PlanNode& node) {
  Status status = Status::OK();
  std::function<void(const sql::PlanNode&)> visit_plan;
  auto visit_expr = [&](const sql::Expression& e) {
    if (e.kind == sql::ExprKind::kSubquery && e.subquery && e.subquery->root) {
      visit_plan(*e.subquery->root);
    }
  };
  visit_plan = [&](const sql::PlanNode& root) {
    sql::VisitPlan(root, [&](const sql::PlanNode& n) {
      if (!status.ok()) return;
      if (n.kind == PlanKind::kGet && n.is_view && n.view_plan && n.view_plan->root) {
        visit_plan(*n.view_plan->root);
      } else if (n.kind == PlanKind::kGet && IsDp(ctx, n.table_name)) {
        status = NotDpShape("reading dataset " + sql::ToLowerAscii(n.table_name) +
                            " other than through one aggregate of its rows (a subquery, a view, "
                            "row-level output or a second aggregate)");
      }
      sql::VisitNodeExpressions(n, [&](const sql::Expression& root_expr) {
        sql::VisitExpression(root_expr, visit_expr);
      });
    });
  };
  visit_plan(node);
  return status;
}

bool PassesRows(PlanKind kind) {
  return kind == PlanKind::kSort || kind == PlanKind::kLimit || kind == PlanKind::kFilter;
}

}  // namespace

Status FinishDifferentialPrivacy(CheckContext& ctx, sql::LogicalPlan& plan, CheckSummary& summary) {
  CR_RETURN_IF_ERROR(CheckNoOtherRead(ctx, *plan.root));
  if (!ctx.dp.has_value()) return Status::OK();
  const CheckContext::DpRewritten& dp = *ctx.dp;
  // root -> (Sort | Limit | Filter)* -> Project -> (Sort | Limit | Filter)* -> the released scan.
  std::vector<sql::PlanNode*> above;
  sql::PlanNode* n = plan.root.get();
  while (PassesRows(n->kind)) {
    above.push_back(n);
    n = n->children[0].get();
  }
  sql::PlanNode* project = n;
  std::vector<sql::PlanNode*> below;
  if (project->kind == PlanKind::kProject) {
    n = project->children[0].get();
    while (PassesRows(n->kind)) {
      below.push_back(n);
      n = n->children[0].get();
    }
  }
  const std::string shape =
      "an aggregate over a differentially private dataset inside a larger query (it must be the "
      "outermost aggregate, with its values in the result as they are)";
  if (project->kind != PlanKind::kProject || n->kind != PlanKind::kGet || n->id != dp.node_id) {
    return NotDpShape(shape);
  }
  if (project->expressions.size() != plan.output_count) {
    return NotDpShape("ORDER BY an expression that is not in the result");
  }
  for (const sql::PlanNode* a : above) {
    if (a->columns.size() != plan.output_count) {
      return NotDpShape("ORDER BY an expression that is not in the result");
    }
  }
  auto is_dp_value = [&](const sql::Expression& e) {
    return e.kind == sql::ExprKind::kColumnRef && e.depth == 0 && e.binding.node_id == dp.node_id &&
           static_cast<size_t>(e.binding.index) >= dp.group_count;
  };
  std::vector<std::pair<size_t, size_t>> released;  // (result column, aggregate)
  for (size_t k = 0; k < project->expressions.size(); ++k) {
    const sql::Expression& e = *project->expressions[k];
    if (is_dp_value(e)) {
      released.emplace_back(k, static_cast<size_t>(e.binding.index) - dp.group_count);
      continue;
    }
    bool reads = false;
    sql::VisitExpression(e, [&](const sql::Expression& x) { reads = reads || is_dp_value(x); });
    if (reads) {
      return NotDpShape(
          "an expression over a noisy aggregate in the result (output the aggregate as it is, so "
          "that its interval applies)");
    }
  }

  for (const auto& [k, j] : released) {
    const CheckContext::DpAggregateOutput& agg = dp.aggregates[j];
    for (size_t side = 0; side < 2; ++side) {
      const sql::ColumnInfo& scan_column = dp.columns[agg.ci_low + side];
      n->columns.push_back(scan_column);
      n->table_columns.push_back("r" + std::to_string(agg.ci_low + side));
      for (sql::PlanNode* b : below) b->columns.push_back(scan_column);
      project->expressions.push_back(sql::MakeColumnRef(scan_column));
      const size_t index = project->expressions.size() - 1;
      sql::ColumnInfo out{project->columns[k].name + (side == 0 ? "_ci_low" : "_ci_high"),
                          scan_column.type,
                          sql::ColumnBinding{project->id, static_cast<int>(index)}, "", ""};
      project->columns.insert(project->columns.begin() + static_cast<long>(index), out);
      for (sql::PlanNode* a : above) a->columns.push_back(out);
      ++plan.output_count;
    }
    summary.dp.push_back(CheckSummary::DpAggregate{project->columns[k].name, agg.kind, dp.mechanism,
                                                   agg.epsilon, agg.interval});
  }
  summary.dp_groups = dp.groups;
  return Status::OK();
}

}  // namespace cleanroom::privacy::internal
