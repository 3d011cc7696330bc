// Spark's set functions over arrays (Spark 4), written for DuckDB lists: array_distinct,
// array_union, array_intersect, array_except. Each keeps the first occurrence of every element
// in the order of the first array (then the second, for array_union); NULL counts as one
// element; NaN equals NaN and 0.0 equals -0.0 (DuckDB's comparison, as Spark 4 normalises).
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// The 1-based place of the first element of `list` equal to `value` (a NULL value: of the first
// NULL); NULL when there is none.
std::string FirstPlace(const std::string& list, const std::string& value) {
  return "CASE WHEN " + value + " IS NULL THEN list_position(list_transform(" + list +
         ", lambda __v: __v IS NULL), true) ELSE list_position(" + list + ", " + value + ") END";
}

// The elements of `list` at their first occurrence that also satisfy `keep` (a condition on the
// element `list[__i]`).
std::string DistinctWhere(const std::string& list, const std::string& keep) {
  std::string element = list + "[__i]";
  std::string condition = FirstPlace(list, element) + " = __i";
  if (!keep.empty()) condition = "(" + condition + ") AND (" + keep + ")";
  return "CASE WHEN " + list + " IS NULL THEN NULL ELSE list_transform(list_filter(range(1, len(" +
         list + ") + 1), lambda __i: " + condition + "), lambda __i: " + element + ") END";
}

Result<DataType> BindArrayDistinct(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  return args[0]->type;
}
std::string EmitArrayDistinct(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return DistinctWhere(args[0], "");
}

// Two arrays, cast to their common array type (a string does not meet a number: Spark's
// DATA_TYPE_MISMATCH).
Result<DataType> BindTwoArrays(const FunctionBindContext& ctx, Args& args) {
  for (size_t i = 0; i < 2; ++i) {
    if (args[i]->type.id == TypeId::kNull) args[i] = CastTo(args[i], DataType::Array(kInt));
    CR_RETURN_IF_ERROR(NeedArray(args, i));
  }
  auto common = WiderType(args[0]->type, args[1]->type, ctx.dialect);
  if (!common) return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the arrays' elements differ");
  args[0] = CastTo(args[0], *common);
  args[1] = CastTo(args[1], *common);
  return *common;
}
std::string EmitArrayUnion(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(args, DistinctWhere("list_concat(" + args[0] + ", " + args[1] + ")", ""));
}
std::string EmitArrayIntersect(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(
      args, DistinctWhere(args[0], FirstPlace(args[1], args[0] + "[__i]") + " IS NOT NULL"));
}
std::string EmitArrayExcept(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(args,
                       DistinctWhere(args[0], FirstPlace(args[1], args[0] + "[__i]") + " IS NULL"));
}

constexpr FunctionDef kFunctions[] = {
    {"array_distinct", FunctionKind::kScalar, 1, 1, BindArrayDistinct, EmitArrayDistinct},
    {"array_union", FunctionKind::kScalar, 2, 2, BindTwoArrays, EmitArrayUnion},
    {"array_intersect", FunctionKind::kScalar, 2, 2, BindTwoArrays, EmitArrayIntersect},
    {"array_except", FunctionKind::kScalar, 2, 2, BindTwoArrays, EmitArrayExcept},
};

}  // namespace

FunctionTable ArraySetFunctions() { return {kFunctions, std::size(kFunctions), "array"}; }

}  // namespace cleanroom::sql
