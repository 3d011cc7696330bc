// Conditional and predicate functions (Spark 4), written for DuckDB: zeroifnull, nullifzero,
// equal_null, isnull, isnotnull, isnan, typeof.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// zeroifnull(x) / nullifzero(x): x's own numeric type (an untyped NULL is int).
Result<DataType> BindNumberOrNull(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  if (!args[0]->type.IsNumeric()) {
    return Status::InvalidArgument("argument 1 must be a number, not " + args[0]->type.ToString());
  }
  return args[0]->type;
}
std::string EmitZeroIfNull(const FunctionEmitContext&, const Expression& call,
                           const Emitted& args) {
  return "COALESCE(" + args[0] + ", " + EmitCast("0", call.type) + ")";
}
std::string EmitNullIfZero(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "NULLIF(" + args[0] + ", 0)";
}
// equal_null(a, b): a = b with NULL equal to NULL; never NULL.
Result<DataType> BindEqualNull(const FunctionBindContext& ctx, Args& args) {
  auto common = CommonType(args[0]->type, args[1]->type, ctx.dialect);
  if (!common) return Status::InvalidArgument("the arguments cannot be compared");
  DataType type = common->id == TypeId::kNull ? kInt : *common;
  args[0] = CastTo(args[0], type);
  args[1] = CastTo(args[1], type);
  return kBoolean;
}
std::string EmitEqualNull(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(" + args[0] + " IS NOT DISTINCT FROM " + args[1] + ")";
}
Result<DataType> BindPredicate(const FunctionBindContext&, Args&) { return kBoolean; }
std::string EmitIsNull(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(" + args[0] + " IS NULL)";
}
std::string EmitIsNotNull(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(" + args[0] + " IS NOT NULL)";
}
// isnan(x): false for NULL.
Result<DataType> BindIsNan(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  args[0] = CastTo(args[0], DataType::Of(TypeId::kDouble));
  return kBoolean;
}
std::string EmitIsNan(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "COALESCE(isnan(" + args[0] + "), false)";
}
// typeof(x): Spark's name of x's type, known when the query is bound.
Result<DataType> BindTypeof(const FunctionBindContext&, Args&) { return kString; }
std::string EmitTypeof(const FunctionEmitContext&, const Expression& call, const Emitted&) {
  const DataType& t = call.children[0]->type;
  return QuoteString(t.id == TypeId::kNull ? "void" : t.ToString());
}

constexpr FunctionDef kFunctions[] = {
    {"zeroifnull", FunctionKind::kScalar, 1, 1, BindNumberOrNull, EmitZeroIfNull},
    {"nullifzero", FunctionKind::kScalar, 1, 1, BindNumberOrNull, EmitNullIfZero},
    {"equal_null", FunctionKind::kScalar, 2, 2, BindEqualNull, EmitEqualNull},
    {"isnull", FunctionKind::kScalar, 1, 1, BindPredicate, EmitIsNull},
    {"isnotnull", FunctionKind::kScalar, 1, 1, BindPredicate, EmitIsNotNull},
    {"isnan", FunctionKind::kScalar, 1, 1, BindIsNan, EmitIsNan},
    {"typeof", FunctionKind::kScalar, 1, 1, BindTypeof, EmitTypeof},
};

}  // namespace

FunctionTable ConditionalFunctions() { return {kFunctions, std::size(kFunctions), "conditional"}; }

}  // namespace cleanroom::sql
