// Binding of one SELECT block: FROM, WHERE, GROUP BY (and grouping sets), HAVING, window
// functions, the select list, DISTINCT, ORDER BY and LIMIT, in Spark's order of evaluation.
#include <functional>

#include "sql/function/function_registry.h"
#include "sql/planner/binder.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

// True when `type` is a map or nests one.
bool HoldsMap(const DataType& type) {
  if (type.id == TypeId::kMap) return true;
  for (const DataType& child : type.children) {
    if (HoldsMap(child)) return true;
  }
  return false;
}

bool ContainsKind(const Expression& e, ExprKind kind) {
  bool found = false;
  VisitExpression(e, [&](const Expression& x) { found = found || x.kind == kind; });
  return found;
}

bool IsOrdinal(const ast::Expr& e) {
  return e.kind == ast::ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kNumber &&
         e.text.find_first_not_of("0123456789") == std::string::npos;
}

// The name Spark gives an unaliased select item (simplified).
std::string DerivedName(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::kColumn:
      return e.name;
    case ast::ExprKind::kLiteral:
      return e.literal_kind == ast::LiteralKind::kNull ? "NULL" : e.text;
    case ast::ExprKind::kFunction: {
      std::string out = e.name + "(";
      if (e.star_arg) out += e.name == "count" ? "1" : "*";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out += ", ";
        out += DerivedName(*e.args[i]);
      }
      return out + ")";
    }
    case ast::ExprKind::kCast:
      return DerivedName(*e.args[0]);
    default:
      return "expr";
  }
}

// Rebuilds `e` with `replace` applied top-down: when it returns non-null for a node, that
// node is replaced and not descended into.
Result<ExprPtr> Rewrite(const ExprPtr& e,
                        const std::function<Result<ExprPtr>(const ExprPtr&)>& replace) {
  CR_ASSIGN_OR_RETURN(ExprPtr replaced, replace(e));
  if (replaced) return replaced;
  auto copy = std::make_shared<Expression>(*e);
  for (auto& c : copy->children) {
    if (c) {
      CR_ASSIGN_OR_RETURN(c, Rewrite(c, replace));
    }
  }
  if (copy->filter) {
    CR_ASSIGN_OR_RETURN(copy->filter, Rewrite(copy->filter, replace));
  }
  for (auto& p : copy->partition_by) {
    CR_ASSIGN_OR_RETURN(p, Rewrite(p, replace));
  }
  for (auto& k : copy->order_by) {
    CR_ASSIGN_OR_RETURN(k.expr, Rewrite(k.expr, replace));
  }
  return copy;
}

// Applies `fix` to every reference inside a subquery plan to the query `level` levels out.
void RemapOuterReferences(PlanNode& node, int level, const std::function<void(Expression&)>& fix);

void RemapExpression(Expression& e, int level, const std::function<void(Expression&)>& fix) {
  if (e.kind == ExprKind::kColumnRef && e.depth == level) fix(e);
  if (e.kind == ExprKind::kSubquery && e.subquery && e.subquery->root) {
    RemapOuterReferences(*e.subquery->root, level + 1, fix);
  }
  for (auto& c : e.children) {
    if (c) RemapExpression(*c, level, fix);
  }
  if (e.filter) RemapExpression(*e.filter, level, fix);
  for (auto& p : e.partition_by) RemapExpression(*p, level, fix);
  for (auto& k : e.order_by) RemapExpression(*k.expr, level, fix);
}

void RemapOuterReferences(PlanNode& node, int level, const std::function<void(Expression&)>& fix) {
  if (node.condition) RemapExpression(*node.condition, level, fix);
  for (auto& e : node.groups) RemapExpression(*e, level, fix);
  for (auto& e : node.expressions) RemapExpression(*e, level, fix);
  for (auto& [l, r] : node.equi_keys) {
    RemapExpression(*l, level, fix);
    RemapExpression(*r, level, fix);
  }
  for (auto& k : node.sort_keys) RemapExpression(*k.expr, level, fix);
  for (auto& row : node.rows) {
    for (auto& e : row) RemapExpression(*e, level, fix);
  }
  for (auto& child : node.children) RemapOuterReferences(*child, level, fix);
}

}  // namespace

Result<PlanPtr> Binder::BindSelect(const ast::QueryNode& node, Scope* outer) {
  const ast::SelectNode& sel = node.select;
  Scope scope;
  scope.outer = outer;
  PlanPtr plan;
  if (sel.from) {
    CR_ASSIGN_OR_RETURN(plan, BindTableRef(*sel.from, scope));
  } else {
    plan = NewNode(PlanKind::kValues);
    plan->rows.emplace_back();
  }
  if (sel.where) {
    ExprContext ctx;
    ctx.scope = &scope;
    ctx.clause = "WHERE";
    CR_ASSIGN_OR_RETURN(ExprPtr condition, BindBoolean(*sel.where, ctx));
    auto filter = NewNode(PlanKind::kFilter);
    filter->condition = condition;
    filter->columns = plan->columns;
    filter->children.push_back(plan);
    plan = filter;
  }
  if (sel.qualify) return Error(sel.qualify->pos, "QUALIFY is not supported");

  // The select list, with * expanded to the visible catalog columns.
  struct Item {
    ExprPtr expr;
    std::string name;
    SourcePos pos;
  };
  std::vector<Item> items;
  std::vector<std::pair<std::string, ExprPtr>> aliases;
  for (const auto& item : sel.select_list) {
    const ast::Expr& e = *item.expr;
    if (e.kind == ast::ExprKind::kStar) {
      std::string qualifier = e.qualifier.empty() ? "" : ToLowerAscii(e.qualifier.back());
      size_t before = items.size();
      for (const ScopeEntry& entry : scope.entries) {
        if (qualifier.empty() ? entry.hidden_unqualified : entry.qualifier != qualifier) continue;
        items.push_back(Item{MakeColumnRef(entry.column), entry.column.name, e.pos});
      }
      if (items.size() == before) {
        if (!qualifier.empty()) {
          return Error(e.pos, "table " + e.qualifier.back() + " not found in FROM for " +
                                  e.qualifier.back() + ".*");
        }
        if (!sel.from) return Error(e.pos, "SELECT * needs a FROM clause");
      }
      continue;
    }
    ExprContext ctx;
    ctx.scope = &scope;
    ctx.clause = "SELECT";
    ctx.allow_aggregates = true;
    ctx.allow_windows = true;
    ctx.windows = &sel.windows;
    CR_ASSIGN_OR_RETURN(ExprPtr bound, BindExpr(e, ctx));
    std::string name = item.alias.empty() ? DerivedName(e) : item.alias;
    if (!item.alias.empty()) aliases.emplace_back(ToLowerAscii(item.alias), bound);
    items.push_back(Item{bound, name, e.pos});
  }

  // GROUP BY.
  std::vector<ExprPtr> groups;
  auto add_group = [&](ExprPtr g) {
    for (const auto& existing : groups) {
      if (ExpressionEquals(*existing, *g)) return static_cast<int>(&existing - &groups[0]);
    }
    groups.push_back(std::move(g));
    return static_cast<int>(groups.size() - 1);
  };
  std::vector<int> group_index;  // parser's group_by index -> groups index
  if (sel.group_by_all) {
    for (const auto& item : items) {
      if (!ContainsKind(*item.expr, ExprKind::kAggregate) &&
          !ContainsKind(*item.expr, ExprKind::kWindow)) {
        add_group(item.expr);
      }
    }
  }
  for (const auto& g : sel.group_by) {
    ExprPtr bound;
    if (IsOrdinal(*g)) {
      size_t ordinal = g->text.size() > 9 ? 0 : std::stoul(g->text);
      if (ordinal < 1 || ordinal > items.size()) {
        return Error(g->pos, "GROUP BY position " + g->text + " is not in the select list");
      }
      bound = items[ordinal - 1].expr;
      if (ContainsKind(*bound, ExprKind::kAggregate)) {
        return Error(g->pos, "GROUP BY position " + g->text + " refers to an aggregate function");
      }
    } else {
      ExprContext ctx;
      ctx.scope = &scope;
      ctx.clause = "GROUP BY";
      // A select alias may be grouped by when it is the whole key and names no column.
      // (Spark's spark.sql.groupByAliases, on by default).
      if (options_.group_by_aliases && g->kind == ast::ExprKind::kColumn && g->qualifier.empty()) {
        ctx.aliases = &aliases;
      }
      CR_ASSIGN_OR_RETURN(bound, BindExpr(*g, ctx));
      if (ContainsKind(*bound, ExprKind::kAggregate) || ContainsKind(*bound, ExprKind::kWindow)) {
        return Error(g->pos, "GROUP BY cannot contain aggregate or window functions");
      }
      // Spark groups equal maps together whatever their entry order; DuckDB compares maps in
      // order, which would split a group silently. Refused until the keys are normalized.
      if (HoldsMap(bound->type)) {
        return Error(g->pos, "GROUP BY a value holding a map is not supported");
      }
    }
    group_index.push_back(add_group(bound));
  }

  ExprPtr having;
  if (sel.having) {
    ExprContext ctx;
    ctx.scope = &scope;
    ctx.clause = "HAVING";
    ctx.allow_aggregates = true;
    // HAVING reads the aggregate's output first, select aliases included (as Spark resolves it).
    ctx.aliases = &aliases;
    ctx.aliases_first = true;
    CR_ASSIGN_OR_RETURN(having, BindBoolean(*sel.having, ctx));
  }

  // ORDER BY keys: a select item (by ordinal, alias or equal expression) or a hidden key.
  struct Key {
    int item = -1;
    ExprPtr expr;
    bool descending = false;
    bool nulls_first = true;
    SourcePos pos;
  };
  std::vector<Key> keys;
  for (const auto& o : node.order_by) {
    Key key;
    key.descending = o.descending;
    key.nulls_first = o.nulls_first >= 0 ? o.nulls_first == 1 : !o.descending;
    key.pos = o.expr->pos;
    const ast::Expr& e = *o.expr;
    if (IsOrdinal(e)) {
      size_t ordinal = e.text.size() > 9 ? 0 : std::stoul(e.text);
      if (ordinal < 1 || ordinal > items.size()) {
        return Error(e.pos, "ORDER BY position " + e.text + " is not in the select list");
      }
      key.item = static_cast<int>(ordinal - 1);
    } else {
      if (e.kind == ast::ExprKind::kColumn && e.qualifier.empty()) {
        std::string lower = ToLowerAscii(e.name);
        for (size_t i = 0; i < sel.select_list.size() && key.item < 0; ++i) {
          // Aliases of the select list come first (star items do not carry aliases).
          if (!sel.select_list[i].alias.empty() &&
              ToLowerAscii(sel.select_list[i].alias) == lower) {
            for (size_t k = 0; k < items.size(); ++k) {
              if (items[k].name == sel.select_list[i].alias) {
                key.item = static_cast<int>(k);
                break;
              }
            }
          }
        }
      }
      if (key.item < 0) {
        ExprContext ctx;
        ctx.scope = &scope;
        ctx.clause = "ORDER BY";
        ctx.allow_aggregates = true;
        ctx.allow_windows = true;
        ctx.windows = &sel.windows;
        Result<ExprPtr> bound = BindExpr(e, ctx);
        if (!bound.ok() && sel.distinct == false && !items.empty()) {
          return bound.status();
        }
        if (!bound.ok()) return bound.status();
        key.expr = *bound;
        for (size_t i = 0; i < items.size(); ++i) {
          if (ExpressionEquals(*items[i].expr, *key.expr)) {
            key.item = static_cast<int>(i);
            break;
          }
        }
      }
    }
    keys.push_back(std::move(key));
  }

  // Aggregation.
  bool aggregating = !groups.empty() || sel.has_grouping_sets || having != nullptr ||
                     !sel.group_by.empty() || sel.group_by_all;
  for (const auto& item : items)
    aggregating = aggregating || ContainsKind(*item.expr, ExprKind::kAggregate);
  for (const auto& key : keys) {
    if (key.expr) aggregating = aggregating || ContainsKind(*key.expr, ExprKind::kAggregate);
  }
  if (aggregating) {
    auto agg = NewNode(PlanKind::kAggregate);
    agg->groups = groups;
    if (sel.has_grouping_sets) {
      for (const auto& set : sel.grouping_sets) {
        std::vector<int> mapped;
        mapped.reserve(set.size());
        for (int i : set) mapped.push_back(group_index[static_cast<size_t>(i)]);
        agg->grouping_sets.push_back(std::move(mapped));
      }
    }
    for (size_t i = 0; i < groups.size(); ++i) {
      std::string name =
          groups[i]->kind == ExprKind::kColumnRef ? groups[i]->name : "group_" + std::to_string(i);
      agg->columns.push_back(
          ColumnInfo{name, groups[i]->type, ColumnBinding{agg->id, static_cast<int>(i)}, "", ""});
    }
    SourcePos current_pos;
    std::function<Result<ExprPtr>(const ExprPtr&)> replace =
        [&](const ExprPtr& original) -> Result<ExprPtr> {
      ExprPtr e = original;
      // grouping_id() / grouping__id: over every grouping expression, in order.
      if (e->kind == ExprKind::kAggregate && e->children.empty() && e->function != nullptr &&
          std::string_view(e->function->name) == "grouping_id") {
        auto all = std::make_shared<Expression>(*e);
        all->children = groups;
        e = all;
      }
      for (size_t i = 0; i < groups.size(); ++i) {
        if (ExpressionEquals(*e, *groups[i])) return MakeColumnRef(agg->columns[i]);
      }
      if (e->kind == ExprKind::kAggregate) {
        std::string_view fn = e->function != nullptr ? e->function->name : "";
        if ((fn == "grouping" || fn == "grouping_id") && agg->grouping_sets.empty()) {
          return Error(current_pos, "[UNSUPPORTED_GROUPING_EXPRESSION] " + std::string(fn) +
                                        "() needs GROUPING SETS, ROLLUP or CUBE");
        }
        for (size_t j = 0; j < agg->expressions.size(); ++j) {
          if (ExpressionEquals(*e, *agg->expressions[j])) {
            return MakeColumnRef(agg->columns[groups.size() + j]);
          }
        }
        int index = static_cast<int>(agg->columns.size());
        agg->expressions.push_back(e);
        agg->columns.push_back(ColumnInfo{std::string(e->function->name), e->type,
                                          ColumnBinding{agg->id, index}, "", ""});
        return MakeColumnRef(agg->columns.back());
      }
      if (e->kind == ExprKind::kColumnRef && e->depth == 0) {
        return Error(
            current_pos,
            "column " + e->name + " must appear in GROUP BY or be used in an aggregate function");
      }
      if (e->kind == ExprKind::kSubquery && e->subquery && e->subquery->root) {
        // A correlated subquery above the aggregation reads the grouped columns.
        std::string ungrouped;
        RemapOuterReferences(*e->subquery->root, 1, [&](Expression& ref) {
          for (size_t i = 0; i < groups.size(); ++i) {
            if (groups[i]->kind == ExprKind::kColumnRef && groups[i]->depth == 0 &&
                groups[i]->binding == ref.binding) {
              ref.binding = agg->columns[i].binding;
              ref.table.clear();
              ref.column.clear();
              return;
            }
          }
          bool produced_here = false;
          for (const auto& c : agg->columns)
            produced_here = produced_here || c.binding == ref.binding;
          if (!produced_here) ungrouped = ref.name;
        });
        if (!ungrouped.empty()) {
          return Error(current_pos,
                       "column " + ungrouped +
                           " must appear in GROUP BY or be used in an aggregate function");
        }
      }
      return ExprPtr();
    };
    for (auto& item : items) {
      current_pos = item.pos;
      CR_ASSIGN_OR_RETURN(item.expr, Rewrite(item.expr, replace));
    }
    if (having) {
      current_pos = sel.having->pos;
      CR_ASSIGN_OR_RETURN(having, Rewrite(having, replace));
    }
    for (auto& key : keys) {
      if (!key.expr) continue;
      current_pos = key.pos;
      CR_ASSIGN_OR_RETURN(key.expr, Rewrite(key.expr, replace));
    }
    agg->children.push_back(plan);
    plan = agg;
    if (having) {
      auto filter = NewNode(PlanKind::kFilter);
      filter->condition = having;
      filter->columns = plan->columns;
      filter->children.push_back(plan);
      plan = filter;
    }
  }

  // Window functions: computed by one Window node over the (aggregated) rows.
  PlanPtr window;
  std::function<Result<ExprPtr>(const ExprPtr&)> lift = [&](const ExprPtr& e) -> Result<ExprPtr> {
    if (e->kind != ExprKind::kWindow) return ExprPtr();
    if (!window) {
      window = NewNode(PlanKind::kWindow);
      window->columns = plan->columns;
    }
    int index = static_cast<int>(window->expressions.size());
    window->expressions.push_back(e);
    window->columns.push_back(ColumnInfo{std::string(e->function->name), e->type,
                                         ColumnBinding{window->id, index}, "", ""});
    return MakeColumnRef(window->columns.back());
  };
  for (auto& item : items) {
    if (ContainsKind(*item.expr, ExprKind::kWindow)) {
      CR_ASSIGN_OR_RETURN(item.expr, Rewrite(item.expr, lift));
    }
  }
  for (auto& key : keys) {
    if (key.expr && ContainsKind(*key.expr, ExprKind::kWindow)) {
      CR_ASSIGN_OR_RETURN(key.expr, Rewrite(key.expr, lift));
    }
  }
  if (window) {
    window->children.push_back(plan);
    plan = window;
  }

  // The projection: the select list, then hidden ORDER BY keys.
  auto project = NewNode(PlanKind::kProject);
  for (const auto& item : items) {
    int index = static_cast<int>(project->expressions.size());
    project->expressions.push_back(item.expr);
    project->columns.push_back(
        ColumnInfo{item.name, item.expr->type, ColumnBinding{project->id, index}, "", ""});
  }
  size_t visible = items.size();
  for (auto& key : keys) {
    if (key.item >= 0) continue;
    if (sel.distinct) {
      return Error(key.pos,
                   "ORDER BY expressions of a SELECT DISTINCT must appear in the select list");
    }
    key.item = static_cast<int>(project->expressions.size());
    project->expressions.push_back(key.expr);
    project->columns.push_back(
        ColumnInfo{"sort_key", key.expr->type, ColumnBinding{project->id, key.item}, "", ""});
  }
  project->children.push_back(plan);
  plan = project;
  if (sel.distinct) {
    auto distinct = NewNode(PlanKind::kDistinct);
    distinct->columns = plan->columns;
    distinct->children.push_back(plan);
    plan = distinct;
  }
  if (!keys.empty()) {
    auto sort = NewNode(PlanKind::kSort);
    for (const auto& key : keys) {
      sort->sort_keys.push_back(
          SortKey{MakeColumnRef(project->columns[static_cast<size_t>(key.item)]), key.descending,
                  key.nulls_first});
    }
    sort->columns = plan->columns;
    sort->children.push_back(plan);
    plan = sort;
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
    limit->children.push_back(plan);
    plan = limit;
  }
  if (project->columns.size() > visible) {
    auto final_project = NewNode(PlanKind::kProject);
    for (size_t i = 0; i < visible; ++i) {
      final_project->expressions.push_back(MakeColumnRef(project->columns[i]));
      final_project->columns.push_back(
          ColumnInfo{project->columns[i].name, project->columns[i].type,
                     ColumnBinding{final_project->id, static_cast<int>(i)}, "", ""});
    }
    final_project->children.push_back(plan);
    plan = final_project;
  }
  return plan;
}

}  // namespace cleanroom::sql
