#include "privacy/lineage.h"

#include "sql/catalog.h"

namespace cleanroom::privacy {

using sql::ExprKind;
using sql::PlanKind;

void Trace::Merge(const Trace& other, bool keep_identity) {
  bool was_empty = origins.empty() && !aggregated;
  origins.insert(other.origins.begin(), other.origins.end());
  aggregated = aggregated || other.aggregated;
  identity = keep_identity && was_empty && other.identity;
}

void Lineage::AddPlan(const sql::LogicalPlan& plan) {
  if (!indexed_plans_.insert(&plan).second || !plan.root) return;
  IndexNode(*plan.root);
}

void Lineage::IndexNode(const sql::PlanNode& node) {
  nodes_[node.id] = &node;
  if (node.kind == PlanKind::kGet && node.is_view && node.view_plan) AddPlan(*node.view_plan);
  sql::VisitNodeExpressions(node, [this](const sql::Expression& e) { IndexExpression(e); });
  for (const auto& child : node.children) IndexNode(*child);
}

void Lineage::IndexExpression(const sql::Expression& expr) {
  sql::VisitExpression(expr, [this](const sql::Expression& e) {
    if (e.kind == ExprKind::kSubquery && e.subquery) AddPlan(*e.subquery);
  });
}

const sql::PlanNode* Lineage::Node(int id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : it->second;
}

void Lineage::Reset() { memo_.clear(); }

Trace Lineage::OfBinding(sql::ColumnBinding binding) {
  auto key = std::make_pair(binding.node_id, binding.index);
  auto it = memo_.find(key);
  if (it != memo_.end()) return it->second;
  Trace t;
  const sql::PlanNode* node = Node(binding.node_id);
  if (node != nullptr && binding.index >= 0) {
    size_t i = static_cast<size_t>(binding.index);
    switch (node->kind) {
      case PlanKind::kGet:
        if (node->is_view && node->view_plan && node->view_plan->root) {
          const auto& cols = node->view_plan->root->columns;
          // The view's i-th output is read under the name table_columns[i].
          if (i < node->table_columns.size()) {
            std::string want = sql::ToLowerAscii(node->table_columns[i]);
            for (size_t c = 0; c < node->view_plan->output_count && c < cols.size(); ++c) {
              if (sql::ToLowerAscii(cols[c].name) == want) {
                t = OfBinding(cols[c].binding);
                break;
              }
            }
          }
        } else if (i < node->table_columns.size()) {
          t.origins.insert(Origin{sql::ToLowerAscii(node->table_name),
                                  sql::ToLowerAscii(node->table_columns[i])});
          t.identity = true;
        }
        break;
      case PlanKind::kProject:
        if (i < node->expressions.size()) t = OfExpression(*node->expressions[i]);
        break;
      case PlanKind::kAggregate:
        if (i < node->groups.size()) {
          t = OfExpression(*node->groups[i]);
        } else {
          t.aggregated = true;
        }
        break;
      case PlanKind::kWindow:
        if (i < node->expressions.size()) {
          // A window value is computed over several rows, but it is attached to each
          // individual row: keep the argument origins so their roles are still checked.
          t = OfExpression(*node->expressions[i]);
          t.identity = false;
          t.aggregated = true;
        }
        break;
      case PlanKind::kSetOperation:
        for (const auto& child : node->children) {
          if (i < child->columns.size()) t.Merge(OfBinding(child->columns[i].binding), false);
        }
        break;
      default:
        break;  // Values: literals; pass-through nodes produce no columns.
    }
  }
  memo_[key] = t;
  return t;
}

Trace Lineage::OfExpression(const sql::Expression& expr) {
  Trace t;
  switch (expr.kind) {
    case ExprKind::kColumnRef:
      return OfBinding(expr.binding);
    case ExprKind::kLiteral:
      return t;
    case ExprKind::kCast: {
      // A cast keeps identity: the binder inserts casts for coercion, and a cast does not
      // launder a column's role.
      Trace inner = OfExpression(*expr.children[0]);
      return inner;
    }
    case ExprKind::kAggregate:
      // The arguments are checked where the aggregate is (Aggregate node); the value is a
      // per-group aggregate.
      t.aggregated = true;
      return t;
    case ExprKind::kWindow:
      for (const auto& c : expr.children) t.Merge(OfExpression(*c), false);
      t.aggregated = true;
      t.identity = false;
      return t;
    case ExprKind::kSubquery:
      if (expr.subquery && expr.subquery_kind == sql::SubqueryKind::kScalar &&
          expr.subquery->root && !expr.subquery->root->columns.empty()) {
        t = OfBinding(expr.subquery->root->columns[0].binding);
        t.identity = false;
      }
      for (const auto& c : expr.children) t.Merge(OfExpression(*c), false);
      t.identity = false;
      return t;
    default:
      for (const auto& c : expr.children) t.Merge(OfExpression(*c), false);
      if (expr.filter) t.Merge(OfExpression(*expr.filter), false);
      t.identity = false;
      return t;
  }
}

std::set<std::string> Lineage::RowLevelDatasets(const sql::PlanNode& node) {
  std::set<std::string> out;
  switch (node.kind) {
    case PlanKind::kGet:
      if (node.is_view) {
        if (node.view_plan && node.view_plan->root) return RowLevelDatasets(*node.view_plan->root);
      } else {
        out.insert(sql::ToLowerAscii(node.table_name));
      }
      return out;
    case PlanKind::kAggregate:
    case PlanKind::kValues:
      return out;
    case PlanKind::kJoin:
      if (node.join_type == sql::JoinType::kSemi || node.join_type == sql::JoinType::kAnti) {
        return RowLevelDatasets(*node.children[0]);
      }
      [[fallthrough]];
    default:
      for (const auto& child : node.children) {
        auto sub = RowLevelDatasets(*child);
        out.insert(sub.begin(), sub.end());
      }
      return out;
  }
}

std::set<std::string> Lineage::ReadDatasets(const sql::PlanNode& node) {
  std::set<std::string> out;
  std::function<void(const sql::PlanNode&)> walk = [&](const sql::PlanNode& n) {
    if (n.kind == PlanKind::kGet) {
      if (n.is_view) {
        if (n.view_plan && n.view_plan->root) walk(*n.view_plan->root);
      } else {
        out.insert(sql::ToLowerAscii(n.table_name));
      }
    }
    sql::VisitNodeExpressions(n, [&](const sql::Expression& e) {
      sql::VisitExpression(e, [&](const sql::Expression& s) {
        if (s.kind == ExprKind::kSubquery && s.subquery && s.subquery->root)
          walk(*s.subquery->root);
      });
    });
    for (const auto& c : n.children) walk(*c);
  };
  walk(node);
  return out;
}

}  // namespace cleanroom::privacy
