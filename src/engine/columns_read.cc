#include "engine/columns_read.h"

#include <functional>
#include <unordered_map>

#include "sql/catalog.h"
#include "sql/plan.h"

namespace cleanroom::engine {
namespace {

struct Walk {
  // Get nodes of base tables, by node id.
  std::unordered_map<int, const sql::PlanNode*> gets;
  std::vector<sql::ColumnBinding> used;
  ColumnsRead read;

  void Plan(const sql::LogicalPlan& plan) {
    if (plan.root == nullptr) return;
    // Whatever leaves the plan is read: its root's columns (with hidden sort keys).
    for (const sql::ColumnInfo& c : plan.root->columns) used.push_back(c.binding);
    sql::VisitPlan(*plan.root, [&](const sql::PlanNode& node) { Node(node); });
  }

  void Node(const sql::PlanNode& node) {
    if (node.kind == sql::PlanKind::kGet && !node.is_view) {
      gets[node.id] = &node;
      read[sql::ToLowerAscii(node.table_name)];  // read, even if no column is
    }
    // DISTINCT and set operations compare whole rows of their input.
    if (node.kind == sql::PlanKind::kDistinct || node.kind == sql::PlanKind::kSetOperation) {
      for (const sql::PlanPtr& child : node.children) {
        for (const sql::ColumnInfo& c : child->columns) used.push_back(c.binding);
      }
    }
    sql::VisitNodeExpressions(node, [&](const sql::Expression& root) { Expression(root); });
  }

  void Expression(const sql::Expression& root) {
    sql::VisitExpression(root, [&](const sql::Expression& e) {
      if (e.kind == sql::ExprKind::kColumnRef) used.push_back(e.binding);
      if (e.kind == sql::ExprKind::kSubquery && e.subquery != nullptr) Plan(*e.subquery);
    });
  }

  void Resolve() {
    for (const sql::ColumnBinding& b : used) {
      auto get = gets.find(b.node_id);
      if (get == gets.end() || b.index < 0) continue;
      const sql::PlanNode& node = *get->second;
      if (static_cast<size_t>(b.index) >= node.table_columns.size()) continue;
      read[sql::ToLowerAscii(node.table_name)].insert(
          sql::ToLowerAscii(node.table_columns[static_cast<size_t>(b.index)]));
    }
  }
};

}  // namespace

ColumnsRead ColumnsReadBy(const std::vector<sql::CompiledStatement>& statements) {
  Walk walk;
  for (const sql::CompiledStatement& statement : statements) {
    if (statement.plan != nullptr) walk.Plan(*statement.plan);
  }
  walk.Resolve();
  return walk.read;
}

}  // namespace cleanroom::engine
