// Binding of function calls: scalar, aggregate and window functions.
#include "sql/catalog.h"
#include "sql/function/function_registry.h"
#include "sql/planner/binder.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

// The unit of dateadd / datediff / timestampadd / timestampdiff written as a bare word.
bool IsTimeUnit(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::kColumn || !e.qualifier.empty() || e.quoted) return false;
  static const char* const kUnits[] = {"microsecond", "millisecond", "second",    "minute",
                                       "hour",        "day",         "dayofyear", "week",
                                       "month",       "quarter",     "year"};
  std::string lower = ToLowerAscii(e.name);
  for (const char* unit : kUnits) {
    if (lower == unit) return true;
  }
  return false;
}

OperatorKind TryOperator(std::string_view name) {
  if (name == "try_add") return OperatorKind::kAdd;
  if (name == "try_subtract") return OperatorKind::kSubtract;
  if (name == "try_multiply") return OperatorKind::kMultiply;
  if (name == "try_divide") return OperatorKind::kDivide;
  return OperatorKind::kModulo;
}

}  // namespace

Result<ExprPtr> Binder::BindFunction(const ast::Expr& expr, ExprContext& ctx) {
  const FunctionDef* function = LookupFunction(expr.name);
  // try_add(a, b), ...: the operator with Spark's typing, NULL where it would fail.
  if (function != nullptr && function->kind == FunctionKind::kScalar && !expr.over &&
      expr.args.size() == 2 && std::string_view(function->name).starts_with("try_") &&
      (std::string_view(function->name) == "try_add" ||
       std::string_view(function->name) == "try_subtract" ||
       std::string_view(function->name) == "try_multiply" ||
       std::string_view(function->name) == "try_divide" ||
       std::string_view(function->name) == "try_mod")) {
    CR_ASSIGN_OR_RETURN(ExprPtr left, BindExpr(*expr.args[0], ctx));
    CR_ASSIGN_OR_RETURN(ExprPtr right, BindExpr(*expr.args[1], ctx));
    if (std::string_view(function->name) == "try_divide" && left->type.IsIntegral() &&
        right->type.IsIntegral()) {
      left = CastTo(left, DataType::Of(TypeId::kDouble));
    }
    CR_ASSIGN_OR_RETURN(ExprPtr operation,
                        BindArithmetic(TryOperator(function->name), left, right, expr.pos));
    auto e = std::make_shared<Expression>();
    e->kind = ExprKind::kFunction;
    e->function = function;
    e->type = operation->type;
    e->children = {operation};
    return e;
  }
  // dateadd(UNIT, n, ts) / datediff(UNIT, a, b): Spark's timestampadd / timestampdiff.
  if (expr.args.size() == 3 && !expr.over && IsTimeUnit(*expr.args[0]) &&
      (expr.name == "dateadd" || expr.name == "date_add" || expr.name == "timestampadd" ||
       expr.name == "datediff" || expr.name == "date_diff" || expr.name == "timestampdiff")) {
    bool add = expr.name == "dateadd" || expr.name == "date_add" || expr.name == "timestampadd";
    function = LookupFunction(add ? "timestampadd" : "timestampdiff");
    std::vector<ExprPtr> args = {
        MakeLiteral(DataType::Of(TypeId::kString), ToLowerAscii(expr.args[0]->name))};
    for (size_t i = 1; i < 3; ++i) {
      CR_ASSIGN_OR_RETURN(ExprPtr a, BindExpr(*expr.args[i], ctx));
      args.push_back(std::move(a));
    }
    FunctionBindContext bind_ctx{options_.dialect, options_.session_time_zone};
    Result<DataType> type = function->bind(bind_ctx, args);
    if (!type.ok()) return Error(expr.pos, expr.name + ": " + type.status().message());
    auto e = std::make_shared<Expression>();
    e->kind = ExprKind::kFunction;
    e->function = function;
    e->type = *type;
    e->children = std::move(args);
    return e;
  }
  if (options_.dialect == Dialect::kSqlite && expr.args.size() >= 2 && !expr.over &&
      (expr.name == "min" || expr.name == "max")) {
    // SQLite's min(a, b, ...) and max(a, b, ...) are scalar functions.
    function = LookupFunction(expr.name == "min" ? "least" : "greatest");
  }
  if (function == nullptr) {
    return Error(expr.pos,
                 "function not found: " + expr.name + Suggestion(expr.name, FunctionNames()));
  }
  bool is_aggregate = function->kind == FunctionKind::kAggregate;
  if (function->kind == FunctionKind::kWindow && !expr.over) {
    return Error(expr.pos, "window function " + expr.name + " needs an OVER clause");
  }
  if (function->kind == FunctionKind::kScalar && expr.over) {
    return Error(expr.pos, expr.name + " is not an aggregate or window function");
  }
  if (expr.distinct && !is_aggregate) {
    return Error(expr.pos, "DISTINCT is only allowed in aggregate functions");
  }
  if (expr.distinct && options_.dialect == Dialect::kSqlite && expr.args.size() > 1) {
    return Error(expr.pos, "DISTINCT aggregates must have exactly one argument (SQLite)");
  }
  if (expr.star_arg && function->name != std::string_view("count")) {
    return Error(expr.pos, expr.name + "(*) is not allowed; only count(*)");
  }
  if (is_aggregate && !expr.over) {
    if (ctx.in_aggregate) {
      return Error(expr.pos,
                   "aggregate function " + expr.name + " cannot be nested in another aggregate");
    }
    if (!ctx.allow_aggregates) {
      return Error(expr.pos,
                   "aggregate function " + expr.name + " is not allowed in " + ctx.clause);
    }
  }
  if (expr.over && !ctx.allow_windows) {
    return Error(expr.pos, "window function " + expr.name + " is not allowed in " + ctx.clause);
  }
  ExprContext arg_ctx = ctx;
  if (is_aggregate && !expr.over) {
    arg_ctx.in_aggregate = true;
    arg_ctx.allow_windows = false;
  }
  if (expr.over) arg_ctx.allow_windows = false;
  std::vector<ExprPtr> args;
  for (const auto& a : expr.args) {
    if (a->kind == ast::ExprKind::kStar) {
      return Error(a->pos, "'*' is only allowed in count(*)");
    }
    if (a->kind == ast::ExprKind::kLambda) {
      CR_ASSIGN_OR_RETURN(ExprPtr lambda, BindLambda(*a, arg_ctx, *function, args.size(), args));
      args.push_back(std::move(lambda));
      continue;
    }
    CR_ASSIGN_OR_RETURN(ExprPtr bound, BindExpr(*a, arg_ctx));
    args.push_back(std::move(bound));
  }
  // f(x ORDER BY y): DuckDB's ordered aggregates (duckdb dialect only). Spark has no such
  // call; its WITHIN GROUP (ORDER BY ...) belongs to the functions that take it.
  std::vector<SortKey> order_keys;
  bool takes_within_group = std::string_view(function->name) == "percentile_cont" ||
                            std::string_view(function->name) == "percentile_disc";
  if (takes_within_group && !expr.within_group) {
    return Error(expr.pos, expr.name + " needs WITHIN GROUP (ORDER BY value)");
  }
  if (expr.within_group) {
    // percentile_cont(p) WITHIN GROUP (ORDER BY x [DESC]): x becomes the first argument; the
    // key stays in order_by for its direction.
    if (!takes_within_group) {
      return Error(expr.order_pos, "WITHIN GROUP is not supported for " + expr.name);
    }
    if (expr.order_by.size() != 1) {
      return Error(expr.order_pos, "WITHIN GROUP takes exactly one ORDER BY key");
    }
    if (expr.over && options_.dialect != Dialect::kSpark) {
      return Error(expr.order_pos, "WITHIN GROUP with OVER is not supported");
    }
    if (expr.distinct) {
      // Spark's INVALID_INVERSE_DISTRIBUTION_FUNCTION.DISTINCT_UNSUPPORTED.
      return Error(expr.pos, expr.name + " does not take DISTINCT");
    }
    const ast::OrderItem& o = expr.order_by[0];
    CR_ASSIGN_OR_RETURN(ExprPtr key, BindExpr(*o.expr, arg_ctx));
    args.insert(args.begin(), key);
    order_keys.push_back(
        SortKey{key, o.descending, o.nulls_first >= 0 ? o.nulls_first == 1 : !o.descending});
  } else if (!expr.order_by.empty()) {
    if (options_.dialect != Dialect::kDuckdb) {
      return Error(expr.order_pos, "ORDER BY inside a function call is not supported");
    }
    if (!is_aggregate || expr.over) {
      return Error(expr.order_pos, "ORDER BY inside a call is only allowed in an aggregate");
    }
    for (const auto& o : expr.order_by) {
      CR_ASSIGN_OR_RETURN(ExprPtr key, BindExpr(*o.expr, arg_ctx));
      bool nulls_first = o.nulls_first >= 0 ? o.nulls_first == 1 : !o.descending;
      order_keys.push_back(SortKey{std::move(key), o.descending, nulls_first});
    }
  }
  int n = static_cast<int>(args.size());
  if (n < function->min_args || (function->max_args >= 0 && n > function->max_args)) {
    std::string expected =
        function->min_args == function->max_args ? std::to_string(function->min_args)
        : function->max_args < 0
            ? "at least " + std::to_string(function->min_args)
            : std::to_string(function->min_args) + " to " + std::to_string(function->max_args);
    if (!(expr.star_arg && n == 0)) {
      return Error(expr.pos, "function " + expr.name + " takes " + expected + " argument(s), not " +
                                 std::to_string(n));
    }
  }
  FunctionBindContext bind_ctx{options_.dialect, options_.session_time_zone};
  Result<DataType> type = function->bind(bind_ctx, args);
  if (!type.ok()) return Error(expr.pos, expr.name + ": " + type.status().message());
  auto e = std::make_shared<Expression>();
  e->kind = is_aggregate ? ExprKind::kAggregate : ExprKind::kFunction;
  e->function = function;
  e->type = *type;
  e->distinct = expr.distinct;
  e->ignore_nulls = expr.ignore_nulls;
  e->children = std::move(args);
  e->order_by = std::move(order_keys);
  if (expr.filter) {
    if (!is_aggregate) return Error(expr.pos, "FILTER is only allowed on aggregate functions");
    ExprContext filter_ctx = arg_ctx;
    filter_ctx.clause = "FILTER";
    CR_ASSIGN_OR_RETURN(e->filter, BindBoolean(*expr.filter, filter_ctx));
  }
  if (expr.over) {
    if (expr.filter && options_.dialect == Dialect::kSpark) {
      // Spark: "window aggregate function with filter predicate is not supported yet".
      return Error(expr.pos, "FILTER is not supported on a window function");
    }
    return BindWindow(expr, e, ctx);
  }
  return e;
}

Result<ExprPtr> Binder::BindWindow(const ast::Expr& expr, ExprPtr call, ExprContext& ctx) {
  call->kind = ExprKind::kWindow;
  ExprContext inner = ctx;
  inner.allow_windows = false;
  inner.clause = "a window specification";
  // OVER w / OVER (w ORDER BY ...): start from the named window of the WINDOW clause.
  const ast::WindowSpec* named = nullptr;
  if (!expr.over->base_name.empty()) {
    if (ctx.windows != nullptr) {
      for (const auto& [name, spec] : *ctx.windows) {
        if (name == expr.over->base_name) named = spec.get();
      }
    }
    if (named == nullptr) return Error(expr.over->pos, "window not found: " + expr.over->base_name);
  }
  const ast::WindowSpec& own = *expr.over;
  const ast::WindowSpec& spec =
      named != nullptr && own.partition_by.empty() && own.order_by.empty() && !own.has_frame
          ? *named
          : own;
  const auto& partitions =
      named != nullptr && own.partition_by.empty() ? named->partition_by : own.partition_by;
  const auto& orders = named != nullptr && own.order_by.empty() ? named->order_by : own.order_by;
  for (const auto& p : partitions) {
    CR_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(*p, inner));
    call->partition_by.push_back(std::move(e));
  }
  for (const auto& o : orders) {
    CR_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(*o.expr, inner));
    // Without NULLS FIRST/LAST, NULL sorts as the smallest value (every dialect bound here).
    bool nulls_first = o.nulls_first >= 0 ? o.nulls_first == 1 : !o.descending;
    call->order_by.push_back(SortKey{std::move(e), o.descending, nulls_first});
  }
  std::string_view name = call->function->name;
  bool needs_order = name == "row_number" || name == "rank" || name == "dense_rank" ||
                     name == "ntile" || name == "lag" || name == "lead" || name == "percent_rank" ||
                     name == "cume_dist";
  // Spark's _LEGACY_ERROR_TEMP_1037: a ranking or offset function needs an ordered window.
  if ((needs_order || name == "nth_value") && call->order_by.empty() &&
      options_.dialect == Dialect::kSpark) {
    return Error(expr.pos, std::string(name) + " needs an ordered window (OVER with ORDER BY)");
  }
  // Spark's INVALID_WINDOW_SPEC_FOR_AGGREGATION_FUNC: the inverse distribution functions take
  // their order from WITHIN GROUP and always cover the whole partition.
  bool whole_partition = name == "median" || name == "percentile_cont" || name == "percentile_disc";
  if (whole_partition && (!orders.empty() || spec.has_frame) &&
      options_.dialect == Dialect::kSpark) {
    return Error(expr.pos, std::string(name) + " over a window takes no ORDER BY and no frame");
  }
  // Ranking and offset functions work on the partition's order; a frame (or its absence) does
  // not change them, so a frame given for them is ignored (as DuckDB does; Spark refuses).
  if (spec.has_frame && !needs_order) {
    WindowFrame& frame = call->frame;
    frame.present = true;
    frame.rows = spec.frame_rows;
    auto bound = [&](const ast::FrameBound& b, FrameBoundType& type, ExprPtr& offset) -> Status {
      switch (b.kind) {
        case ast::FrameBoundKind::kUnboundedPreceding:
          type = FrameBoundType::kUnboundedPreceding;
          break;
        case ast::FrameBoundKind::kPreceding:
          type = FrameBoundType::kPreceding;
          break;
        case ast::FrameBoundKind::kCurrentRow:
          type = FrameBoundType::kCurrentRow;
          break;
        case ast::FrameBoundKind::kFollowing:
          type = FrameBoundType::kFollowing;
          break;
        case ast::FrameBoundKind::kUnboundedFollowing:
          type = FrameBoundType::kUnboundedFollowing;
          break;
      }
      if (b.offset) {
        Scope empty;
        ExprContext constant;
        constant.scope = &empty;
        constant.clause = "a window frame";
        CR_ASSIGN_OR_RETURN(offset, BindExpr(*b.offset, constant));
        if (!offset->type.IsNumeric() && offset->type.id != TypeId::kInterval) {
          return Error(b.offset->pos, "a window frame offset must be a number");
        }
        // Spark's SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE: a ROWS offset is an int.
        TypeId t = offset->type.id;
        if (options_.dialect == Dialect::kSpark && spec.frame_rows && t != TypeId::kInt &&
            t != TypeId::kSmallInt && t != TypeId::kTinyInt) {
          return Error(b.offset->pos, "a ROWS frame offset must be an int");
        }
        if (offset->kind == ExprKind::kLiteral && !offset->value.empty() &&
            offset->value[0] == '-') {
          return Error(b.offset->pos, "a window frame offset must not be negative");
        }
      }
      return Status::OK();
    };
    CR_RETURN_IF_ERROR(bound(spec.frame_start, frame.start, frame.start_offset));
    CR_RETURN_IF_ERROR(bound(spec.frame_end, frame.end, frame.end_offset));
    if (frame.start == FrameBoundType::kUnboundedFollowing ||
        frame.end == FrameBoundType::kUnboundedPreceding) {
      return Error(expr.pos, "invalid window frame");
    }
    if (!frame.rows && (frame.start_offset || frame.end_offset) && call->order_by.size() != 1) {
      return Error(expr.pos, "a RANGE frame with an offset needs exactly one ORDER BY key");
    }
    // Spark's RANGE_FRAME_INVALID_TYPE: a date ordered window moves by whole days.
    for (const ExprPtr& offset : {frame.start_offset, frame.end_offset}) {
      if (!frame.rows && offset && offset->type.IsDayTimeInterval() && offset->type.scale > kDay &&
          call->order_by[0].expr->type.id == TypeId::kDate) {
        return Error(expr.pos,
                     "a RANGE frame over a date cannot move by hours, minutes or seconds");
      }
    }
  }
  return call;
}

}  // namespace cleanroom::sql
