// The threshold rewrite: every aggregate over individual rows of a dataset with a
// minGroupUnits floor also counts the distinct privacy units of that dataset per group; the
// groups are materialised into a temp table, the groups below a floor are counted (the
// recipient is told) and dropped before anything above the aggregate sees them.
#include <algorithm>
#include <map>

#include "checker_internal.h"
#include "sql/catalog.h"
#include "sql/emitter/program_statements.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::privacy::internal {
namespace {

using sql::PlanKind;

const sql::ColumnInfo* FindColumn(const std::vector<sql::ColumnInfo>& cols, sql::ColumnBinding b) {
  for (const auto& c : cols) {
    if (c.binding == b) return &c;
  }
  return nullptr;
}

}  // namespace

void FindRowPaths(CheckContext& ctx, sql::PlanNode* node, std::vector<sql::PlanNode*>& stack,
                  std::vector<RowPath>& out) {
  stack.push_back(node);
  switch (node->kind) {
    case PlanKind::kGet:
      if (node->is_view) {
        // The rows of the datasets the view reads row-level reach the aggregate through it.
        if (node->view_plan && node->view_plan->root) {
          for (const std::string& ds : ctx.lineage.RowLevelDatasets(*node->view_plan->root)) {
            out.push_back(RowPath{stack, ds});
          }
        }
      } else {
        out.push_back(RowPath{stack, sql::ToLowerAscii(node->table_name)});
      }
      break;
    case PlanKind::kAggregate:
    case PlanKind::kValues:
      break;
    case PlanKind::kJoin:
      FindRowPaths(ctx, node->children[0].get(), stack, out);
      if (node->join_type != sql::JoinType::kSemi && node->join_type != sql::JoinType::kAnti) {
        FindRowPaths(ctx, node->children[1].get(), stack, out);
      }
      break;
    default:
      for (auto& c : node->children) FindRowPaths(ctx, c.get(), stack, out);
      break;
  }
  stack.pop_back();
}

namespace {

// The distinct privacy units of a group are counted over a 64-bit hash of the unit (DuckDB's
// hash()), not the unit itself: counting distinct integers is several times faster than counting
// distinct strings (hashed emails). A collision can only merge two people into one, so the count
// never exceeds the true one: a group is never kept that the exact count would drop (about one
// chance in 10^7 at a million people that a group at the floor is dropped instead).
std::string EmitUnitHash(const sql::FunctionEmitContext&, const sql::Expression&,
                         const std::vector<std::string>& args) {
  return "hash(" + args[0] + ")";
}
const sql::FunctionDef kUnitHash{"__cr_unit_hash", sql::FunctionKind::kScalar, 1, 1, nullptr,
                                 EmitUnitHash};

sql::ExprPtr UnitHash(const sql::ColumnInfo& unit) {
  return sql::MakeBoundCall(sql::ExprKind::kFunction, &kUnitHash,
                            sql::DataType::Of(sql::TypeId::kBigInt), {sql::MakeColumnRef(unit)});
}

// A lower bound of a group's distinct units that costs a few integer operations per row: each
// unit hash sets one of 64 bits (its low six bits pick which), and the group holds at least as
// many distinct units as it has bits set. A group whose bound reaches the floor (at most 64)
// is certainly kept; the others get the exact count (a second, conditional step), so every
// decision is the exact count's.
std::string EmitUnitBits(const sql::FunctionEmitContext&, const sql::Expression&,
                         const std::vector<std::string>& args) {
  return "CAST(bit_count(bit_or(CAST(1 AS UBIGINT) << CAST((" + args[0] +
         ") & 63 AS UBIGINT))) AS BIGINT)";
}
const sql::FunctionDef kUnitBits{"__cr_unit_bits", sql::FunctionKind::kAggregate, 1, 1, nullptr,
                                 EmitUnitBits};
// The same bound over the loaded tables' precomputed bit (sql::kUnitBitColumn).
std::string EmitUnitBitsOr(const sql::FunctionEmitContext&, const sql::Expression&,
                           const std::vector<std::string>& args) {
  return "CAST(bit_count(bit_or(" + args[0] + ")) AS BIGINT)";
}
const sql::FunctionDef kUnitBitsOr{
    "__cr_unit_bits_or", sql::FunctionKind::kAggregate, 1, 1, nullptr, EmitUnitBitsOr};
std::string EmitRowCount(const sql::FunctionEmitContext&, const sql::Expression&,
                         const std::vector<std::string>&) {
  return "count(*)";
}
const sql::FunctionDef kRowCount{"__cr_rows", sql::FunctionKind::kAggregate, 0, 0, nullptr,
                                 EmitRowCount};
constexpr int64_t kMaxBitsFloor = 63;  // what both forms of the bound can certify

sql::ExprPtr Aggregate(const sql::FunctionDef* function, std::vector<sql::ExprPtr> args,
                       bool distinct) {
  return sql::MakeBoundCall(sql::ExprKind::kAggregate, function,
                            sql::DataType::Of(sql::TypeId::kBigInt), std::move(args), distinct);
}

// Column bindings equal on every row that reaches an aggregate: the keys of inner equi-joins,
// `a = b` conjuncts of filters, and columns passed through projections. Two of them hold the same
// set of non-NULL values over those rows, so one COUNT(DISTINCT) serves both (the join of two
// datasets on their privacy units needs a single unit count, not one per dataset).
class EqualColumns {
 public:
  explicit EqualColumns(const sql::PlanNode& input) { Collect(input); }
  bool Same(sql::ColumnBinding a, sql::ColumnBinding b) { return Find(Key(a)) == Find(Key(b)); }

 private:
  using K = std::pair<int, int>;
  static K Key(sql::ColumnBinding b) { return {b.node_id, b.index}; }
  K Find(K k) {
    auto it = parent_.find(k);
    if (it == parent_.end() || it->second == k) return k;
    return it->second = Find(it->second);
  }
  void Union(sql::ColumnBinding a, sql::ColumnBinding b) { parent_[Find(Key(a))] = Find(Key(b)); }
  static bool IsLocalRef(const sql::ExprPtr& e) {
    return e != nullptr && e->kind == sql::ExprKind::kColumnRef && e->depth == 0;
  }
  void Conjuncts(const sql::ExprPtr& e) {
    if (e == nullptr || e->kind != sql::ExprKind::kOperator) return;
    if (e->op == sql::OperatorKind::kAnd) {
      for (const auto& c : e->children) Conjuncts(c);
    } else if (e->op == sql::OperatorKind::kEqual && e->children.size() == 2 &&
               IsLocalRef(e->children[0]) && IsLocalRef(e->children[1])) {
      Union(e->children[0]->binding, e->children[1]->binding);
    }
  }
  void Collect(const sql::PlanNode& n) {
    switch (n.kind) {
      case PlanKind::kAggregate:
      case PlanKind::kGet:
      case PlanKind::kValues:
      case PlanKind::kSetOperation:
        return;
      case PlanKind::kJoin:
        if (n.join_type == sql::JoinType::kInner) {
          for (const auto& [l, r] : n.equi_keys) {
            if (IsLocalRef(l) && IsLocalRef(r)) Union(l->binding, r->binding);
          }
          Conjuncts(n.condition);
        }
        break;
      case PlanKind::kFilter:
        Conjuncts(n.condition);
        break;
      case PlanKind::kProject:
        for (size_t k = 0; k < n.expressions.size(); ++k) {
          if (IsLocalRef(n.expressions[k])) {
            Union(sql::ColumnBinding{n.id, static_cast<int>(k)}, n.expressions[k]->binding);
          }
        }
        break;
      default:
        break;
    }
    for (const auto& c : n.children) Collect(*c);
  }
  std::map<K, K> parent_;
};

// The output index of an aggregate of `node` that already counts the distinct values of a column
// equal to `unit`, or -1.
int ExistingUnitCount(const sql::PlanNode& node, sql::ColumnBinding unit, EqualColumns& equal) {
  for (size_t k = 0; k < node.expressions.size(); ++k) {
    const sql::Expression& e = *node.expressions[k];
    if (e.kind != sql::ExprKind::kAggregate || e.function == nullptr ||
        e.function->name != std::string("count") || !e.distinct || e.filter != nullptr ||
        e.children.size() != 1) {
      continue;
    }
    // COUNT(DISTINCT column), or the unit count of an earlier threshold (over its hash).
    const sql::Expression* counted = e.children[0].get();
    if (counted->kind == sql::ExprKind::kFunction && counted->function == &kUnitHash) {
      counted = counted->children[0].get();
    }
    if (counted->kind == sql::ExprKind::kColumnRef && counted->depth == 0 &&
        equal.Same(counted->binding, unit)) {
      return static_cast<int>(node.groups.size() + k);
    }
  }
  return -1;
}

}  // namespace

Status CannotThread(const std::string& dataset, const std::string& through) {
  return Status::PermissionDenied("threshold rule: the distinct privacy units of dataset " +
                                  dataset + " cannot be counted per group through " + through +
                                  "; aggregate the dataset's rows directly (no " + through +
                                  " between the table and GROUP BY)");
}

// Makes the privacy unit of the Get at the end of `path` visible at the output of
// path.nodes[i], adding it to projections and pass-through column lists on the way up.
Result<sql::ColumnInfo> Expose(CheckContext& ctx, const sql::Catalog& catalog, const RowPath& path,
                               size_t i, const std::string& unit) {
  sql::PlanNode* n = path.nodes[i];
  if (n->kind == PlanKind::kGet) {
    if (n->is_view) {
      // A view is emitted before this statement: use its column if it exposes the unit.
      if (n->view_plan && n->view_plan->root) {
        auto out = n->view_plan->Output();
        for (size_t c = 0; c < out.size(); ++c) {
          Trace t = ctx.lineage.OfBinding(out[c].binding);
          if (!t.identity || t.origins.size() != 1) continue;
          // The unit of any dataset read row-level by the view is acceptable only if it is the
          // dataset being thresholded.
          const Origin& o = *t.origins.begin();
          const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
          if (p == nullptr || o.dataset != path.dataset || o.column != unit) continue;
          for (size_t k = 0; k < n->table_columns.size(); ++k) {
            if (sql::ToLowerAscii(n->table_columns[k]) == sql::ToLowerAscii(out[c].name)) {
              return n->columns[k];
            }
          }
          n->table_columns.push_back(out[c].name);
          n->columns.push_back(
              sql::ColumnInfo{out[c].name, out[c].type,
                              sql::ColumnBinding{n->id, static_cast<int>(n->columns.size())},
                              n->table_name, out[c].name});
          return n->columns.back();
        }
      }
      return CannotThread(path.dataset, "temp view " + n->table_name +
                                            " that does not keep its privacy unit column");
    }
    for (size_t k = 0; k < n->table_columns.size(); ++k) {
      if (sql::ToLowerAscii(n->table_columns[k]) == unit) return n->columns[k];
    }
    const sql::TableDef* table = catalog.FindTable(n->table_name);
    const sql::Column* column = nullptr;
    if (table != nullptr) {
      for (const auto& c : table->columns) {
        if (sql::ToLowerAscii(c.name) == unit) column = &c;
      }
    }
    if (column == nullptr) {
      return Status::InvalidArgument("policy of dataset " + path.dataset +
                                     ": privacy unit column " + unit +
                                     " is not among its allowed fields");
    }
    n->table_columns.push_back(column->name);
    n->columns.push_back(sql::ColumnInfo{
        column->name, column->type, sql::ColumnBinding{n->id, static_cast<int>(n->columns.size())},
        n->table_name, column->name});
    return n->columns.back();
  }
  CR_ASSIGN_OR_RETURN(sql::ColumnInfo below, Expose(ctx, catalog, path, i + 1, unit));
  switch (n->kind) {
    case PlanKind::kFilter:
    case PlanKind::kSort:
    case PlanKind::kLimit:
    case PlanKind::kJoin:
      if (FindColumn(n->columns, below.binding) == nullptr) n->columns.push_back(below);
      return below;
    case PlanKind::kWindow: {
      if (FindColumn(n->columns, below.binding) == nullptr) {
        // Pass-through columns come before the window's own.
        size_t passed = n->columns.size() - n->expressions.size();
        n->columns.insert(n->columns.begin() + static_cast<long>(passed), below);
      }
      return below;
    }
    case PlanKind::kProject: {
      for (size_t k = 0; k < n->expressions.size(); ++k) {
        const auto& e = *n->expressions[k];
        if (e.kind == sql::ExprKind::kColumnRef && e.binding == below.binding && e.depth == 0) {
          return n->columns[k];
        }
      }
      n->expressions.push_back(sql::MakeColumnRef(below));
      sql::ColumnInfo info{"__cr_unit", below.type,
                           sql::ColumnBinding{n->id, static_cast<int>(n->expressions.size() - 1)},
                           "", ""};
      // Projections list their own columns first, in expression order.
      n->columns.insert(n->columns.begin() + static_cast<long>(n->expressions.size() - 1), info);
      return info;
    }
    case PlanKind::kDistinct:
      return CannotThread(path.dataset, "DISTINCT");
    case PlanKind::kSetOperation:
      return CannotThread(path.dataset, "a set operation");
    default:
      return CannotThread(path.dataset, sql::PlanKindName(n->kind));
  }
}

// The target's SQL of the tree under `root` (a node of `plan`), all its columns output.
Result<std::string> EmitTree(const CheckContext& ctx, const sql::LogicalPlan& plan,
                             const sql::PlanPtr& root) {
  sql::LogicalPlan tree;
  tree.root = root;
  tree.output_count = root->columns.size();
  tree.id_counter = plan.id_counter;
  return ctx.statements->EmitQuery(tree);
}

namespace {

// The SQL of `node`'s groups with only `aggregates` computed (for the conditional steps that
// count exactly where a cheaper count fell short).
Result<std::string> GroupsWith(const CheckContext& ctx, const sql::LogicalPlan& plan,
                               const sql::PlanNode& node,
                               const std::vector<sql::ExprPtr>& aggregates) {
  auto copy = std::make_shared<sql::PlanNode>(node);
  copy->expressions.clear();
  copy->columns.resize(node.groups.size());
  for (size_t i = 0; i < aggregates.size(); ++i) {
    AddAggregate(copy.get(), aggregates[i], "__cr_exact_" + std::to_string(i));
  }
  return EmitTree(ctx, plan, copy);
}

}  // namespace

size_t AddAggregate(sql::PlanNode* node, const sql::ExprPtr& call, const std::string& name) {
  node->expressions.push_back(call);
  size_t index = node->groups.size() + node->expressions.size() - 1;
  node->columns.insert(
      node->columns.begin() + static_cast<long>(index),
      sql::ColumnInfo{name, call->type, sql::ColumnBinding{node->id, static_cast<int>(index)}, "",
                      ""});
  return index;
}

Status RewriteThresholds(CheckContext& ctx, const sql::Catalog& catalog, sql::LogicalPlan& plan,
                         sql::PlanPtr& node) {
  for (auto& child : node->children) {
    CR_RETURN_IF_ERROR(RewriteThresholds(ctx, catalog, plan, child));
  }
  if (node->kind != PlanKind::kAggregate) return Status::OK();
  const size_t original_count = node->expressions.size();

  std::vector<RowPath> paths;
  std::vector<sql::PlanNode*> stack;
  FindRowPaths(ctx, node->children[0].get(), stack, paths);

  struct Threshold {
    size_t column;
    int64_t min;
    std::string rule;
    sql::ExprPtr exact;  // set when `column` is a lower bound: the exact count, for the fix-up
    sql::ColumnBinding unit{};
    std::string dataset;
    sql::ColumnInfo unit_column;
  };
  std::vector<Threshold> thresholds;
  const sql::FunctionDef* count = sql::LookupFunction("count");
  if (count == nullptr) return Status::Internal("count function missing from the registry");
  for (const RowPath& path : paths) {
    const DatasetPolicy* p = ctx.PolicyOf(path.dataset);
    if (p == nullptr) continue;
    EffectiveFloors floors = MergeFloors(*p, ctx.policies->query, path.dataset);
    if (floors.min_group_units <= 0) continue;
    CR_ASSIGN_OR_RETURN(bool indexed, CountsUnitIndex(ctx, *p, *node, path));
    CR_ASSIGN_OR_RETURN(sql::ColumnInfo unit,
                        indexed ? Expose(ctx, *ctx.physical, path, 0, p->unit_index)
                                : Expose(ctx, catalog, path, 0, p->privacy_unit));
    std::string rule =
        "minGroupUnits(" + path.dataset + ")>=" + std::to_string(floors.min_group_units);
    EqualColumns equal(*node->children[0]);  // after Expose, which may add pass-through columns
    int existing = ExistingUnitCount(*node, unit.binding, equal);
    if (existing >= 0) {
      // The query (or an earlier threshold) already counts these units: no second aggregate.
      thresholds.push_back(Threshold{static_cast<size_t>(existing), floors.min_group_units, rule,
                                     nullptr, unit.binding, path.dataset, unit});
      continue;
    }
    // Another threshold's bound over an equal unit column serves this one too.
    const Threshold* shared = nullptr;
    for (const Threshold& t : thresholds) {
      if (t.exact != nullptr && equal.Same(t.unit, unit.binding)) shared = &t;
    }
    if (shared != nullptr) {
      thresholds.push_back(Threshold{shared->column, floors.min_group_units, rule, shared->exact,
                                     unit.binding, path.dataset, unit});
      continue;
    }
    // The unit's hash: precomputed at load when the table has the hidden column (and the path
    // reaches the table itself), else computed here. An index is counted as it is: its values
    // are already one small integer per person.
    sql::ExprPtr hash = indexed ? sql::MakeColumnRef(unit) : UnitHash(unit);
    sql::ExprPtr bit;  // the precomputed bit, when loaded with it
    const sql::PlanNode* get = path.nodes.back();
    if (ctx.physical != nullptr && !get->is_view && !indexed) {
      const sql::TableDef* table = ctx.physical->FindTable(get->table_name);
      bool hidden = false;
      bool hidden_bit = false;
      if (table != nullptr) {
        for (const auto& c : table->columns) {
          hidden = hidden || c.name == kUnitHashColumn;
          hidden_bit = hidden_bit || c.name == sql::kUnitBitColumn;
        }
      }
      if (hidden) {
        CR_ASSIGN_OR_RETURN(sql::ColumnInfo h,
                            Expose(ctx, *ctx.physical, path, 0, kUnitHashColumn));
        hash = sql::MakeColumnRef(h);
      }
      if (hidden && hidden_bit) {
        CR_ASSIGN_OR_RETURN(sql::ColumnInfo b,
                            Expose(ctx, *ctx.physical, path, 0, sql::kUnitBitColumn));
        bit = sql::MakeColumnRef(b);
      }
    }
    if (!get->is_view && !indexed && hash->kind != sql::ExprKind::kColumnRef) {
      ctx.unit_hash_wanted.insert(sql::ToLowerAscii(get->table_name));
    }
    std::string name = "__cr_units_" + path.dataset;
    // The bound saves DuckDB a distinct count per group; on Spark the exact count runs at once
    // (one step fewer, and no update of a cached table).
    if (node->grouping_sets.empty() && floors.min_group_units <= kMaxBitsFloor &&
        ctx.statements->target() == sql::SqlTarget::kDuckDb) {
      sql::ExprPtr bound = bit != nullptr ? Aggregate(&kUnitBitsOr, {bit}, false)
                                          : Aggregate(&kUnitBits, {hash}, false);
      size_t index = AddAggregate(node.get(), bound, name);
      thresholds.push_back(Threshold{index, floors.min_group_units, rule,
                                     Aggregate(count, {hash}, true), unit.binding, path.dataset,
                                     unit});
    } else {
      size_t index = AddAggregate(node.get(), Aggregate(count, {hash}, true), name);
      thresholds.push_back(Threshold{index, floors.min_group_units, rule, nullptr, unit.binding,
                                     path.dataset, unit});
    }
  }
  ctx.lineage.Reset();
  if (thresholds.empty()) return Status::OK();

  // Bounds that may fall short get the exact count where they do (and the group has enough
  // rows to reach the floor at all), from the same aggregate computing only those counts.
  // One entry per bound column (thresholds may share one), fixed up below the highest floor
  // that reads it.
  std::vector<size_t> bounded;
  std::map<size_t, int64_t> highest;
  for (size_t t = 0; t < thresholds.size(); ++t) {
    if (thresholds[t].exact == nullptr) continue;
    auto [it, added] = highest.emplace(thresholds[t].column, thresholds[t].min);
    if (added) {
      bounded.push_back(t);
    } else {
      it->second = std::max(it->second, thresholds[t].min);
    }
  }
  // The units feeding each aggregate over a floored dataset's column (feeding_units.cc).
  std::vector<FloorUnit> floor_units;
  floor_units.reserve(thresholds.size());
  for (const Threshold& t : thresholds)
    floor_units.push_back(FloorUnit{t.dataset, t.unit_column, t.min});
  CR_ASSIGN_OR_RETURN(std::vector<FeedingCheck> feeding,
                      AddFeedingCounts(ctx, *node, original_count, floor_units, &kUnitHash));

  size_t rows_column = 0;
  std::string exact_sql;
  if (!bounded.empty()) {
    std::vector<sql::ExprPtr> exact;
    exact.reserve(bounded.size());
    for (size_t t : bounded) exact.push_back(thresholds[t].exact);
    CR_ASSIGN_OR_RETURN(exact_sql, GroupsWith(ctx, plan, *node, exact));
  }
  if (!bounded.empty() || !feeding.empty()) {
    rows_column = AddAggregate(node.get(), Aggregate(&kRowCount, {}, false), "__cr_rows");
  }

  // Materialise the groups with their unit counts.
  const sql::ProgramStatements& emit = *ctx.statements;
  std::string table = ctx.temp_prefix + "groups_" + std::to_string(++ctx.temp_counter);
  CR_ASSIGN_OR_RETURN(std::string groups_sql, EmitTree(ctx, plan, node));
  std::vector<std::string> names;
  for (size_t i = 0; i < node->columns.size(); ++i) names.push_back("c" + std::to_string(i));
  ctx.steps.push_back(ProgramStep{ProgramStep::Kind::kExecute,
                                  emit.CreateTempTableAs(table, groups_sql, names),
                                  "",
                                  0,
                                  {},
                                  {}});
  const std::vector<std::string> group_names(
      names.begin(), names.begin() + static_cast<long>(node->groups.size()));
  if (!bounded.empty()) {
    std::vector<std::pair<std::string, std::string>> set;
    std::string short_of;
    int64_t least = thresholds[bounded.front()].min;
    for (const Threshold& t : thresholds) {
      if (t.exact != nullptr) least = std::min(least, t.min);
    }
    for (size_t j = 0; j < bounded.size(); ++j) {
      Threshold t = thresholds[bounded[j]];
      t.min = highest[t.column];
      const std::string& column = names[t.column];
      set.emplace_back(column, "CASE WHEN " + emit.UpdatedColumn(table, column) + " < " +
                                   std::to_string(t.min) + " THEN " + emit.SourceValue(j) +
                                   " ELSE " + emit.UpdatedColumn(table, column) + " END");
      short_of += (j > 0 ? " OR " : "") + emit.ColumnCompare(column, "<", t.min);
    }
    sql::UpdateStatement update =
        emit.UpdateGroups({table, names, group_names, bounded.size(), exact_sql, set, ""});
    ProgramStep fix{ProgramStep::Kind::kExecute, update.sql, "", 0, {}, {}};
    if (emit.conditional_steps()) {
      fix.condition = emit.CountRows(
          table, emit.ColumnCompare(names[rows_column], ">=", least) + " AND (" + short_of + ")");
    }
    table = update.table;
    ctx.steps.push_back(std::move(fix));
  }
  // Aggregates whose non-NULL inputs come from fewer units than the floor: their cells become
  // NULL, and the count column -1 marks the group for the recipient's note. The step runs only
  // when some group has a NULL in a checked column.
  for (const FeedingCheck& check : feeding) {
    CR_ASSIGN_OR_RETURN(std::string exact, GroupsWith(ctx, plan, *node, {check.exact}));
    const std::string& fed = names[check.fed_column];
    std::vector<std::pair<std::string, std::string>> set{{fed, "-1"}};
    for (size_t v : check.value_columns) set.emplace_back(names[v], "NULL");
    std::string short_rows = emit.Quote(fed) + " < " + emit.Quote(names[rows_column]);
    sql::UpdateStatement update = emit.UpdateGroups(
        {table, names, group_names, 1, exact, set,
         emit.UpdatedColumn(table, fed) + " < " + emit.UpdatedColumn(table, names[rows_column]) +
             " AND " + emit.SourceValue(0) + " < " + std::to_string(check.min)});
    ProgramStep fix{ProgramStep::Kind::kExecute, update.sql, "", 0, {}, {}};
    if (emit.conditional_steps()) fix.condition = emit.CountRows(table, short_rows);
    table = update.table;
    ctx.steps.push_back(std::move(fix));
  }
  std::vector<std::string> suppressed;
  std::vector<std::string> rules;
  std::string pass;
  for (size_t t = 0; t < thresholds.size(); ++t) {
    std::string cond = emit.AtLeast(names[thresholds[t].column], thresholds[t].min);
    suppressed.push_back("NOT " + cond);
    rules.push_back(thresholds[t].rule);
    pass += (t > 0 ? " AND " : "") + cond;
  }
  if (!feeding.empty()) {
    std::string marked;
    for (const FeedingCheck& check : feeding) {
      marked += (marked.empty() ? "" : " OR ") + emit.Quote(names[check.fed_column]) + " = -1";
    }
    suppressed.push_back(pass + " AND (" + marked + ")");
    rules.push_back("minGroupUnits on an aggregate's non-NULL inputs (cells set to NULL)");
  }
  ctx.steps.push_back(ProgramStep{ProgramStep::Kind::kSuppressionCount,
                                  emit.CountRowsWhere(table, suppressed),
                                  "",
                                  0,
                                  rules,
                                  {}});
  ctx.explain += "threshold: " + table + " keeps groups where";
  for (const auto& t : thresholds) ctx.explain += " " + t.rule;
  if (!bounded.empty()) ctx.explain += " (unit counts: 64-bit bound, exact where it falls short)";
  ctx.explain += "\n";

  // Replace the aggregate by a scan of the kept groups; bindings above stay valid because the
  // scan takes the aggregate's id and column bindings.
  auto get = std::make_shared<sql::PlanNode>();
  get->kind = PlanKind::kGet;
  get->id = node->id;
  get->table_name = table;
  get->table_columns = names;
  get->columns = node->columns;
  auto filter = std::make_shared<sql::PlanNode>();
  filter->kind = PlanKind::kFilter;
  filter->id = plan.NewNodeId();
  filter->columns = get->columns;
  filter->children.push_back(get);
  sql::ExprPtr condition;
  for (const auto& t : thresholds) {
    const sql::DataType boolean = sql::DataType::Of(sql::TypeId::kBoolean);
    sql::ExprPtr cmp = sql::MakeBoundOperator(
        sql::OperatorKind::kGreaterEqual, boolean,
        {sql::MakeColumnRef(get->columns[t.column]),
         sql::MakeLiteral(sql::DataType::Of(sql::TypeId::kBigInt), std::to_string(t.min))});
    condition = condition
                    ? sql::MakeBoundOperator(sql::OperatorKind::kAnd, boolean, {condition, cmp})
                    : cmp;
  }
  filter->condition = condition;
  node = filter;
  return Status::OK();
}

}  // namespace cleanroom::privacy::internal
