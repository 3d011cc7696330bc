// Aggregate and window functions with Spark's result types, written for DuckDB.
#include <algorithm>
#include <cstdlib>

#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

Status NeedNumber(const ExprPtr& e) {
  if (e->type.IsNumeric() || e->type.id == TypeId::kNull || e->type.id == TypeId::kString) {
    return Status::OK();
  }
  return Status::InvalidArgument("needs a numeric argument, not " + e->type.ToString());
}

// count(*) / count(x) / count(DISTINCT x, ...): bigint.
Result<DataType> BindCount(const FunctionBindContext&, Args&) { return kBigInt; }
std::string EmitCount(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  if (args.empty()) return "count(*)" + ctx.filter + ctx.over;
  if (args.size() == 1) return EmitCall(ctx, call, "count", args);
  // Spark's count(a, b) counts rows where every argument is non-null.
  std::string all = "(";
  for (size_t i = 0; i < args.size(); ++i) all += (i ? " AND " : "") + args[i] + " IS NOT NULL";
  all += ")";
  if (call.distinct)
    return EmitCall(ctx, call, "count", {"CASE WHEN " + all + " THEN row(" + [&] {
                      std::string list;
                      for (size_t i = 0; i < args.size(); ++i) list += (i ? ", " : "") + args[i];
                      return list;
                    }() + ") END"});
  return "count(CASE WHEN " + all + " THEN 1 END)" + ctx.filter + ctx.over;
}

// sum: integral -> bigint, decimal(p,s) -> decimal(min(38,p+10),s), else double.
Result<DataType> BindSum(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumber(args[0]));
  const DataType& t = args[0]->type;
  // Spark reads an untyped NULL as a double here (its implicit cast of NULL to a number).
  if (t.id == TypeId::kNull && ctx.dialect == Dialect::kSpark) {
    args[0] = CastTo(args[0], kDouble);
    return kDouble;
  }
  if (t.IsIntegral() || t.id == TypeId::kNull) {
    args[0] = CastTo(args[0], kBigInt);
    return kBigInt;
  }
  if (t.id == TypeId::kDecimal) return DataType::Decimal(std::min(38, t.precision + 10), t.scale);
  args[0] = CastTo(args[0], kDouble);
  return kDouble;
}
std::string EmitSum(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  std::string sum = EmitCall(ctx, call, "sum", args);
  if (call.type.id == TypeId::kDouble) return sum;
  // DuckDB sums integers into a 128-bit integer; the cast restores Spark's type and fails
  // (or, with safe arithmetic, yields NULL) on overflow as Spark's ANSI mode does.
  if (ctx.safe_arithmetic) return "TRY_CAST(" + sum + " AS " + call.type.ToDuckDb() + ")";
  return EmitCast(sum, call.type);
}

// SQLite's total(): the float sum, 0.0 over no rows.
Result<DataType> BindTotal(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kDouble);
  return kDouble;
}
std::string EmitTotal(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  return "COALESCE(" + EmitCall(ctx, call, "sum", args) + ", 0.0)";
}

// avg: decimal(p,s) -> decimal(min(38,p+4), min(38,s+4)); else double.
Result<DataType> BindAvg(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumber(args[0]));
  const DataType& t = args[0]->type;
  if (t.id == TypeId::kDecimal && ctx.dialect != Dialect::kSqlite) {
    return DataType::Decimal(std::min(38, t.precision + 4), std::min(38, t.scale + 4));
  }
  args[0] = CastTo(args[0], kDouble);
  return kDouble;
}
std::string EmitAvg(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  std::string avg = EmitCall(ctx, call, "avg", args);
  if (call.type.id == TypeId::kDecimal) return EmitCast(avg, call.type);
  return avg;
}

Result<DataType> BindSame(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  return args[0]->type;
}

Result<DataType> BindDoubleStat(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumber(args[0]));
  args[0] = CastTo(args[0], kDouble);
  return kDouble;
}

Result<DataType> BindBigInt(const FunctionBindContext&, Args&) { return kBigInt; }
Result<DataType> BindInt(const FunctionBindContext&, Args&) { return kInt; }
Result<DataType> BindDouble(const FunctionBindContext&, Args&) { return kDouble; }

Result<DataType> BindBoolAgg(const FunctionBindContext& ctx, Args& args) {
  // Spark casts a string argument to boolean ('true' / 'false'; anything else is an error).
  if (args[0]->type.id == TypeId::kString && ctx.dialect == Dialect::kSpark) {
    args[0] = CastTo(args[0], DataType::Of(TypeId::kBoolean));
  }
  if (args[0]->type.id != TypeId::kBoolean && args[0]->type.id != TypeId::kNull) {
    return Status::InvalidArgument("needs a boolean argument");
  }
  args[0] = CastTo(args[0], DataType::Of(TypeId::kBoolean));
  return DataType::Of(TypeId::kBoolean);
}

Result<DataType> BindGroupConcat(const FunctionBindContext&, Args& args) {
  for (auto& a : args) a = CastTo(a, kString);
  return kString;
}
std::string EmitGroupConcat(const FunctionEmitContext& ctx, const Expression& call,
                            const Emitted& args) {
  Emitted with_separator = args;
  if (with_separator.size() == 1) with_separator.push_back("','");
  return EmitCall(ctx, call, "string_agg", with_separator);
}

// collect_list / array_agg (x): the non-NULL values in input order; collect_set (x): the
// distinct non-NULL values. An array of x's type.
Result<DataType> BindCollect(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  return DataType::Array(args[0]->type);
}
std::string EmitCollect(const FunctionEmitContext& ctx, const Expression& call,
                        const Emitted& args) {
  FunctionEmitContext filtered = ctx;
  std::string condition = args[0] + " IS NOT NULL";
  if (!ctx.filter_condition.empty()) condition = "(" + ctx.filter_condition + ") AND " + condition;
  filtered.filter = " FILTER (WHERE " + condition + ")";
  Expression distinct = call;
  distinct.distinct = call.distinct || std::string_view(call.function->name) == "collect_set";
  // An empty group gives [] (DuckDB's list gives NULL).
  return "COALESCE(" + EmitCall(filtered, distinct, "list", args) + ", " +
         EmitCast("[]", call.type) + ")";
}

// lag / lead (x [, offset [, default]]): the type of x.
Result<DataType> BindOffset(const FunctionBindContext& ctx, Args& args) {
  if (args.size() >= 2) {
    if (!args[1]->type.IsIntegral())
      return Status::InvalidArgument("the offset must be an integer");
    args[1] = CastTo(args[1], kBigInt);
  }
  DataType type = args[0]->type;
  if (args.size() == 3) {
    auto common = WiderType(type, args[2]->type, ctx.dialect);
    if (!common) return Status::InvalidArgument("the default does not match the value's type");
    type = *common;
    args[0] = CastTo(args[0], type);
    args[2] = CastTo(args[2], type);
  }
  if (type.id == TypeId::kNull) type = kInt;
  return type;
}

Result<DataType> BindNtile(const FunctionBindContext&, Args& args) {
  if (!args[0]->type.IsIntegral() && args[0]->type.id != TypeId::kNull) {
    return Status::InvalidArgument("the bucket count must be an integer");
  }
  if (args[0]->kind == ExprKind::kLiteral && !args[0]->is_null && args[0]->value[0] == '-') {
    return Status::InvalidArgument("the bucket count must be positive");
  }
  if (args[0]->kind == ExprKind::kLiteral && args[0]->value == "0") {
    return Status::InvalidArgument("the bucket count must be positive");
  }
  args[0] = CastTo(args[0], kBigInt);
  return kInt;
}

// first / last / any_value (x [, ignoreNulls]): the type of x. As in Spark, ignoreNulls must be
// a boolean literal (`first(x) IGNORE NULLS` is the same as `first(x, true)`).
Result<DataType> BindFirstLast(const FunctionBindContext&, Args& args) {
  if (args.size() == 2) {
    const Expression& flag = *args[1];
    if (flag.kind != ExprKind::kLiteral || flag.type.id != TypeId::kBoolean || flag.is_null) {
      return Status::InvalidArgument("the second argument (ignoreNulls) must be a boolean literal");
    }
  }
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  return args[0]->type;
}
std::string EmitFirstLast(const FunctionEmitContext& ctx, const Expression& call,
                          const Emitted& args) {
  bool ignore_nulls =
      call.ignore_nulls || (call.children.size() == 2 && call.children[1]->value == "true");
  bool last = std::string_view(call.function->name) == "last";
  Emitted value = {args[0]};
  if (call.kind == ExprKind::kWindow) {
    // DuckDB's first_value / last_value take IGNORE NULLS inside the call (EmitCall writes it
    // from the call's flag, so the flag given as an argument is carried over here).
    Expression flagged = call;
    flagged.ignore_nulls = ignore_nulls;
    return EmitCall(ctx, flagged, last ? "last_value" : "first_value", value);
  }
  // DuckDB's first / last aggregates keep NULLs (Spark's default); ignoring them is a filter.
  FunctionEmitContext filtered = ctx;
  if (ignore_nulls) {
    std::string condition = args[0] + " IS NOT NULL";
    if (!ctx.filter_condition.empty())
      condition = "(" + ctx.filter_condition + ") AND " + condition;
    filtered.filter = " FILTER (WHERE " + condition + ")";
  }
  return EmitCall(filtered, call, last ? "last" : "first", value);
}

// percentile_cont(p) WITHIN GROUP (ORDER BY x): the binder put x first. Spark interpolates
// linearly between the closest ranks (DuckDB's quantile_cont); NULLs are ignored. p must be a
// constant in [0, 1].
Result<DataType> BindPercentileCont(const FunctionBindContext&, Args& args) {
  DataType interval = IntervalAsNumber(args, 0);
  if (interval.id != TypeId::kInterval) CR_RETURN_IF_ERROR(NeedNumber(args[0]));
  const Expression& p = *args[1];
  if (p.kind != ExprKind::kLiteral || p.is_null || !p.type.IsNumeric()) {
    return Status::InvalidArgument("the percentage must be a numeric literal");
  }
  double value = std::strtod(p.value.c_str(), nullptr);
  if (value < 0 || value > 1)
    return Status::InvalidArgument("the percentage must be between 0 and 1");
  args[0] = CastTo(args[0], kDouble);
  args[1] = CastTo(args[1], kDouble);
  return interval.id == TypeId::kInterval ? interval : kDouble;
}
std::string EmitPercentileCont(const FunctionEmitContext& ctx, const Expression& call,
                               const Emitted& args) {
  bool descending = !call.order_by.empty() && call.order_by[0].descending;
  std::string p = descending ? "(1 - " + args[1] + ")" : args[1];
  std::string sql = "quantile_cont(" + args[0] + ", " + p + ")" + ctx.filter + ctx.over;
  return call.type.id == TypeId::kInterval ? NumberAsInterval(call.type, sql) : sql;
}

std::string EmitNamed(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  return EmitCall(ctx, call, call.function->name, args);
}
// Ranking functions: DuckDB returns bigint, Spark int.
std::string EmitRanking(const FunctionEmitContext& ctx, const Expression& call,
                        const Emitted& args) {
  return EmitCast(EmitCall(ctx, call, call.function->name, args), call.type);
}
std::string EmitStddev(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  return EmitCall(ctx, call, "stddev_samp", args);
}
std::string EmitVariance(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  return EmitCall(ctx, call, "var_samp", args);
}
std::string EmitApproxDistinct(const FunctionEmitContext& ctx, const Expression& call,
                               const Emitted& args) {
  return EmitCast(EmitCall(ctx, call, "approx_count_distinct", args), kBigInt);
}

constexpr FunctionDef kFunctions[] = {
    {"count", FunctionKind::kAggregate, 0, -1, BindCount, EmitCount},
    {"sum", FunctionKind::kAggregate, 1, 1, BindSum, EmitSum},
    {"total", FunctionKind::kAggregate, 1, 1, BindTotal, EmitTotal},
    {"avg", FunctionKind::kAggregate, 1, 1, BindAvg, EmitAvg},
    {"mean", FunctionKind::kAggregate, 1, 1, BindAvg, EmitAvg},
    {"min", FunctionKind::kAggregate, 1, 1, BindSame, EmitNamed},
    {"max", FunctionKind::kAggregate, 1, 1, BindSame, EmitNamed},
    {"stddev", FunctionKind::kAggregate, 1, 1, BindDoubleStat, EmitStddev},
    {"stddev_pop", FunctionKind::kAggregate, 1, 1, BindDoubleStat, EmitNamed},
    {"variance", FunctionKind::kAggregate, 1, 1, BindDoubleStat, EmitVariance},
    {"var_pop", FunctionKind::kAggregate, 1, 1, BindDoubleStat, EmitNamed},
    {"approx_count_distinct", FunctionKind::kAggregate, 1, 1, BindBigInt, EmitApproxDistinct},
    {"bool_and", FunctionKind::kAggregate, 1, 1, BindBoolAgg, EmitNamed},
    {"bool_or", FunctionKind::kAggregate, 1, 1, BindBoolAgg, EmitNamed},
    {"group_concat", FunctionKind::kAggregate, 1, 2, BindGroupConcat, EmitGroupConcat},
    {"row_number", FunctionKind::kWindow, 0, 0, BindInt, EmitRanking},
    {"rank", FunctionKind::kWindow, 0, 0, BindInt, EmitRanking},
    {"dense_rank", FunctionKind::kWindow, 0, 0, BindInt, EmitRanking},
    {"percent_rank", FunctionKind::kWindow, 0, 0, BindDouble, EmitNamed},
    {"cume_dist", FunctionKind::kWindow, 0, 0, BindDouble, EmitNamed},
    {"ntile", FunctionKind::kWindow, 1, 1, BindNtile, EmitRanking},
    {"lag", FunctionKind::kWindow, 1, 3, BindOffset, EmitNamed},
    {"lead", FunctionKind::kWindow, 1, 3, BindOffset, EmitNamed},
    // Spark's first_value / last_value are these aggregates under another name (see aliases).
    {"first", FunctionKind::kAggregate, 1, 2, BindFirstLast, EmitFirstLast},
    {"last", FunctionKind::kAggregate, 1, 2, BindFirstLast, EmitFirstLast},
    {"any_value", FunctionKind::kAggregate, 1, 2, BindFirstLast, EmitFirstLast},
    {"percentile_cont", FunctionKind::kAggregate, 2, 2, BindPercentileCont, EmitPercentileCont},
    {"collect_list", FunctionKind::kAggregate, 1, 1, BindCollect, EmitCollect},
    {"collect_set", FunctionKind::kAggregate, 1, 1, BindCollect, EmitCollect},
};

}  // namespace

FunctionTable AggregateFunctions() { return {kFunctions, std::size(kFunctions), "aggregate"}; }

}  // namespace cleanroom::sql
