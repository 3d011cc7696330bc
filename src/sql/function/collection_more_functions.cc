// More array and map functions (Spark 4), written for DuckDB lists and maps: array_join,
// array_max, array_min, array_position, array_remove, array_repeat, arrays_overlap, flatten,
// slice, array_sort (without a comparator), sequence (integers), map_entries, map_from_arrays,
// map_from_entries, str_to_map (literal delimiters), array_insert.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// arr and a value of its element type (both widened to their common type).
Status NeedArrayAndElement(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  auto common = WiderType(args[0]->type.children[0], args[1]->type, ctx.dialect);
  if (!common)
    return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the value does not match the elements");
  DataType type = common->id == TypeId::kNull ? kInt : *common;
  args[0] = CastTo(args[0], DataType::Array(type));
  args[1] = CastTo(args[1], type);
  return Status::OK();
}

// array_insert(arr, pos, v): 1-based; a negative pos counts from the end (-1 appends); past
// either end the gap is filled with NULLs; pos 0 is an error. A string value does not meet
// numeric elements (Spark's analysis error).
Result<DataType> BindArrayInsert(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id == TypeId::kNull)
    args[0] =
        CastTo(args[0], DataType::Array(args[2]->type.id == TypeId::kNull ? kInt : args[2]->type));
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  bool element_string = args[0]->type.children[0].id == TypeId::kString;
  bool value_string = args[2]->type.id == TypeId::kString;
  if (args[2]->type.id != TypeId::kNull && args[0]->type.children[0].id != TypeId::kNull &&
      element_string != value_string) {
    return Status::InvalidArgument(
        "[DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES] the value does not match the elements");
  }
  std::swap(args[1], args[2]);
  Status widened = NeedArrayAndElement(ctx, args);
  std::swap(args[1], args[2]);
  CR_RETURN_IF_ERROR(widened);
  return args[0]->type;
}
std::string EmitArrayInsert(const FunctionEmitContext& ctx, const Expression& call,
                            const Emitted& args) {
  const std::string& a = args[0];
  const std::string& p = args[1];
  const std::string value = "[" + args[2] + "]";
  std::string null_element = EmitCast("NULL", call.type.children[0]);
  auto nulls = [&](const std::string& count) {
    return "list_transform(range(" + count + "), lambda __x: " + null_element + ")";
  };
  // The 0-based place of a negative pos: len + pos + 1.
  std::string back = "(len(" + a + ") + " + p + " + 1)";
  return "CASE WHEN " + a + " IS NULL OR " + p + " IS NULL THEN NULL WHEN " + p + " = 0 THEN " +
         EmitError(ctx, "[INVALID_INDEX_OF_ZERO] array_insert index 0") + " WHEN " + p + " > len(" +
         a + ") + 1 THEN list_concat(" + a + ", " + nulls(p + " - len(" + a + ") - 1") + ", " +
         value + ") WHEN " + p + " > 0 THEN list_concat(" + a + "[1:" + p + " - 1], " + value +
         ", " + a + "[" + p + ":]) WHEN " + back + " >= 0 THEN list_concat(" + a + "[1:" + back +
         "], " + value + ", " + a + "[" + back + " + 1:]) ELSE list_concat(" + value + ", " +
         nulls("-" + back) + ", " + a + ") END";
}

// array_join(arr, delimiter [, nullReplacement]): NULL elements skipped unless replaced.
Result<DataType> BindArrayJoin(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  args[0] = CastTo(args[0], DataType::Array(kString));
  for (size_t i = 1; i < args.size(); ++i) args[i] = CastTo(args[i], kString);
  return kString;
}
std::string EmitArrayJoin(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string list = args[0];
  if (args.size() == 3)
    list = "list_transform(" + args[0] + ", lambda e: COALESCE(e, " + args[2] + "))";
  return NullIfAnyNull(
      args, "array_to_string(list_filter(" + list + ", lambda e: e IS NOT NULL), " + args[1] + ")");
}
// array_max / array_min (arr): the largest / smallest non-NULL element.
Result<DataType> BindElement(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  return args[0]->type.children[0];
}
std::string EmitArrayMax(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "list_max(" + args[0] + ")";
}
std::string EmitArrayMin(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "list_min(" + args[0] + ")";
}
// array_position(arr, v): the 1-based position of the first v, 0 when absent (bigint).
Result<DataType> BindArrayPosition(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedArrayAndElement(ctx, args));
  return kBigInt;
}
std::string EmitArrayPosition(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(args, "CAST(COALESCE(list_position(list_transform(" + args[0] +
                                 ", lambda e: e IS NOT DISTINCT FROM " + args[1] +
                                 "), true), 0) AS BIGINT)");
}
// array_remove(arr, v): without the elements equal to v (NULL elements stay).
Result<DataType> BindArrayRemove(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedArrayAndElement(ctx, args));
  return args[0]->type;
}
std::string EmitArrayRemove(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(args,
                       "list_filter(" + args[0] + ", lambda e: e IS NULL OR e <> " + args[1] + ")");
}
// array_repeat(v, n): n copies of v (none for n <= 0).
Result<DataType> BindArrayRepeat(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kNull) args[0] = CastTo(args[0], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return DataType::Array(args[0]->type);
}
std::string EmitArrayRepeat(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(
      {args[1]}, "list_transform(range(greatest(" + args[1] + ", 0)), lambda i: " + args[0] + ")");
}
// arrays_overlap(a, b): true when they share a non-NULL element; NULL when they do not but
// both are non-empty and one holds a NULL; else false.
Result<DataType> BindArraysOverlap(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedArray(args, 1));
  auto common = WiderType(args[0]->type, args[1]->type, ctx.dialect);
  if (!common) return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the arrays' elements differ");
  args[0] = CastTo(args[0], *common);
  args[1] = CastTo(args[1], *common);
  return kBoolean;
}
std::string EmitArraysOverlap(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string has_null = "(list_contains(list_transform(" + args[0] +
                         ", lambda e: e IS NULL), true) OR list_contains(list_transform(" +
                         args[1] + ", lambda e: e IS NULL), true))";
  return NullIfAnyNull(args, "CASE WHEN list_has_any(" + args[0] + ", " + args[1] +
                                 ") THEN true WHEN len(" + args[0] + ") > 0 AND len(" + args[1] +
                                 ") > 0 AND " + has_null + " THEN NULL ELSE false END");
}
// flatten(arr of arrays): NULL when any inner array is.
Result<DataType> BindFlatten(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  if (args[0]->type.children[0].id != TypeId::kArray)
    return Status::InvalidArgument("needs an array of arrays");
  return args[0]->type.children[0];
}
std::string EmitFlatten(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN list_contains(list_transform(" + args[0] +
         ", lambda e: e IS NULL), true) THEN NULL ELSE flatten(" + args[0] + ") END";
}
// slice(arr, start, length): 1-based, a negative start counts from the end; start 0 or a
// negative length is an error.
Result<DataType> BindSlice(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 2, kInt));
  return args[0]->type;
}
std::string EmitSlice(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  std::string begin = "CASE WHEN " + args[1] + " < 0 THEN len(" + args[0] + ") + " + args[1] +
                      " + 1 ELSE " + args[1] + " END";
  return NullIfAnyNull(
      args, "CASE WHEN " + args[1] + " = 0 THEN " +
                EmitError(ctx, "[INVALID_PARAMETER_VALUE.START] slice start 0") + " WHEN " +
                args[2] + " < 0 THEN " +
                EmitError(ctx, "[INVALID_PARAMETER_VALUE.LENGTH] negative slice length") +
                " WHEN " + begin + " < 1 THEN [] ELSE list_slice(" + args[0] + ", " + begin + ", " +
                begin + " + " + args[2] + " - 1) END");
}
// array_sort(arr): ascending, NULLs last.
Result<DataType> BindArraySort(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  return args[0]->type;
}
std::string EmitArraySort(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "list_sort(" + args[0] + ", 'ASC', 'NULLS LAST')";
}
// sequence(start, stop [, step]) over integers: start to stop inclusive, step 1 or -1 by
// default; a step of the wrong sign is an error.
Result<DataType> BindSequence(const FunctionBindContext&, Args& args) {
  for (size_t i = 0; i < args.size(); ++i) CR_RETURN_IF_ERROR(NeedIntegral(args, i, kBigInt));
  return DataType::Array(kBigInt);
}
std::string EmitSequence(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  std::string step = args.size() == 3
                         ? args[2]
                         : "CASE WHEN " + args[0] + " <= " + args[1] + " THEN 1 ELSE -1 END";
  return NullIfAnyNull(
      args, "CASE WHEN (" + step + " = 0 AND " + args[0] + " <> " + args[1] + ") OR (" + step +
                " > 0 AND " + args[0] + " > " + args[1] + ") OR (" + step + " < 0 AND " + args[0] +
                " < " + args[1] + ") THEN " +
                EmitError(ctx, "[INVALID_PARAMETER_VALUE] sequence step of the wrong sign") +
                " WHEN " + args[0] + " = " + args[1] + " THEN [" + args[0] +
                "] ELSE generate_series(" + args[0] + ", " + args[1] + ", " + step + ") END");
}

// map_entries(m): array<struct<key, value>>.
Result<DataType> BindMapEntries(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kMap) return Status::InvalidArgument("argument 1 must be a map");
  return DataType::Array(
      DataType::Struct({"key", "value"}, {args[0]->type.children[0], args[0]->type.children[1]}));
}
std::string EmitMapEntries(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "map_entries(" + args[0] + ")";
}
// map_from_arrays(keys, values): arrays of equal length; a NULL or repeated key is an error.
Result<DataType> BindMapFromArrays(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedArray(args, 1));
  return DataType::Map(args[0]->type.children[0], args[1]->type.children[0]);
}
std::string EmitMapFromArrays(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(args, "MAP(" + args[0] + ", " + args[1] + ")");
}
// map_from_entries(array of structs (key, value)).
Result<DataType> BindMapFromEntries(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  const DataType& entry = args[0]->type.children[0];
  if (entry.id != TypeId::kStruct || entry.children.size() != 2) {
    return Status::InvalidArgument("needs an array of two-field structs");
  }
  return DataType::Map(entry.children[0], entry.children[1]);
}
std::string EmitMapFromEntries(const FunctionEmitContext&, const Expression& call,
                               const Emitted& args) {
  const DataType& entry = call.children[0]->type.children[0];
  return NullIfAnyNull(args, "MAP(list_transform(" + args[0] + ", lambda e: e[" +
                                 QuoteString(entry.field_names[0]) + "]), list_transform(" +
                                 args[0] + ", lambda e: e[" + QuoteString(entry.field_names[1]) +
                                 "]))");
}
// str_to_map(text [, pairDelim [, keyValueDelim]]): ',' and ':' by default; the delimiters
// must be literals without regular-expression characters (Spark reads them as patterns).
Result<DataType> BindStrToMap(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  for (size_t i = 1; i < args.size(); ++i) {
    CR_ASSIGN_OR_RETURN(std::string delimiter, NeedStringLiteral(args, i, "the delimiter"));
    if (delimiter.empty() || delimiter.find_first_of("\\^$.|?*+()[]{}") != std::string::npos) {
      return Status::Unimplemented("str_to_map with a delimiter holding pattern characters");
    }
  }
  return DataType::Map(kString, kString);
}
std::string EmitStrToMap(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string pair = args.size() >= 2 ? args[1] : "','";
  std::string kv = args.size() == 3 ? args[2] : "':'";
  std::string pairs = "string_split(" + args[0] + ", " + pair + ")";
  return NullIfAnyNull(
      {args[0]}, "MAP(list_transform(" + pairs + ", lambda p: split_part(p, " + kv +
                     ", 1)), list_transform(" + pairs + ", lambda p: CASE WHEN contains(p, " + kv +
                     ") THEN substring(p, instr(p, " + kv + ") + length(" + kv + ")) END))");
}

constexpr FunctionDef kFunctions[] = {
    {"array_join", FunctionKind::kScalar, 2, 3, BindArrayJoin, EmitArrayJoin},
    {"array_max", FunctionKind::kScalar, 1, 1, BindElement, EmitArrayMax},
    {"array_min", FunctionKind::kScalar, 1, 1, BindElement, EmitArrayMin},
    {"array_position", FunctionKind::kScalar, 2, 2, BindArrayPosition, EmitArrayPosition},
    {"array_remove", FunctionKind::kScalar, 2, 2, BindArrayRemove, EmitArrayRemove},
    {"array_repeat", FunctionKind::kScalar, 2, 2, BindArrayRepeat, EmitArrayRepeat},
    {"arrays_overlap", FunctionKind::kScalar, 2, 2, BindArraysOverlap, EmitArraysOverlap},
    {"flatten", FunctionKind::kScalar, 1, 1, BindFlatten, EmitFlatten},
    {"slice", FunctionKind::kScalar, 3, 3, BindSlice, EmitSlice},
    {"array_sort", FunctionKind::kScalar, 1, 1, BindArraySort, EmitArraySort},
    {"sequence", FunctionKind::kScalar, 2, 3, BindSequence, EmitSequence},
    {"map_entries", FunctionKind::kScalar, 1, 1, BindMapEntries, EmitMapEntries},
    {"map_from_arrays", FunctionKind::kScalar, 2, 2, BindMapFromArrays, EmitMapFromArrays},
    {"map_from_entries", FunctionKind::kScalar, 1, 1, BindMapFromEntries, EmitMapFromEntries},
    {"str_to_map", FunctionKind::kScalar, 1, 3, BindStrToMap, EmitStrToMap},
    {"array_insert", FunctionKind::kScalar, 3, 3, BindArrayInsert, EmitArrayInsert},
};

}  // namespace

FunctionTable MoreCollectionFunctions() { return {kFunctions, std::size(kFunctions), "array"}; }

}  // namespace cleanroom::sql
