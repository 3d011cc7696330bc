// Binding of FROM items: tables, views, CTEs, subqueries, VALUES and joins.
#include <algorithm>

#include "sql/function/function_registry.h"
#include "sql/planner/binder.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

// Collects the bindings an expression reads at depth 0.
void CollectBindings(const Expression& e, std::vector<ColumnBinding>& out) {
  VisitExpression(e, [&](const Expression& x) {
    if (x.kind == ExprKind::kColumnRef && x.depth == 0) out.push_back(x.binding);
  });
}

bool AllIn(const std::vector<ColumnBinding>& used, const std::vector<ColumnInfo>& columns) {
  for (const auto& b : used) {
    bool found = std::any_of(columns.begin(), columns.end(),
                             [&](const ColumnInfo& c) { return c.binding == b; });
    if (!found) return false;
  }
  return true;
}

void SplitConjuncts(const ExprPtr& e, std::vector<ExprPtr>& out) {
  if (e->kind == ExprKind::kOperator && e->op == OperatorKind::kAnd) {
    SplitConjuncts(e->children[0], out);
    SplitConjuncts(e->children[1], out);
  } else {
    out.push_back(e);
  }
}

}  // namespace

void Binder::AddToScope(Scope& scope, const PlanNode& node, const std::string& alias) {
  std::string qualifier = ToLowerAscii(alias);
  for (const ColumnInfo& c : node.columns) {
    scope.entries.push_back(ScopeEntry{qualifier, ToLowerAscii(c.name), c, false});
  }
}

Result<PlanPtr> Binder::BindTableRef(const ast::TableRef& ref, Scope& scope) {
  switch (ref.kind) {
    case ast::TableRefKind::kBase:
      return BindBaseTable(ref, scope);
    case ast::TableRefKind::kJoin:
      return BindJoin(ref, scope);
    case ast::TableRefKind::kValues:
      return BindValues(ref, scope, ref.alias);
    case ast::TableRefKind::kSubquery: {
      CR_ASSIGN_OR_RETURN(PlanPtr plan, BindQueryNode(*ref.subquery, scope.outer));
      size_t first = scope.entries.size();
      AddToScope(scope, *plan, ref.alias);
      if (!ref.column_aliases.empty()) {
        if (ref.column_aliases.size() > plan->columns.size()) {
          return Error(ref.pos, "too many column aliases for the subquery");
        }
        for (size_t i = 0; i < ref.column_aliases.size(); ++i) {
          scope.entries[first + i].lower_name = ToLowerAscii(ref.column_aliases[i]);
          scope.entries[first + i].column.name = ref.column_aliases[i];
        }
      }
      return plan;
    }
  }
  return Status::Internal("unknown FROM item");
}

Result<PlanPtr> Binder::BindBaseTable(const ast::TableRef& ref, Scope& scope) {
  const std::string& name = ref.name.back();
  std::string lower = ToLowerAscii(name);
  std::string alias = ref.alias.empty() ? name : ref.alias;
  // A CTE in scope shadows a table of the same name.
  if (!ref.is_file && ref.name.size() == 1) {
    for (size_t i = ctes_.size(); i-- > 0;) {
      if (ctes_[i].name != lower) continue;
      const ast::CommonTableExpr* cte = ctes_[i].cte;
      Scope* cte_outer = ctes_[i].outer;
      if (++cte_depth_ > 64) return Error(ref.pos, "common table expressions nested too deeply");
      // The CTE sees only the CTEs defined before it; it is bound afresh at every reference
      // so that each use has its own node ids (a self-join of a CTE stays unambiguous).
      std::vector<CteInScope> saved = ctes_;
      ctes_.resize(i);
      Result<PlanPtr> bound = BindQueryNode(*cte->query, cte_outer);
      ctes_ = std::move(saved);
      --cte_depth_;
      if (!bound.ok()) return bound.status();
      PlanPtr plan = std::move(bound).value();
      size_t first = scope.entries.size();
      AddToScope(scope, *plan, alias);
      const auto& aliases = ref.column_aliases.empty() ? cte->column_aliases : ref.column_aliases;
      if (aliases.size() > plan->columns.size()) {
        return Error(ref.pos, "too many column aliases for " + name);
      }
      for (size_t k = 0; k < aliases.size(); ++k) {
        scope.entries[first + k].lower_name = ToLowerAscii(aliases[k]);
        scope.entries[first + k].column.name = aliases[k];
      }
      return plan;
    }
  }
  TableDef file_table;
  const TableDef* table = nullptr;
  if (ref.is_file) {
    if (!options_.resolve_file) return Error(ref.pos, "reading files inline is not allowed here");
    Result<TableDef> resolved = options_.resolve_file(name);
    if (!resolved.ok()) return Error(ref.pos, resolved.status().message());
    file_table = std::move(resolved).value();
    table = &file_table;
    if (ref.alias.empty()) alias = file_table.name;
  } else {
    table = catalog_.FindTable(name);
  }
  if (table == nullptr) {
    std::vector<std::string> candidates = catalog_.TableNames();
    for (const auto& in_scope : ctes_) candidates.push_back(in_scope.cte->name);
    return Error(ref.pos, "table or view not found: " + name + Suggestion(name, candidates));
  }
  auto get = NewNode(PlanKind::kGet);
  get->table_name = table->name;
  get->is_view = table->is_view;
  if (table->is_view && view_plans_ != nullptr) {
    auto it = view_plans_->find(ToLowerAscii(table->name));
    if (it != view_plans_->end()) get->view_plan = it->second;
  }
  for (size_t i = 0; i < table->columns.size(); ++i) {
    const Column& c = table->columns[i];
    get->table_columns.push_back(c.name);
    get->columns.push_back(ColumnInfo{c.name, c.type, ColumnBinding{get->id, static_cast<int>(i)},
                                      table->name, c.name});
  }
  tables_read_.insert(ToLowerAscii(table->name));
  size_t first = scope.entries.size();
  AddToScope(scope, *get, alias);
  if (ref.column_aliases.size() > get->columns.size()) {
    return Error(ref.pos, "too many column aliases for " + name);
  }
  for (size_t k = 0; k < ref.column_aliases.size(); ++k) {
    scope.entries[first + k].lower_name = ToLowerAscii(ref.column_aliases[k]);
    scope.entries[first + k].column.name = ref.column_aliases[k];
  }
  return get;
}

Result<PlanPtr> Binder::BindValues(const ast::TableRef& ref, Scope& scope,
                                   const std::string& alias) {
  auto values = NewNode(PlanKind::kValues);
  Scope empty;
  // Spark evaluates an inline table once, before the query: it cannot read an outer query's
  // columns (INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE).
  empty.outer = options_.dialect == Dialect::kSpark ? nullptr : scope.outer;
  size_t width = ref.values_rows.empty() ? 0 : ref.values_rows[0].size();
  std::vector<std::vector<ExprPtr>> rows;
  for (const auto& row : ref.values_rows) {
    if (row.size() != width) return Error(ref.pos, "VALUES rows have different numbers of columns");
    std::vector<ExprPtr> bound;
    for (const auto& e : row) {
      ExprContext ctx;
      ctx.scope = &empty;
      ctx.clause = "VALUES";
      CR_ASSIGN_OR_RETURN(ExprPtr b, BindExpr(*e, ctx));
      bound.push_back(std::move(b));
    }
    rows.push_back(std::move(bound));
  }
  for (size_t col = 0; col < width; ++col) {
    std::vector<ExprPtr> column;
    column.reserve(rows.size());
    for (auto& row : rows) column.push_back(row[col]);
    CR_ASSIGN_OR_RETURN(column, Unify(std::move(column), ref.pos, "VALUES"));
    for (size_t r = 0; r < rows.size(); ++r) rows[r][col] = column[r];
    std::string name =
        col < ref.column_aliases.size() ? ref.column_aliases[col] : "col" + std::to_string(col + 1);
    DataType type = rows.empty() ? DataType::Of(TypeId::kNull) : rows[0][col]->type;
    if (type.id == TypeId::kNull) type = DataType::Of(TypeId::kInt);
    values->columns.push_back(
        ColumnInfo{name, type, ColumnBinding{values->id, static_cast<int>(col)}, "", ""});
  }
  for (auto& row : rows) {
    for (size_t col = 0; col < width; ++col) row[col] = CastTo(row[col], values->columns[col].type);
  }
  values->rows = std::move(rows);
  AddToScope(scope, *values, alias);
  return values;
}

Result<PlanPtr> Binder::BindJoin(const ast::TableRef& ref, Scope& scope) {
  size_t left_first = scope.entries.size();
  CR_ASSIGN_OR_RETURN(PlanPtr left, BindTableRef(*ref.left, scope));
  size_t right_first = scope.entries.size();
  CR_ASSIGN_OR_RETURN(PlanPtr right, BindTableRef(*ref.right, scope));
  size_t right_end = scope.entries.size();
  auto join = NewNode(PlanKind::kJoin);
  switch (ref.join_type) {
    case ast::JoinType::kInner:
      join->join_type = JoinType::kInner;
      break;
    case ast::JoinType::kLeft:
      join->join_type = JoinType::kLeft;
      break;
    case ast::JoinType::kRight:
      join->join_type = JoinType::kRight;
      break;
    case ast::JoinType::kFull:
      join->join_type = JoinType::kFull;
      break;
    case ast::JoinType::kCross:
      join->join_type = JoinType::kCross;
      break;
    case ast::JoinType::kSemi:
      join->join_type = JoinType::kSemi;
      break;
    case ast::JoinType::kAnti:
      join->join_type = JoinType::kAnti;
      break;
  }
  std::vector<ExprPtr> conjuncts;
  std::vector<std::pair<size_t, size_t>> using_pairs;  // scope entry indices (left, right)
  std::vector<std::string> using_columns = ref.using_columns;
  std::vector<SourcePos> using_pos = ref.using_pos;
  if (ref.natural) {
    for (size_t r = right_first; r < right_end; ++r) {
      for (size_t l = left_first; l < right_first; ++l) {
        if (!scope.entries[l].hidden_unqualified &&
            scope.entries[l].lower_name == scope.entries[r].lower_name) {
          using_columns.push_back(scope.entries[r].column.name);
          using_pos.push_back(ref.pos);
          break;
        }
      }
    }
  }
  for (size_t k = 0; k < using_columns.size(); ++k) {
    std::string lower = ToLowerAscii(using_columns[k]);
    auto find = [&](size_t from, size_t to, const char* side) -> Result<size_t> {
      size_t found = to;
      for (size_t i = from; i < to; ++i) {
        if (scope.entries[i].hidden_unqualified || scope.entries[i].lower_name != lower) continue;
        if (found != to) {
          return Error(using_pos[k], "USING column " + using_columns[k] + " is ambiguous on the " +
                                         side + " side");
        }
        found = i;
      }
      if (found == to) {
        return Error(using_pos[k], "USING column " + using_columns[k] + " not found on the " +
                                       side + " side of the join");
      }
      return found;
    };
    CR_ASSIGN_OR_RETURN(size_t l, find(left_first, right_first, "left"));
    CR_ASSIGN_OR_RETURN(size_t r, find(right_first, right_end, "right"));
    CR_ASSIGN_OR_RETURN(ExprPtr eq,
                        BindComparison(OperatorKind::kEqual, MakeColumnRef(scope.entries[l].column),
                                       MakeColumnRef(scope.entries[r].column), using_pos[k]));
    conjuncts.push_back(eq);
    using_pairs.emplace_back(l, r);
  }
  if (ref.on) {
    ExprContext ctx;
    ctx.scope = &scope;
    ctx.clause = "ON";
    CR_ASSIGN_OR_RETURN(ExprPtr on, BindBoolean(*ref.on, ctx));
    SplitConjuncts(on, conjuncts);
  }
  // Equality conjuncts with one side on each input become the join's keys.
  ExprPtr residual;
  for (auto& c : conjuncts) {
    if (c->kind == ExprKind::kOperator && c->op == OperatorKind::kEqual &&
        join->join_type != JoinType::kCross) {
      std::vector<ColumnBinding> a, b;
      CollectBindings(*c->children[0], a);
      CollectBindings(*c->children[1], b);
      if (!a.empty() && !b.empty()) {
        if (AllIn(a, left->columns) && AllIn(b, right->columns)) {
          join->equi_keys.emplace_back(c->children[0], c->children[1]);
          continue;
        }
        if (AllIn(b, left->columns) && AllIn(a, right->columns)) {
          join->equi_keys.emplace_back(c->children[1], c->children[0]);
          continue;
        }
      }
    }
    if (!residual) {
      residual = c;
    } else {
      auto both = std::make_shared<Expression>();
      both->kind = ExprKind::kOperator;
      both->op = OperatorKind::kAnd;
      both->type = DataType::Of(TypeId::kBoolean);
      both->children = {residual, c};
      residual = both;
    }
  }
  if (join->join_type == JoinType::kCross && (!join->equi_keys.empty() || residual)) {
    join->join_type = JoinType::kInner;
  }
  join->condition = residual;
  join->columns = left->columns;
  if (join->join_type != JoinType::kSemi && join->join_type != JoinType::kAnti) {
    join->columns.insert(join->columns.end(), right->columns.begin(), right->columns.end());
  } else {
    scope.entries.resize(right_first);  // the right side is not visible after a semi/anti join
  }
  join->children.push_back(std::move(left));
  join->children.push_back(std::move(right));
  if (using_pairs.empty()) return PlanPtr(join);
  // USING: one copy of each key stays visible by its bare name. FULL joins coalesce the two.
  if (join->join_type != JoinType::kFull) {
    std::vector<size_t> keys;  // the visible copy of each key, in USING order
    for (auto [l, r] : using_pairs) {
      if (join->join_type == JoinType::kRight) {
        scope.entries[l].hidden_unqualified = true;
        keys.push_back(r);
      } else if (r < scope.entries.size()) {
        scope.entries[r].hidden_unqualified = true;
        keys.push_back(l);
      } else {
        keys.push_back(l);
      }
    }
    // Spark's column order (for `*`): the keys first, then the left's other columns, then the
    // right's.
    std::vector<ScopeEntry> ordered(scope.entries.begin(),
                                    scope.entries.begin() + static_cast<long>(left_first));
    for (size_t k : keys) ordered.push_back(scope.entries[k]);
    for (size_t i = left_first; i < scope.entries.size(); ++i) {
      if (std::find(keys.begin(), keys.end(), i) == keys.end()) ordered.push_back(scope.entries[i]);
    }
    scope.entries = std::move(ordered);
    return PlanPtr(join);
  }
  auto project = NewNode(PlanKind::kProject);
  const FunctionDef* coalesce = LookupFunction("coalesce");
  std::vector<ScopeEntry> merged;
  for (auto [l, r] : using_pairs) {
    auto call = std::make_shared<Expression>();
    call->kind = ExprKind::kFunction;
    call->function = coalesce;
    std::vector<ExprPtr> args = {MakeColumnRef(scope.entries[l].column),
                                 MakeColumnRef(scope.entries[r].column)};
    CR_ASSIGN_OR_RETURN(args, Unify(std::move(args), ref.pos, "USING"));
    call->type = args[0]->type;
    call->children = std::move(args);
    int index = static_cast<int>(project->expressions.size());
    ColumnInfo info{scope.entries[l].column.name, call->type, ColumnBinding{project->id, index}, "",
                    ""};
    project->expressions.push_back(call);
    project->columns.push_back(info);
    merged.push_back(ScopeEntry{"", scope.entries[l].lower_name, info, false});
    scope.entries[l].hidden_unqualified = true;
    scope.entries[r].hidden_unqualified = true;
  }
  for (const ColumnInfo& c : join->columns) {
    project->expressions.push_back(MakeColumnRef(c));
    ColumnInfo info = c;
    info.binding = ColumnBinding{project->id, static_cast<int>(project->columns.size())};
    info.table.clear();
    info.column.clear();
    project->columns.push_back(info);
  }
  // Scope entries of the join's inputs now read the projection's pass-through columns.
  for (size_t i = left_first; i < scope.entries.size(); ++i) {
    for (size_t k = using_pairs.size(); k < project->columns.size(); ++k) {
      if (join->columns[k - using_pairs.size()].binding == scope.entries[i].column.binding) {
        std::string name = scope.entries[i].column.name;
        scope.entries[i].column = project->columns[k];
        scope.entries[i].column.name = name;
        break;
      }
    }
  }
  scope.entries.insert(scope.entries.begin() + static_cast<long>(left_first), merged.begin(),
                       merged.end());
  project->children.push_back(join);
  return PlanPtr(project);
}

}  // namespace cleanroom::sql
