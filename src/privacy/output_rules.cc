// The output rules: what may leave in a result row, and subqueries that probe protected data.
#include "checker_internal.h"

namespace cleanroom::privacy::internal {

using sql::ExprKind;

Status CheckSubqueries(CheckContext& ctx, const sql::PlanNode& node) {
  Status status;
  sql::VisitNodeExpressions(node, [&](const sql::Expression& root) {
    sql::VisitExpression(root, [&](const sql::Expression& e) {
      if (!status.ok() || e.kind != ExprKind::kSubquery || !e.subquery || !e.subquery->root) return;
      const sql::PlanNode& sub = *e.subquery->root;
      if (e.subquery_kind == sql::SubqueryKind::kScalar) {
        // A scalar subquery's value is not thresholded: over aggregate-mode data it is a
        // probe (one bit or one number about a narrow set of people).
        for (const std::string& ds : ctx.lineage.ReadDatasets(sub)) {
          const DatasetPolicy* p = ctx.PolicyOf(ds);
          if (p != nullptr && p->output == OutputMode::kAggregate) {
            status = Status::PermissionDenied(
                "subquery rule: dataset " + ds +
                " is aggregate-only and may not be read by a scalar subquery (its value would "
                "escape the thresholds)");
            return;
          }
        }
      }
      if (status.ok()) status = CheckRoles(ctx, sub);
      if (status.ok()) status = CheckFilterSubquery(ctx, e);
    });
  });
  return status;
}

Status CheckOutput(CheckContext& ctx, const sql::LogicalPlan& plan) {
  std::vector<sql::ColumnInfo> output = plan.Output();
  for (const auto& col : output) {
    Trace t = ctx.lineage.OfBinding(col.binding);
    for (const Origin& o : t.origins) {
      const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
      if (p == nullptr) continue;
      ColumnRole role = p->RoleOf(o.column);
      if (role == ColumnRole::kJoin || role == ColumnRole::kPrivacyUnit) {
        return Denied("output rule", o, role, "may not be output, even transformed");
      }
      if (role == ColumnRole::kAggregate && !t.aggregated) {
        return Denied("output rule", o, role, "may be output only through an aggregate function");
      }
    }
  }
  // Aggregation-only output: no individual row of an aggregate-mode dataset may reach the
  // result without passing through a GROUP BY / aggregate.
  for (const std::string& ds : ctx.lineage.RowLevelDatasets(*plan.root)) {
    const DatasetPolicy* p = ctx.PolicyOf(ds);
    if (p != nullptr && p->output == OutputMode::kAggregate) {
      return Status::PermissionDenied(
          "output rule: dataset " + ds +
          " allows aggregate output only; the query returns its individual rows (aggregate them "
          "with GROUP BY and aggregate functions)");
    }
  }
  // Window functions over individual rows attach per-person values to rows.
  Status status;
  std::function<void(const sql::PlanNode&)> walk = [&](const sql::PlanNode& n) {
    if (!status.ok()) return;
    if (n.kind == sql::PlanKind::kWindow) {
      for (const std::string& ds : ctx.lineage.RowLevelDatasets(*n.children[0])) {
        const DatasetPolicy* p = ctx.PolicyOf(ds);
        if (p != nullptr && p->output == OutputMode::kAggregate) {
          status = Status::PermissionDenied("window rule: dataset " + ds +
                                            " allows aggregate output only; window functions over "
                                            "its individual rows are not allowed");
          return;
        }
      }
    }
    if (n.kind == sql::PlanKind::kGet && n.is_view && n.view_plan && n.view_plan->root) {
      walk(*n.view_plan->root);
    }
    for (const auto& c : n.children) walk(*c);
  };
  walk(*plan.root);
  return status;
}

}  // namespace cleanroom::privacy::internal
