#include "sql/plan.h"

#include "sql/function/function_registry.h"

namespace cleanroom::sql {

const char* OperatorName(OperatorKind op) {
  switch (op) {
    case OperatorKind::kAdd:
      return "+";
    case OperatorKind::kSubtract:
      return "-";
    case OperatorKind::kMultiply:
      return "*";
    case OperatorKind::kDivide:
      return "/";
    case OperatorKind::kIntegerDivide:
      return "div";
    case OperatorKind::kModulo:
      return "%";
    case OperatorKind::kNegate:
      return "-";
    case OperatorKind::kBitAnd:
      return "&";
    case OperatorKind::kBitOr:
      return "|";
    case OperatorKind::kBitXor:
      return "^";
    case OperatorKind::kShiftLeft:
      return "<<";
    case OperatorKind::kShiftRight:
      return ">>";
    case OperatorKind::kBitNot:
      return "~";
    case OperatorKind::kConcat:
      return "||";
    case OperatorKind::kEqual:
      return "=";
    case OperatorKind::kNotEqual:
      return "<>";
    case OperatorKind::kLess:
      return "<";
    case OperatorKind::kLessEqual:
      return "<=";
    case OperatorKind::kGreater:
      return ">";
    case OperatorKind::kGreaterEqual:
      return ">=";
    case OperatorKind::kNullSafeEqual:
      return "<=>";
    case OperatorKind::kDistinctFrom:
      return "IS DISTINCT FROM";
    case OperatorKind::kAnd:
      return "AND";
    case OperatorKind::kOr:
      return "OR";
    case OperatorKind::kNot:
      return "NOT";
    case OperatorKind::kIsNull:
      return "IS NULL";
    case OperatorKind::kIsNotNull:
      return "IS NOT NULL";
    case OperatorKind::kIsTrue:
      return "IS TRUE";
    case OperatorKind::kIsNotTrue:
      return "IS NOT TRUE";
    case OperatorKind::kIsFalse:
      return "IS FALSE";
    case OperatorKind::kIsNotFalse:
      return "IS NOT FALSE";
    case OperatorKind::kLike:
      return "LIKE";
    case OperatorKind::kILike:
      return "ILIKE";
    case OperatorKind::kRLike:
      return "RLIKE";
    case OperatorKind::kInList:
      return "IN";
    case OperatorKind::kBetween:
      return "BETWEEN";
  }
  return "?";
}

const char* PlanKindName(PlanKind kind) {
  switch (kind) {
    case PlanKind::kGet:
      return "Get";
    case PlanKind::kValues:
      return "Values";
    case PlanKind::kFilter:
      return "Filter";
    case PlanKind::kProject:
      return "Project";
    case PlanKind::kAggregate:
      return "Aggregate";
    case PlanKind::kJoin:
      return "Join";
    case PlanKind::kWindow:
      return "Window";
    case PlanKind::kSort:
      return "Sort";
    case PlanKind::kLimit:
      return "Limit";
    case PlanKind::kDistinct:
      return "Distinct";
    case PlanKind::kSetOperation:
      return "SetOperation";
  }
  return "?";
}

namespace {

std::string Join(const std::vector<ExprPtr>& items, const char* separator = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i] ? items[i]->ToString() : "?";
  }
  return out;
}

std::string SortKeysToString(const std::vector<SortKey>& keys) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ", ";
    out += keys[i].expr->ToString() + (keys[i].descending ? " DESC" : " ASC") +
           (keys[i].nulls_first ? " NULLS FIRST" : " NULLS LAST");
  }
  return out;
}

const char* JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner:
      return "INNER";
    case JoinType::kLeft:
      return "LEFT";
    case JoinType::kRight:
      return "RIGHT";
    case JoinType::kFull:
      return "FULL";
    case JoinType::kCross:
      return "CROSS";
    case JoinType::kSemi:
      return "LEFT SEMI";
    case JoinType::kAnti:
      return "LEFT ANTI";
  }
  return "?";
}

void NodeToString(const PlanNode& node, int indent, std::string& out) {
  out.append(static_cast<size_t>(indent) * 2, ' ');
  out += PlanKindName(node.kind);
  out += " #" + std::to_string(node.id);
  switch (node.kind) {
    case PlanKind::kGet:
      out += " " + node.table_name + (node.is_view ? " (view)" : "");
      break;
    case PlanKind::kValues:
      out += " " + std::to_string(node.rows.size()) + " row(s)";
      break;
    case PlanKind::kFilter:
      out += " " + node.condition->ToString();
      break;
    case PlanKind::kProject:
      out += " [" + Join(node.expressions) + "]";
      break;
    case PlanKind::kAggregate:
      out += " groups [" + Join(node.groups) + "] aggregates [" + Join(node.expressions) + "]";
      if (!node.grouping_sets.empty()) {
        out += " sets " + std::to_string(node.grouping_sets.size());
      }
      break;
    case PlanKind::kJoin: {
      out += std::string(" ") + JoinTypeName(node.join_type);
      for (const auto& [l, r] : node.equi_keys) out += " " + l->ToString() + " = " + r->ToString();
      if (node.condition) out += " ON " + node.condition->ToString();
      break;
    }
    case PlanKind::kWindow:
      out += " [" + Join(node.expressions) + "]";
      break;
    case PlanKind::kSort:
      out += " " + SortKeysToString(node.sort_keys);
      break;
    case PlanKind::kLimit:
      out += " " + std::to_string(node.limit) + " offset " + std::to_string(node.offset);
      break;
    case PlanKind::kDistinct:
      break;
    case PlanKind::kSetOperation:
      out += node.set_op == SetOpType::kUnion       ? " UNION"
             : node.set_op == SetOpType::kIntersect ? " INTERSECT"
                                                    : " EXCEPT";
      out += node.set_all ? " ALL" : " DISTINCT";
      break;
  }
  out += " -> (";
  for (size_t i = 0; i < node.columns.size(); ++i) {
    if (i > 0) out += ", ";
    const ColumnInfo& c = node.columns[i];
    out += c.name + ":" + c.type.ToString() + "#" + std::to_string(c.binding.node_id) + "." +
           std::to_string(c.binding.index);
  }
  out += ")\n";
  for (const auto& child : node.children) NodeToString(*child, indent + 1, out);
}

}  // namespace

std::string Expression::ToString() const {
  switch (kind) {
    case ExprKind::kColumnRef:
      return (table.empty() ? std::string() : table + ".") + name + "#" +
             std::to_string(binding.node_id) + "." + std::to_string(binding.index) +
             (depth > 0 ? "^" + std::to_string(depth) : "");
    case ExprKind::kLiteral:
      if (is_null) return "NULL";
      if (type.id == TypeId::kString) return "'" + value + "'";
      return value;
    case ExprKind::kOperator: {
      std::string symbol = std::string(negated ? "NOT " : "") + OperatorName(op);
      if (children.size() == 1) {
        if (op == OperatorKind::kNegate || op == OperatorKind::kNot ||
            op == OperatorKind::kBitNot) {
          return symbol + "(" + children[0]->ToString() + ")";
        }
        return "(" + children[0]->ToString() + " " + symbol + ")";
      }
      if (op == OperatorKind::kInList) {
        std::vector<ExprPtr> items(children.begin() + 1, children.end());
        return "(" + children[0]->ToString() + " " + symbol + " (" + Join(items) + "))";
      }
      if (op == OperatorKind::kBetween) {
        return "(" + children[0]->ToString() + " " + symbol + " " + children[1]->ToString() +
               " AND " + children[2]->ToString() + ")";
      }
      return "(" + Join(children, (" " + symbol + " ").c_str()) + ")";
    }
    case ExprKind::kFunction:
    case ExprKind::kAggregate:
    case ExprKind::kWindow: {
      std::string out = std::string(function ? function->name : "?") + "(" +
                        (distinct ? "DISTINCT " : "") + Join(children) + ")";
      if (filter) out += " FILTER (WHERE " + filter->ToString() + ")";
      if (kind == ExprKind::kWindow) {
        out += " OVER (";
        if (!partition_by.empty()) out += "PARTITION BY " + Join(partition_by);
        if (!order_by.empty()) {
          out += std::string(partition_by.empty() ? "" : " ") + "ORDER BY " +
                 SortKeysToString(order_by);
        }
        if (frame.present) out += frame.rows ? " ROWS frame" : " RANGE frame";
        out += ")";
      }
      return out;
    }
    case ExprKind::kCast:
      return std::string(try_cast ? "TRY_CAST(" : "CAST(") + children[0]->ToString() + " AS " +
             type.ToString() + ")";
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t pairs = (children.size() - (has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        out += " WHEN " + children[2 * i]->ToString() + " THEN " + children[2 * i + 1]->ToString();
      }
      if (has_else) out += " ELSE " + children.back()->ToString();
      return out + " END";
    }
    case ExprKind::kSubquery: {
      std::string body =
          "subquery#" +
          (subquery && subquery->root ? std::to_string(subquery->root->id) : std::string("?"));
      switch (subquery_kind) {
        case SubqueryKind::kScalar:
          return "(" + body + ")";
        case SubqueryKind::kExists:
          return std::string(negated ? "NOT " : "") + "EXISTS(" + body + ")";
        case SubqueryKind::kIn:
          return "(" + children[0]->ToString() + (negated ? " NOT IN (" : " IN (") + body + "))";
      }
    }
    case ExprKind::kLambda: {
      std::vector<ExprPtr> parameters(children.begin() + 1, children.end());
      return "(" + Join(parameters) + ") -> " + children[0]->ToString();
    }
    case ExprKind::kLambdaVariable:
      return value;
  }
  return "?";
}

std::string LogicalPlan::ToString() const {
  std::string out;
  if (root) NodeToString(*root, 0, out);
  // Subquery plans, each once, after the main tree.
  std::function<void(const PlanNode&)> subplans = [&](const PlanNode& node) {
    VisitNodeExpressions(node, [&](const Expression& root_expr) {
      VisitExpression(root_expr, [&](const Expression& e) {
        if (e.kind == ExprKind::kSubquery && e.subquery && e.subquery->root) {
          out += "subquery#" + std::to_string(e.subquery->root->id) + ":\n";
          NodeToString(*e.subquery->root, 1, out);
          VisitPlan(*e.subquery->root, subplans);
        }
      });
    });
  };
  if (root) VisitPlan(*root, subplans);
  return out;
}

const PlanNode* LogicalPlan::FindNode(int id) const {
  const PlanNode* found = nullptr;
  if (root) {
    VisitPlan(*root, [&](const PlanNode& node) {
      if (node.id == id) found = &node;
    });
  }
  return found;
}

void VisitPlan(const PlanNode& node, const std::function<void(const PlanNode&)>& visit) {
  visit(node);
  for (const auto& child : node.children) VisitPlan(*child, visit);
}

void VisitNodeExpressions(const PlanNode& node,
                          const std::function<void(const Expression&)>& visit) {
  if (node.condition) visit(*node.condition);
  for (const auto& e : node.groups) visit(*e);
  for (const auto& e : node.expressions) visit(*e);
  for (const auto& [l, r] : node.equi_keys) {
    visit(*l);
    visit(*r);
  }
  for (const auto& k : node.sort_keys) visit(*k.expr);
  for (const auto& row : node.rows) {
    for (const auto& e : row) visit(*e);
  }
}

void VisitExpression(const Expression& expr, const std::function<void(const Expression&)>& visit) {
  visit(expr);
  for (const auto& c : expr.children) {
    if (c) VisitExpression(*c, visit);
  }
  if (expr.filter) VisitExpression(*expr.filter, visit);
  for (const auto& p : expr.partition_by) VisitExpression(*p, visit);
  for (const auto& k : expr.order_by) VisitExpression(*k.expr, visit);
  if (expr.frame.start_offset) VisitExpression(*expr.frame.start_offset, visit);
  if (expr.frame.end_offset) VisitExpression(*expr.frame.end_offset, visit);
}

namespace {

void CollectOuter(const PlanNode& node, int level, std::vector<ExprPtr>& out);

void CollectOuterInExpr(const ExprPtr& e, int level, std::vector<ExprPtr>& out) {
  if (!e) return;
  if (e->kind == ExprKind::kColumnRef && e->depth == level) out.push_back(e);
  if (e->kind == ExprKind::kSubquery && e->subquery && e->subquery->root) {
    CollectOuter(*e->subquery->root, level + 1, out);
  }
  for (const auto& c : e->children) CollectOuterInExpr(c, level, out);
  CollectOuterInExpr(e->filter, level, out);
  for (const auto& p : e->partition_by) CollectOuterInExpr(p, level, out);
  for (const auto& k : e->order_by) CollectOuterInExpr(k.expr, level, out);
}

void CollectOuter(const PlanNode& node, int level, std::vector<ExprPtr>& out) {
  CollectOuterInExpr(node.condition, level, out);
  for (const auto& e : node.groups) CollectOuterInExpr(e, level, out);
  for (const auto& e : node.expressions) CollectOuterInExpr(e, level, out);
  for (const auto& [l, r] : node.equi_keys) {
    CollectOuterInExpr(l, level, out);
    CollectOuterInExpr(r, level, out);
  }
  for (const auto& k : node.sort_keys) CollectOuterInExpr(k.expr, level, out);
  for (const auto& row : node.rows) {
    for (const auto& e : row) CollectOuterInExpr(e, level, out);
  }
  for (const auto& child : node.children) CollectOuter(*child, level, out);
}

}  // namespace

std::vector<ExprPtr> OuterReferences(const LogicalPlan& subquery) {
  std::vector<ExprPtr> out;
  if (subquery.root) CollectOuter(*subquery.root, 1, out);
  return out;
}

ExprPtr MakeColumnRef(const ColumnInfo& c) {
  auto ref = std::make_shared<Expression>();
  ref->kind = ExprKind::kColumnRef;
  ref->type = c.type;
  ref->binding = c.binding;
  ref->name = c.name;
  ref->table = c.table;
  ref->column = c.column;
  return ref;
}

ExprPtr MakeBoundOperator(OperatorKind op, const DataType& type, std::vector<ExprPtr> children) {
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kOperator;
  e->op = op;
  e->type = type;
  e->children = std::move(children);
  return e;
}

ExprPtr MakeBoundCall(ExprKind kind, const FunctionDef* function, const DataType& type,
                      std::vector<ExprPtr> children, bool distinct) {
  auto e = std::make_shared<Expression>();
  e->kind = kind;
  e->function = function;
  e->type = type;
  e->distinct = distinct;
  e->children = std::move(children);
  return e;
}

PlanPtr CopyPlanTree(const PlanNode& node) {
  auto copy = std::make_shared<PlanNode>(node);
  for (auto& child : copy->children) child = CopyPlanTree(*child);
  return copy;
}

bool ExpressionEquals(const Expression& a, const Expression& b) {
  if (a.kind != b.kind || a.type != b.type) return false;
  auto same_list = [](const std::vector<ExprPtr>& x, const std::vector<ExprPtr>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!x[i] != !y[i]) return false;
      if (x[i] && !ExpressionEquals(*x[i], *y[i])) return false;
    }
    return true;
  };
  switch (a.kind) {
    case ExprKind::kColumnRef:
      return a.binding == b.binding && a.depth == b.depth;
    case ExprKind::kLiteral:
      return a.is_null == b.is_null && a.value == b.value;
    case ExprKind::kOperator:
      return a.op == b.op && a.negated == b.negated && same_list(a.children, b.children);
    case ExprKind::kFunction:
    case ExprKind::kAggregate:
      if (!a.filter != !b.filter || (a.filter && !ExpressionEquals(*a.filter, *b.filter))) {
        return false;
      }
      if (a.order_by.size() != b.order_by.size()) return false;
      for (size_t i = 0; i < a.order_by.size(); ++i) {
        const SortKey& x = a.order_by[i];
        const SortKey& y = b.order_by[i];
        if (x.descending != y.descending || x.nulls_first != y.nulls_first ||
            !ExpressionEquals(*x.expr, *y.expr)) {
          return false;
        }
      }
      return a.function == b.function && a.distinct == b.distinct &&
             a.ignore_nulls == b.ignore_nulls && same_list(a.children, b.children);
    case ExprKind::kWindow:
      return false;  // window calls are never merged
    case ExprKind::kCast:
      return a.try_cast == b.try_cast && same_list(a.children, b.children);
    case ExprKind::kCase:
      return a.has_else == b.has_else && same_list(a.children, b.children);
    case ExprKind::kSubquery:
      return a.subquery == b.subquery;
    case ExprKind::kLambda:
      return same_list(a.children, b.children);
    case ExprKind::kLambdaVariable:
      return a.name == b.name;
  }
  return false;
}

}  // namespace cleanroom::sql
