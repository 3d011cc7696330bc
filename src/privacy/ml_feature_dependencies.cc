// Everything an ML feature's (or label's) value depends on, not only where its values come from
// (docs/ml.md "What a trained model leaks"): a feature carries the label or a person's identity
// just as well through a window's ORDER BY, a CASE condition or a scalar subquery's filter as
// through its arguments.
#include "ml_feature_dependencies.h"

#include <set>
#include <utility>

namespace cleanroom::privacy::internal {
namespace {

using sql::PlanKind;

class DependencyWalk {
 public:
  explicit DependencyWalk(CheckContext& ctx) : ctx_(ctx) {}

  void Binding(sql::ColumnBinding binding, int depth) {
    if (depth > 64 || !visited_.insert({binding.node_id, binding.index}).second) return;
    Trace t = ctx_.lineage.OfBinding(binding);
    out_.insert(t.origins.begin(), t.origins.end());
    const sql::PlanNode* node = ctx_.lineage.Node(binding.node_id);
    if (node == nullptr || binding.index < 0) return;
    const size_t i = static_cast<size_t>(binding.index);
    switch (node->kind) {
      case PlanKind::kProject:
      case PlanKind::kWindow:
        if (i < node->expressions.size()) Expression(*node->expressions[i], depth + 1);
        break;
      case PlanKind::kAggregate:
        if (i < node->groups.size()) {
          Expression(*node->groups[i], depth + 1);
        } else if (i - node->groups.size() < node->expressions.size()) {
          Expression(*node->expressions[i - node->groups.size()], depth + 1);
          for (const auto& g : node->groups) Expression(*g, depth + 1);
        }
        break;
      case PlanKind::kSetOperation:
        for (const auto& child : node->children) {
          if (i < child->columns.size()) Binding(child->columns[i].binding, depth + 1);
        }
        break;
      case PlanKind::kGet:
        if (node->is_view && node->view_plan && node->view_plan->root &&
            i < node->table_columns.size()) {
          const auto& cols = node->view_plan->root->columns;
          const std::string want = sql::ToLowerAscii(node->table_columns[i]);
          for (size_t c = 0; c < node->view_plan->output_count && c < cols.size(); ++c) {
            if (sql::ToLowerAscii(cols[c].name) == want) {
              Binding(cols[c].binding, depth + 1);
            }
          }
        }
        break;
      default:
        break;
    }
  }

  void Expression(const sql::Expression& e, int depth) {
    if (depth > 64) return;
    if (e.kind == sql::ExprKind::kWindow) {
      // Which rows a window sees and in what order decide its value as much as its arguments.
      for (const auto& p : e.partition_by) Expression(*p, depth + 1);
      for (const auto& k : e.order_by) {
        if (k.expr) Expression(*k.expr, depth + 1);
      }
    }
    if (e.kind == sql::ExprKind::kColumnRef) {
      Binding(e.binding, depth + 1);
      return;
    }
    if (e.kind == sql::ExprKind::kSubquery && e.subquery && e.subquery->root) {
      // What a subquery returns depends on every column it reads: filters, joins, keys.
      sql::VisitPlan(*e.subquery->root, [&](const sql::PlanNode& n) {
        sql::VisitNodeExpressions(n, [&](const sql::Expression& x) { Expression(x, depth + 1); });
      });
    }
    for (const auto& c : e.children) Expression(*c, depth + 1);
    if (e.filter) Expression(*e.filter, depth + 1);
  }

  std::set<Origin> Take() { return std::move(out_); }

 private:
  CheckContext& ctx_;
  std::set<std::pair<int, int>> visited_;
  std::set<Origin> out_;
};

}  // namespace

std::set<Origin> MlDependencies(CheckContext& ctx, sql::ColumnBinding binding) {
  DependencyWalk walk(ctx);
  walk.Binding(binding, 0);
  std::set<Origin> out = walk.Take();
  const std::set<Origin> sources = SourcesOfOutput(ctx, binding);
  out.insert(sources.begin(), sources.end());
  return out;
}

}  // namespace cleanroom::privacy::internal
