#include "sql/planner/binder.h"

#include <algorithm>

#include "sql/catalog.h"
#include "sql/parser/source_error.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

Binder::Binder(std::string_view text, const Catalog& catalog, const CompileOptions& options,
               std::shared_ptr<int> id_counter,
               const std::map<std::string, std::shared_ptr<const LogicalPlan>>* view_plans)
    : text_(text),
      catalog_(catalog),
      options_(options),
      id_counter_(std::move(id_counter)),
      view_plans_(view_plans) {}

Status Binder::Error(SourcePos pos, const std::string& message) const {
  return SqlError(text_, pos, message);
}

PlanPtr Binder::NewNode(PlanKind kind) {
  auto node = std::make_shared<PlanNode>();
  node->kind = kind;
  node->id = (*id_counter_)++;
  return node;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Suggestion(std::string_view name, const std::vector<std::string>& candidates) {
  std::string lower = ToLowerAscii(name);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    size_t d = EditDistance(lower, ToLowerAscii(c));
    size_t limit = std::max<size_t>(2, lower.size() / 2);
    if (d <= limit) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
  if (scored.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < scored.size() && i < 3; ++i) {
    if (i > 0) out += ", ";
    out += scored[i].second;
  }
  return out + "?)";
}

Result<std::shared_ptr<LogicalPlan>> Binder::BindQuery(const ast::QueryNode& query) {
  CR_ASSIGN_OR_RETURN(PlanPtr root, BindQueryNode(query, nullptr));
  auto plan = std::make_shared<LogicalPlan>();
  plan->root = std::move(root);
  plan->output_count = plan->root->columns.size();
  plan->id_counter = id_counter_;
  return plan;
}

namespace {
bool IsUnknownTable(const Status& status) {
  return status.message().find("table or view not found: ") != std::string::npos;
}
}  // namespace

Result<PlanPtr> Binder::BindQueryNode(const ast::QueryNode& node, Scope* outer) {
  size_t saved = ctes_.size();
  for (const auto& cte : node.ctes) {
    // Every CTE is bound once where it is defined, used or not: Spark resolves the tables an
    // unused CTE names (an unknown one is an error) but checks nothing else in it. Each
    // reference binds the CTE again (bind_from.cc).
    if (++cte_depth_ > 64) return Error(cte.pos, "common table expressions nested too deeply");
    Result<PlanPtr> checked = BindQueryNode(*cte.query, outer);
    --cte_depth_;
    if (!checked.ok() && IsUnknownTable(checked.status())) {
      ctes_.resize(saved);
      return checked.status();
    }
    ctes_.push_back(CteInScope{ToLowerAscii(cte.name), &cte, outer});
  }
  Result<PlanPtr> result = node.kind == ast::QueryNode::Kind::kSelect
                               ? BindSelect(node, outer)
                               : BindSetOperation(node, outer);
  ctes_.resize(saved);
  return result;
}

Result<int64_t> Binder::BindLimitValue(const ast::Expr& expr, const char* what) {
  Scope empty;
  ExprContext ctx;
  ctx.scope = &empty;
  ctx.clause = what;
  CR_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(expr, ctx));
  if (e->kind == ExprKind::kCast && e->children[0]->kind == ExprKind::kLiteral) e = e->children[0];
  if (e->kind != ExprKind::kLiteral || !e->type.IsIntegral() || e->is_null) {
    return Error(expr.pos, std::string(what) + " must be a constant integer");
  }
  int64_t value = std::stoll(e->value);
  if (value < 0) return Error(expr.pos, std::string(what) + " must not be negative");
  return value;
}

namespace {

bool AstEquals(const ast::Expr& a, const ast::Expr& b) {
  if (a.kind != b.kind || ToLowerAscii(a.name) != ToLowerAscii(b.name) || a.text != b.text ||
      a.literal_kind != b.literal_kind || a.negated != b.negated || a.distinct != b.distinct ||
      a.star_arg != b.star_arg || a.type_name != b.type_name || a.args.size() != b.args.size() ||
      a.qualifier.size() != b.qualifier.size() || a.subquery || b.subquery || a.over || b.over) {
    return false;
  }
  for (size_t i = 0; i < a.qualifier.size(); ++i) {
    if (ToLowerAscii(a.qualifier[i]) != ToLowerAscii(b.qualifier[i])) return false;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!AstEquals(*a.args[i], *b.args[i])) return false;
  }
  if (!a.else_expr != !b.else_expr || (a.else_expr && !AstEquals(*a.else_expr, *b.else_expr))) {
    return false;
  }
  return !a.case_operand == !b.case_operand &&
         (!a.case_operand || AstEquals(*a.case_operand, *b.case_operand));
}

// The output position of a set operation that an ORDER BY key names through one of the
// branches' select lists (an alias of any branch, or an expression written the same way), as
// SQLite and DuckDB allow; -1 when none does.
int MatchSetOperationBranch(const ast::QueryNode& node, const ast::Expr& key) {
  if (node.kind == ast::QueryNode::Kind::kSetOp) {
    int left = MatchSetOperationBranch(*node.left, key);
    return left >= 0 ? left : MatchSetOperationBranch(*node.right, key);
  }
  const auto& items = node.select.select_list;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].expr->kind == ast::ExprKind::kStar) return -1;
    bool alias_match = key.kind == ast::ExprKind::kColumn && key.qualifier.empty() &&
                       !items[i].alias.empty() &&
                       ToLowerAscii(items[i].alias) == ToLowerAscii(key.name);
    if (alias_match || AstEquals(*items[i].expr, key)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

// ORDER BY / LIMIT of a set operation: keys name output columns (by name or ordinal).
Result<PlanPtr> Binder::ApplyOrderAndLimit(const ast::QueryNode& node, PlanPtr plan) {
  if (!node.order_by.empty()) {
    Scope scope;
    AddToScope(scope, *plan, "");
    auto sort = NewNode(PlanKind::kSort);
    for (const auto& item : node.order_by) {
      ExprPtr key;
      const ast::Expr& e = *item.expr;
      if (e.kind == ast::ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kNumber &&
          e.text.find_first_not_of("0123456789") == std::string::npos) {
        size_t ordinal = e.text.size() > 9 ? 0 : std::stoul(e.text);
        if (ordinal < 1 || ordinal > plan->columns.size()) {
          return Error(e.pos, "ORDER BY position " + e.text + " is not in the select list");
        }
        const ColumnInfo& c = plan->columns[ordinal - 1];
        key = std::make_shared<Expression>();
        key->kind = ExprKind::kColumnRef;
        key->type = c.type;
        key->binding = c.binding;
        key->name = c.name;
      } else {
        ExprContext ctx;
        ctx.scope = &scope;
        ctx.clause = "ORDER BY";
        Result<ExprPtr> bound = BindExpr(e, ctx);
        bool set_operation = node.kind == ast::QueryNode::Kind::kSetOp;
        int position = bound.ok() || !set_operation ? -1 : MatchSetOperationBranch(node, e);
        // DuckDB orders a set operation only by its output columns (by name or position) or by
        // an expression written as in a branch's select list; Spark also computes
        // expressions over the output columns.
        if (set_operation && options_.dialect == Dialect::kDuckdb && bound.ok() &&
            e.kind != ast::ExprKind::kColumn) {
          position = MatchSetOperationBranch(node, e);
          if (position < 0) {
            return Error(e.pos,
                         "could not ORDER BY column: an ORDER BY over a set operation "
                         "names an output column in the duckdb dialect");
          }
        }
        if (position >= 0 && static_cast<size_t>(position) < plan->columns.size()) {
          key = MakeColumnRef(plan->columns[static_cast<size_t>(position)]);
        } else {
          if (!bound.ok()) return bound.status();
          key = *bound;
        }
      }
      bool nulls_first = item.nulls_first >= 0 ? item.nulls_first == 1 : !item.descending;
      sort->sort_keys.push_back(SortKey{key, item.descending, nulls_first});
    }
    sort->columns = plan->columns;
    sort->children.push_back(std::move(plan));
    plan = std::move(sort);
  }
  if (node.limit || node.offset) {
    auto limit = NewNode(PlanKind::kLimit);
    if (node.limit) {
      CR_ASSIGN_OR_RETURN(limit->limit, BindLimitValue(*node.limit, "LIMIT"));
    }
    if (node.offset) {
      CR_ASSIGN_OR_RETURN(limit->offset, BindLimitValue(*node.offset, "OFFSET"));
    }
    limit->columns = plan->columns;
    limit->children.push_back(std::move(plan));
    plan = std::move(limit);
  }
  return plan;
}

Result<PlanPtr> Binder::BindSetOperation(const ast::QueryNode& node, Scope* outer) {
  CR_ASSIGN_OR_RETURN(PlanPtr left, BindQueryNode(*node.left, outer));
  CR_ASSIGN_OR_RETURN(PlanPtr right, BindQueryNode(*node.right, outer));
  if (left->columns.size() != right->columns.size()) {
    return Error(node.pos, "the two sides of a set operation have different numbers of columns (" +
                               std::to_string(left->columns.size()) + " and " +
                               std::to_string(right->columns.size()) + ")");
  }
  std::vector<DataType> types;
  bool cast_left = false, cast_right = false;
  for (size_t i = 0; i < left->columns.size(); ++i) {
    auto common = WiderType(left->columns[i].type, right->columns[i].type, options_.dialect);
    if (!common) {
      return Error(node.pos, "set operation column " + std::to_string(i + 1) + " has types " +
                                 left->columns[i].type.ToString() + " and " +
                                 right->columns[i].type.ToString() + " with no common type");
    }
    if (*common != left->columns[i].type) cast_left = true;
    if (*common != right->columns[i].type) cast_right = true;
    types.push_back(*common);
  }
  // A side whose types differ from the common ones is wrapped in a casting projection.
  auto cast_side = [&](PlanPtr side) {
    auto project = NewNode(PlanKind::kProject);
    for (size_t i = 0; i < side->columns.size(); ++i) {
      const ColumnInfo& c = side->columns[i];
      auto ref = std::make_shared<Expression>();
      ref->kind = ExprKind::kColumnRef;
      ref->type = c.type;
      ref->binding = c.binding;
      ref->name = c.name;
      project->expressions.push_back(CastTo(ref, types[i]));
      project->columns.push_back(
          ColumnInfo{c.name, types[i], ColumnBinding{project->id, static_cast<int>(i)}, "", ""});
    }
    project->children.push_back(std::move(side));
    return project;
  };
  if (cast_left) left = cast_side(std::move(left));
  if (cast_right) right = cast_side(std::move(right));
  auto setop = NewNode(PlanKind::kSetOperation);
  setop->set_op = node.set_op == ast::SetOpKind::kUnion       ? SetOpType::kUnion
                  : node.set_op == ast::SetOpKind::kIntersect ? SetOpType::kIntersect
                                                              : SetOpType::kExcept;
  setop->set_all = node.set_all;
  for (size_t i = 0; i < types.size(); ++i) {
    setop->columns.push_back(ColumnInfo{left->columns[i].name, types[i],
                                        ColumnBinding{setop->id, static_cast<int>(i)}, "", ""});
  }
  setop->children.push_back(std::move(left));
  setop->children.push_back(std::move(right));
  return ApplyOrderAndLimit(node, std::move(setop));
}

}  // namespace cleanroom::sql
