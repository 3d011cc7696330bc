// Mathematical and bitwise functions (Spark 4, ANSI mode), written for DuckDB: trigonometric
// and hyperbolic functions, logarithms, e, pi, cbrt, degrees, radians, hypot, factorial, rint,
// bround, pmod, positive, negative, nanvl, bit_count, bit_get / getbit.
#include <algorithm>

#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

Result<DataType> BindDoubles(const FunctionBindContext& ctx, Args& args) {
  return BindDoubleArguments(ctx, args);
}
std::string EmitSame(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return NamedCall(call.function->name, args);
}
// Functions defined on part of the line: NaN outside it (Spark), where DuckDB raises an error.
std::string NanOutside(const std::string& condition, const std::string& call) {
  return "CASE WHEN " + condition + " THEN " + call + " ELSE CAST('NaN' AS DOUBLE) END";
}
std::string EmitAsin(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return NanOutside(args[0] + " BETWEEN -1 AND 1", NamedCall(call.function->name, args));
}
std::string EmitAcosh(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NanOutside(args[0] + " >= 1", "acosh(" + args[0] + ")");
}
std::string EmitAtanh(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " = 1 THEN CAST('Infinity' AS DOUBLE) WHEN " + args[0] +
         " = -1 THEN CAST('-Infinity' AS DOUBLE) ELSE " +
         NanOutside(args[0] + " > -1 AND " + args[0] + " < 1", "atanh(" + args[0] + ")") + " END";
}
// 1 / f(x), with Spark's infinities where f(x) is 0.
std::string Reciprocal(const std::string& value) {
  return "CASE WHEN " + value + " = 0 THEN CAST('Infinity' AS DOUBLE) ELSE 1.0 / " + value + " END";
}
std::string EmitCot(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return Reciprocal("tan(" + args[0] + ")");
}
std::string EmitSec(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return Reciprocal("cos(" + args[0] + ")");
}
std::string EmitCsc(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return Reciprocal("sin(" + args[0] + ")");
}
// log10 / log2 of a non-positive number and log1p of x <= -1 are NULL in Spark.
std::string EmitLogBase(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return NamedCall(call.function->name, {"CASE WHEN " + args[0] + " > 0 THEN " + args[0] + " END"});
}
std::string EmitLog1p(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "ln(CASE WHEN " + args[0] + " > -1 THEN 1 + " + args[0] + " END)";
}
std::string EmitExpm1(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(exp(" + args[0] + ") - 1)";
}
std::string EmitHypot(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "sqrt(" + args[0] + " * " + args[0] + " + " + args[1] + " * " + args[1] + ")";
}
Result<DataType> BindConstant(const FunctionBindContext&, Args&) { return kDouble; }
std::string EmitE(const FunctionEmitContext&, const Expression&, const Emitted&) {
  return "exp(1.0)";
}
std::string EmitPi(const FunctionEmitContext&, const Expression&, const Emitted&) { return "pi()"; }

// factorial(n): bigint for n in [0, 20], else NULL.
Result<DataType> BindFactorial(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedIntegral(args, 0, kInt));
  return kBigInt;
}
std::string EmitFactorial(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " BETWEEN 0 AND 20 THEN CAST(factorial(" + args[0] +
         ") AS BIGINT) END";
}
// rint(x): the nearest integer as a double, ties to even.
std::string EmitRint(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "round_even(" + args[0] + ", 0)";
}
// bround(x [, d]): round half to even, with round's result types.
Result<DataType> BindBround(const FunctionBindContext& ctx, Args& args) {
  const FunctionDef* round = LookupFunction("round");
  return round->bind(ctx, args);
}
std::string EmitBround(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string digits = args.size() == 2 ? args[1] : "0";
  if (call.children[0]->type.IsIntegral()) {
    if (args.size() == 1) return args[0];
    return EmitCast("round_even(CAST(" + args[0] + " AS DECIMAL(38,0)), " + digits + ")",
                    call.type);
  }
  return EmitCast("round_even(" + args[0] + ", " + digits + ")", call.type);
}
// pmod(a, n): the non-negative remainder (for positive n); n = 0 is an error (ANSI).
Result<DataType> BindPmod(const FunctionBindContext& ctx, Args& args) {
  return LookupFunction("mod")->bind(ctx, args);
}
std::string EmitPmod(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  std::string r = LookupFunction("mod")->emit(ctx, call, args);
  std::string adjusted = "((" + r + " + " + args[1] + ") % " + args[1] + ")";
  if (call.type.id == TypeId::kDecimal) adjusted = EmitCast(adjusted, call.type);
  return "CASE WHEN " + r + " < 0 THEN " + adjusted + " ELSE " + r + " END";
}
Result<DataType> BindSameNumber(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  return args[0]->type;
}
std::string EmitPositive(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return args[0];
}
std::string EmitNegative(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(- " + args[0] + ")";
}
// nanvl(a, b): b when a is NaN, else a.
Result<DataType> BindNanvl(const FunctionBindContext& ctx, Args& args) {
  return BindDoubles(ctx, args);
}
std::string EmitNanvl(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN isnan(" + args[0] + ") THEN " + args[1] + " ELSE " + args[0] + " END";
}
// bit_count(x): the set bits of x's two's complement in its own width; a boolean counts 1.
Result<DataType> BindBitCount(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kBoolean) args[0] = CastTo(args[0], kInt);
  CR_RETURN_IF_ERROR(
      NeedIntegral(args, 0, args[0]->type.id == TypeId::kNull ? kInt : args[0]->type));
  return kInt;
}
std::string EmitBitCount(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(bit_count(" + args[0] + ") AS INTEGER)";
}
// bit_get(x, pos) / getbit: the bit at pos (0 = least significant) as tinyint; a position
// outside the type's width is an error.
Result<DataType> BindBitGet(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(
      NeedIntegral(args, 0, args[0]->type.id == TypeId::kNull ? kInt : args[0]->type));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return DataType::Of(TypeId::kTinyInt);
}
std::string EmitBitGet(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  int width = 32;
  switch (call.children[0]->type.id) {
    case TypeId::kTinyInt:
      width = 8;
      break;
    case TypeId::kSmallInt:
      width = 16;
      break;
    case TypeId::kBigInt:
      width = 64;
      break;
    default:
      break;
  }
  return "CASE WHEN " + args[1] + " < 0 OR " + args[1] + " >= " + std::to_string(width) + " THEN " +
         EmitError(ctx, "[INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE] bit position out of range") +
         " ELSE CAST((CAST(" + args[0] + " AS BIGINT) >> " + args[1] + ") & 1 AS TINYINT) END";
}

// try_add / try_subtract / try_multiply / try_divide / try_mod (a, b): the binder binds the
// operator (Spark's types) as the only child; an error while computing it (overflow, division
// by zero) gives NULL.
Result<DataType> BindTryArithmetic(const FunctionBindContext&, Args&) {
  return Status::Internal("bound by the binder");
}
std::string EmitTry(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "TRY(" + args[0] + ")";
}

constexpr FunctionDef kFunctions[] = {
    {"try_add", FunctionKind::kScalar, 2, 2, BindTryArithmetic, EmitTry},
    {"try_subtract", FunctionKind::kScalar, 2, 2, BindTryArithmetic, EmitTry},
    {"try_multiply", FunctionKind::kScalar, 2, 2, BindTryArithmetic, EmitTry},
    {"try_divide", FunctionKind::kScalar, 2, 2, BindTryArithmetic, EmitTry},
    {"try_mod", FunctionKind::kScalar, 2, 2, BindTryArithmetic, EmitTry},
    {"sin", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"cos", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"tan", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"asin", FunctionKind::kScalar, 1, 1, BindDoubles, EmitAsin},
    {"acos", FunctionKind::kScalar, 1, 1, BindDoubles, EmitAsin},
    {"atan", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"atan2", FunctionKind::kScalar, 2, 2, BindDoubles, EmitSame},
    {"sinh", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"cosh", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"tanh", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"asinh", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"acosh", FunctionKind::kScalar, 1, 1, BindDoubles, EmitAcosh},
    {"atanh", FunctionKind::kScalar, 1, 1, BindDoubles, EmitAtanh},
    {"cot", FunctionKind::kScalar, 1, 1, BindDoubles, EmitCot},
    {"sec", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSec},
    {"csc", FunctionKind::kScalar, 1, 1, BindDoubles, EmitCsc},
    {"degrees", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"radians", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"cbrt", FunctionKind::kScalar, 1, 1, BindDoubles, EmitSame},
    {"log10", FunctionKind::kScalar, 1, 1, BindDoubles, EmitLogBase},
    {"log2", FunctionKind::kScalar, 1, 1, BindDoubles, EmitLogBase},
    {"log1p", FunctionKind::kScalar, 1, 1, BindDoubles, EmitLog1p},
    {"expm1", FunctionKind::kScalar, 1, 1, BindDoubles, EmitExpm1},
    {"hypot", FunctionKind::kScalar, 2, 2, BindDoubles, EmitHypot},
    {"e", FunctionKind::kScalar, 0, 0, BindConstant, EmitE},
    {"pi", FunctionKind::kScalar, 0, 0, BindConstant, EmitPi},
    {"factorial", FunctionKind::kScalar, 1, 1, BindFactorial, EmitFactorial},
    {"rint", FunctionKind::kScalar, 1, 1, BindDoubles, EmitRint},
    {"bround", FunctionKind::kScalar, 1, 2, BindBround, EmitBround},
    {"pmod", FunctionKind::kScalar, 2, 2, BindPmod, EmitPmod},
    {"positive", FunctionKind::kScalar, 1, 1, BindSameNumber, EmitPositive},
    {"negative", FunctionKind::kScalar, 1, 1, BindSameNumber, EmitNegative},
    {"nanvl", FunctionKind::kScalar, 2, 2, BindNanvl, EmitNanvl},
    {"bit_count", FunctionKind::kScalar, 1, 1, BindBitCount, EmitBitCount},
    {"bit_get", FunctionKind::kScalar, 2, 2, BindBitGet, EmitBitGet},
};

}  // namespace

FunctionTable MathFunctions() { return {kFunctions, std::size(kFunctions), "math"}; }

}  // namespace cleanroom::sql
