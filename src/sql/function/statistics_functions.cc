// Statistical, bitwise and selection aggregates (Spark 4), written for DuckDB: covar_pop,
// covar_samp, corr, regr_*, skewness, kurtosis, median, percentile, percentile_disc, count_if,
// grouping, grouping_id, histogram_numeric,
// bit_and, bit_or, bit_xor, max_by, min_by, product, try_sum, try_avg; and the window function
// nth_value.
#include <cstdlib>

#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

Result<DataType> BindDoubles(const FunctionBindContext& ctx, Args& args) {
  return BindDoubleArguments(ctx, args);
}
std::string EmitNamed(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  return EmitCall(ctx, call, call.function->name, args);
}
Result<DataType> BindRegrCount(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(BindDoubles(ctx, args).status());
  return kBigInt;
}
std::string EmitRegrCount(const FunctionEmitContext& ctx, const Expression& call,
                          const Emitted& args) {
  return EmitCast(EmitCall(ctx, call, "regr_count", args), kBigInt);
}
// skewness / kurtosis: Spark's are the population moments (no bias correction); DuckDB's
// skewness is the sample one, corrected back here.
std::string EmitSkewness(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  std::string n = "CAST(" + EmitCall(ctx, call, "count", args) + " AS DOUBLE)";
  return "(" + EmitCall(ctx, call, "skewness", args) + " * (" + n + " - 2) / sqrt(" + n + " * (" +
         n + " - 1)))";
}
std::string EmitKurtosis(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  return EmitCall(ctx, call, "kurtosis_pop", args);
}
// count_if(condition): bigint.
Result<DataType> BindCountIf(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kBoolean && args[0]->type.id != TypeId::kNull) {
    return Status::InvalidArgument("needs a boolean argument");
  }
  args[0] = CastTo(args[0], DataType::Of(TypeId::kBoolean));
  return kBigInt;
}
std::string EmitCountIf(const FunctionEmitContext& ctx, const Expression& call,
                        const Emitted& args) {
  // DuckDB's count_if of no true (only NULL) conditions is NULL; Spark's is 0.
  return "COALESCE(" + EmitCast(EmitCall(ctx, call, "count_if", args), kBigInt) + ", 0)";
}
// median(x) / percentile(x, p): the exact percentile, interpolated linearly (double).
Status NeedPercentage(const Args& args, size_t i) {
  const Expression& p = *args[i];
  if (p.kind != ExprKind::kLiteral || p.is_null || !p.type.IsNumeric()) {
    return Status::InvalidArgument("the percentage must be a numeric literal");
  }
  double value = std::strtod(p.value.c_str(), nullptr);
  if (value < 0 || value > 1)
    return Status::InvalidArgument("the percentage must be between 0 and 1");
  return Status::OK();
}
// median / percentile / percentile_disc of an ANSI interval: computed on its months or seconds,
// an interval of the same type (arguments.h).
Result<DataType> BindMedian(const FunctionBindContext& ctx, Args& args) {
  DataType interval = IntervalAsNumber(args, 0);
  CR_ASSIGN_OR_RETURN(DataType type, BindDoubles(ctx, args));
  return interval.id == TypeId::kInterval ? interval : type;
}
std::string AsResult(const Expression& call, const std::string& sql) {
  return call.type.id == TypeId::kInterval ? NumberAsInterval(call.type, sql) : sql;
}
std::string EmitMedian(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  Expression plain = call;
  plain.distinct = false;
  return AsResult(call, EmitCall(ctx, plain, "quantile_cont", {args[0], "0.5"}));
}
Result<DataType> BindPercentile(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedPercentage(args, 1));
  if (args.size() == 3 && !(args[2]->kind == ExprKind::kLiteral && args[2]->value == "1")) {
    return Status::Unimplemented("percentile with a frequency other than 1");
  }
  args.resize(2);
  return BindMedian(ctx, args);
}
std::string EmitPercentile(const FunctionEmitContext& ctx, const Expression& call,
                           const Emitted& args) {
  return AsResult(call, EmitCall(ctx, call, "quantile_cont", {args[0], args[1]}));
}
// percentile_disc(p) WITHIN GROUP (ORDER BY x [DESC]): the first value whose cumulative
// distribution reaches p (DuckDB's quantile_disc); descending order is the ascending order of -x.
Result<DataType> BindPercentileDisc(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedPercentage(args, 1));
  return BindMedian(ctx, args);
}
std::string EmitPercentileDisc(const FunctionEmitContext& ctx, const Expression& call,
                               const Emitted& args) {
  bool descending = !call.order_by.empty() && call.order_by[0].descending;
  if (descending) {
    return AsResult(
        call, "(- quantile_disc(- " + args[0] + ", " + args[1] + ")" + ctx.filter + ctx.over + ")");
  }
  return AsResult(call, "quantile_disc(" + args[0] + ", " + args[1] + ")" + ctx.filter + ctx.over);
}
// bit_and / bit_or / bit_xor: integers, in their own type.
Result<DataType> BindBitAggregate(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  if (!args[0]->type.IsIntegral()) {
    return Status::InvalidArgument("needs an integer argument, not " + args[0]->type.ToString());
  }
  return args[0]->type;
}
// max_by(x, y) / min_by(x, y): x of the row with the largest / smallest y.
Result<DataType> BindBy(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  return args[0]->type;
}
std::string EmitMaxBy(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  return EmitCall(ctx, call, "arg_max", args);
}
std::string EmitMinBy(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  return EmitCall(ctx, call, "arg_min", args);
}
// nth_value(x, n [, ignoreNulls]) over a window: x's type; n a positive literal.
Result<DataType> BindNthValue(const FunctionBindContext&, Args& args) {
  const Expression& n = *args[1];
  if (n.kind != ExprKind::kLiteral || !n.type.IsIntegral() || n.is_null || n.value[0] == '-' ||
      n.value == "0") {
    return Status::InvalidArgument("the offset must be a positive integer literal");
  }
  args[1] = CastTo(args[1], kBigInt);
  if (args.size() == 3) {
    const Expression& flag = *args[2];
    if (flag.kind != ExprKind::kLiteral || flag.type.id != TypeId::kBoolean || flag.is_null) {
      return Status::InvalidArgument("the third argument (ignoreNulls) must be a boolean literal");
    }
  }
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  return args[0]->type;
}
std::string EmitNthValue(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  Expression flagged = call;
  flagged.ignore_nulls =
      call.ignore_nulls || (call.children.size() == 3 && call.children[2]->value == "true");
  return EmitCall(ctx, flagged, "nth_value", {args[0], args[1]});
}

// try_sum / try_avg (x): sum / avg with their Spark types, NULL where the result overflows.
Result<DataType> BindTrySum(const FunctionBindContext& ctx, Args& args) {
  return LookupFunction("sum")->bind(ctx, args);
}
Result<DataType> BindTryAvg(const FunctionBindContext& ctx, Args& args) {
  return LookupFunction("avg")->bind(ctx, args);
}
std::string EmitTrySum(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  FunctionEmitContext safe = ctx;
  safe.safe_arithmetic = true;
  return LookupFunction("sum")->emit(safe, call, args);
}
std::string EmitTryAvg(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  std::string avg = EmitCall(ctx, call, "avg", args);
  if (call.type.id == TypeId::kDecimal)
    return "TRY_CAST(" + avg + " AS " + call.type.ToDuckDb() + ")";
  return avg;
}

// grouping(col): 1 when the row is a subtotal over col (col not in its grouping set), else 0;
// grouping_id(a, b, ...): those bits, the first column the highest. DuckDB's grouping() is
// both; its argument must be a grouping expression (as in Spark).
Result<DataType> BindGrouping(const FunctionBindContext&, Args&) {
  return DataType::Of(TypeId::kTinyInt);
}
Result<DataType> BindGroupingId(const FunctionBindContext&, Args&) { return kBigInt; }
std::string EmitGrouping(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return EmitCast(NamedCall("grouping", args), call.type);
}

// histogram_numeric(x, nb): the histogram of x in at most nb bins, an array of structs
// {x: x's type, y: double} ordered by x; NULL when no value is non-NULL. Spark's streaming
// histogram merges the two closest bins while there are more than nb, breaking ties with a
// seeded random draw and in the order rows and partitions arrive; that merging is not
// reproduced: more distinct values than bins is an error, fewer give one exact bin per value.
Result<DataType> BindHistogramNumeric(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kDouble);
  TypeId t = args[0]->type.id;
  if (!args[0]->type.IsNumeric() && t != TypeId::kDate && t != TypeId::kTimestamp &&
      t != TypeId::kTimestampNtz) {
    return Status::InvalidArgument("needs a number, date or timestamp, not " +
                                   args[0]->type.ToString());
  }
  const Expression& nb = *args[1];
  if (nb.kind != ExprKind::kLiteral || nb.is_null || !nb.type.IsIntegral() || nb.value[0] == '-' ||
      nb.value.size() > 9 || std::stoll(nb.value) < 2) {
    return Status::InvalidArgument("the number of bins must be an integer literal of at least 2");
  }
  return DataType::Array(DataType::Struct({"x", "y"}, {args[0]->type, kDouble}));
}
std::string EmitHistogramNumeric(const FunctionEmitContext& ctx, const Expression& call,
                                 const Emitted& args) {
  const std::string& x = args[0];
  std::string tail = ctx.filter + ctx.over;
  std::string bins = "list_sort(list_transform(map_entries(histogram(" + x + ")" + tail +
                     "), lambda e: struct_pack(x := e.key, y := CAST(e.value AS DOUBLE))))";
  return "CASE WHEN count(" + x + ")" + tail + " = 0 THEN NULL WHEN count(DISTINCT " + x + ")" +
         tail + " > " + args[1] + " THEN " +
         EmitError(ctx,
                   "[UNSUPPORTED] histogram_numeric over more distinct values than bins (Spark's "
                   "merging of bins is not reproduced)") +
         " ELSE " + EmitCast(bins, call.type) + " END";
}

constexpr FunctionDef kFunctions[] = {
    {"histogram_numeric", FunctionKind::kAggregate, 2, 2, BindHistogramNumeric,
     EmitHistogramNumeric},
    {"try_sum", FunctionKind::kAggregate, 1, 1, BindTrySum, EmitTrySum},
    {"try_avg", FunctionKind::kAggregate, 1, 1, BindTryAvg, EmitTryAvg},
    {"covar_pop", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"covar_samp", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"corr", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_avgx", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_avgy", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_count", FunctionKind::kAggregate, 2, 2, BindRegrCount, EmitRegrCount},
    {"regr_intercept", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_r2", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_slope", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_sxx", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_sxy", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"regr_syy", FunctionKind::kAggregate, 2, 2, BindDoubles, EmitNamed},
    {"skewness", FunctionKind::kAggregate, 1, 1, BindDoubles, EmitSkewness},
    {"kurtosis", FunctionKind::kAggregate, 1, 1, BindDoubles, EmitKurtosis},
    {"median", FunctionKind::kAggregate, 1, 1, BindMedian, EmitMedian},
    {"percentile", FunctionKind::kAggregate, 2, 3, BindPercentile, EmitPercentile},
    {"percentile_disc", FunctionKind::kAggregate, 2, 2, BindPercentileDisc, EmitPercentileDisc},
    {"count_if", FunctionKind::kAggregate, 1, 1, BindCountIf, EmitCountIf},
    {"bit_and", FunctionKind::kAggregate, 1, 1, BindBitAggregate, EmitNamed},
    {"bit_or", FunctionKind::kAggregate, 1, 1, BindBitAggregate, EmitNamed},
    {"bit_xor", FunctionKind::kAggregate, 1, 1, BindBitAggregate, EmitNamed},
    {"max_by", FunctionKind::kAggregate, 2, 2, BindBy, EmitMaxBy},
    {"min_by", FunctionKind::kAggregate, 2, 2, BindBy, EmitMinBy},
    {"product", FunctionKind::kAggregate, 1, 1, BindDoubles, EmitNamed},
    {"grouping", FunctionKind::kAggregate, 1, 1, BindGrouping, EmitGrouping},
    {"grouping_id", FunctionKind::kAggregate, 0, -1, BindGroupingId, EmitGrouping},
    {"nth_value", FunctionKind::kWindow, 2, 3, BindNthValue, EmitNthValue},
};

}  // namespace

FunctionTable StatisticsFunctions() { return {kFunctions, std::size(kFunctions), "aggregate"}; }

}  // namespace cleanroom::sql
