// Array, map and struct functions (Spark 4, ANSI mode), written for DuckDB lists, maps and
// structs: array, size / cardinality / array_size, array_contains, element_at, get,
// array_append, array_prepend, array_compact, sort_array, map, map_contains_key, map_keys,
// map_values, named_struct, struct.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// The type every argument in [from, to) (by `step`) widens to; untyped NULLs alone are int.
Result<DataType> WidenAll(const FunctionBindContext& ctx, Args& args, size_t from, size_t step) {
  DataType common = DataType::Of(TypeId::kNull);
  for (size_t i = from; i < args.size(); i += step) {
    auto wider = WiderType(common, args[i]->type, ctx.dialect);
    if (!wider)
      return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the elements have no common type");
    common = *wider;
  }
  if (common.id == TypeId::kNull) common = kInt;
  for (size_t i = from; i < args.size(); i += step) args[i] = CastTo(args[i], common);
  return common;
}

// array(a, b, ...): array of the elements' common type.
Result<DataType> BindArray(const FunctionBindContext& ctx, Args& args) {
  CR_ASSIGN_OR_RETURN(DataType element, WidenAll(ctx, args, 0, 1));
  return DataType::Array(element);
}
std::string EmitArray(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (args.empty()) return EmitCast("[]", call.type);
  return "[" + JoinArguments(args) + "]";
}
// size(x) / cardinality(x): elements of an array or entries of a map; NULL for NULL (ANSI).
Result<DataType> BindSize(const FunctionBindContext&, Args& args) {
  TypeId id = args[0]->type.id;
  if (id != TypeId::kArray && id != TypeId::kMap && id != TypeId::kNull) {
    return Status::InvalidArgument("argument 1 must be an array or a map");
  }
  return kInt;
}
std::string EmitSize(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (call.children[0]->type.id == TypeId::kNull) return "CAST(NULL AS INTEGER)";
  if (call.children[0]->type.id == TypeId::kMap)
    return "CAST(cardinality(" + args[0] + ") AS INTEGER)";
  return "CAST(len(" + args[0] + ") AS INTEGER)";
}
Result<DataType> BindArraySize(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id == TypeId::kMap)
    return Status::InvalidArgument("argument 1 must be an array");
  return BindSize(ctx, args);
}
// array_contains(arr, v): NULL when v is NULL, or when v is absent and arr holds a NULL.
Result<DataType> BindContains(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  auto common = CommonType(args[0]->type.children[0], args[1]->type, ctx.dialect);
  if (!common)
    return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the value does not match the elements");
  if (common->id == TypeId::kNull) common = kInt;
  args[0] = CastTo(args[0], DataType::Array(*common));
  args[1] = CastTo(args[1], *common);
  return kBoolean;
}
std::string EmitContains(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " IS NULL OR " + args[1] +
         " IS NULL THEN NULL WHEN list_contains(" + args[0] + ", " + args[1] +
         ") THEN true WHEN list_contains(list_transform(" + args[0] +
         ", lambda e: e IS NULL), true) THEN NULL ELSE false END";
}
// element_at(arr, i): 1-based, negative from the end; 0 or out of range an error (ANSI).
// element_at(map, k): the value, NULL when k is absent.
Result<DataType> BindElementAt(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id == TypeId::kMap) {
    auto common = CommonType(args[0]->type.children[0], args[1]->type, ctx.dialect);
    if (!common)
      return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the key does not match the map's keys");
    args[1] = CastTo(args[1], args[0]->type.children[0]);
    return args[0]->type.children[1];
  }
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return args[0]->type.children[0];
}
std::string MapValue(const std::string& map, const std::string& key) {
  return "list_extract(map_values(" + map + "), list_position(map_keys(" + map + "), " + key + "))";
}
std::string EmitElementAt(const FunctionEmitContext& ctx, const Expression& call,
                          const Emitted& args) {
  if (call.children[0]->type.id == TypeId::kMap) return MapValue(args[0], args[1]);
  return "CASE WHEN " + args[1] + " = 0 THEN " +
         EmitError(ctx, "[INVALID_INDEX_OF_ZERO] element_at index 0") + " WHEN abs(" + args[1] +
         ") > len(" + args[0] + ") THEN " +
         EmitError(ctx, "[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] index out of bounds") + " ELSE " +
         args[0] + "[" + args[1] + "] END";
}
// get(arr, i): 0-based; NULL out of range.
Result<DataType> BindGet(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return args[0]->type.children[0];
}
std::string EmitGet(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[1] + " >= 0 THEN " + args[0] + "[" + args[1] + " + 1] END";
}
// array_append(arr, v) / array_prepend(arr, v): NULL when arr is.
Result<DataType> BindAppend(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id == TypeId::kNull)
    return Status::InvalidArgument("argument 1 must be an array");
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  DataType element = args[0]->type.children[0];
  auto wider = WiderType(element, args[1]->type, ctx.dialect);
  if (!wider)
    return Status::InvalidArgument("[DATA_TYPE_MISMATCH] the value does not match the elements");
  DataType type = wider->id == TypeId::kNull ? kInt : *wider;
  args[0] = CastTo(args[0], DataType::Array(type));
  args[1] = CastTo(args[1], type);
  return DataType::Array(type);
}
std::string EmitAppend(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " IS NOT NULL THEN list_append(" + args[0] + ", " + args[1] +
         ") END";
}
std::string EmitPrepend(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " IS NOT NULL THEN list_prepend(" + args[1] + ", " + args[0] +
         ") END";
}
// array_compact(arr): without its NULLs.
Result<DataType> BindSameArray(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  return args[0]->type;
}
std::string EmitCompact(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "list_filter(" + args[0] + ", lambda e: e IS NOT NULL)";
}
// A NULL literal, or a cast of one.
bool IsNullConstant(const Expression& e) {
  if (e.kind == ExprKind::kCast) return IsNullConstant(*e.children[0]);
  return e.kind == ExprKind::kLiteral && e.is_null;
}
// sort_array(arr [, ascending]): NULLs first ascending, last descending; the flag a literal
// (a NULL flag gives NULL).
Result<DataType> BindSortArray(const FunctionBindContext& ctx, Args& args) {
  if (args.size() == 2 && !IsNullConstant(*args[1])) {
    const Expression& flag = *args[1];
    if (flag.kind != ExprKind::kLiteral || flag.type.id != TypeId::kBoolean) {
      return Status::InvalidArgument(
          "[DATA_TYPE_MISMATCH] the sort order must be a boolean literal");
    }
  }
  return BindSameArray(ctx, args);
}
std::string EmitSortArray(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (call.children.size() == 2 && IsNullConstant(*call.children[1]))
    return EmitCast("NULL", call.type);
  bool ascending = call.children.size() == 1 || call.children[1]->value == "true";
  return "list_sort(" + args[0] +
         (ascending ? ", 'ASC', 'NULLS FIRST')" : ", 'DESC', 'NULLS LAST')");
}

// map(k1, v1, k2, v2, ...): keys and values of their common types; a NULL or repeated key is an
// error.
Result<DataType> BindMap(const FunctionBindContext& ctx, Args& args) {
  if (args.size() % 2 != 0)
    return Status::InvalidArgument("[WRONG_NUM_ARGS] map takes key, value pairs");
  CR_ASSIGN_OR_RETURN(DataType key, WidenAll(ctx, args, 0, 2));
  CR_ASSIGN_OR_RETURN(DataType value, WidenAll(ctx, args, 1, 2));
  return DataType::Map(key, value);
}
std::string EmitMap(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (args.empty()) return EmitCast("MAP()", call.type);
  Emitted keys;
  Emitted values;
  for (size_t i = 0; i < args.size(); i += 2) {
    keys.push_back(args[i]);
    values.push_back(args[i + 1]);
  }
  return "MAP([" + JoinArguments(keys) + "], [" + JoinArguments(values) + "])";
}
// map_contains_key(m, k).
Result<DataType> BindContainsKey(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id != TypeId::kMap) return Status::InvalidArgument("argument 1 must be a map");
  // Spark finds a common type without reading strings as numbers (MAP_FUNCTION_DIFF_TYPES).
  bool map_string = args[0]->type.children[0].id == TypeId::kString;
  bool key_string = args[1]->type.id == TypeId::kString;
  auto common = CommonType(args[0]->type.children[0], args[1]->type, ctx.dialect);
  if (!common || (map_string != key_string && args[1]->type.id != TypeId::kNull)) {
    return Status::InvalidArgument(
        "[DATA_TYPE_MISMATCH.MAP_FUNCTION_DIFF_TYPES] the key does not match the map's keys");
  }
  args[0] = CastTo(args[0], DataType::Map(*common, args[0]->type.children[1]));
  args[1] = CastTo(args[1], *common);
  return kBoolean;
}
std::string EmitContainsKey(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "list_contains(map_keys(" + args[0] + "), " + args[1] + ")";
}
Result<DataType> BindMapKeys(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kMap) return Status::InvalidArgument("argument 1 must be a map");
  return DataType::Array(args[0]->type.children[0]);
}
Result<DataType> BindMapValues(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kMap) return Status::InvalidArgument("argument 1 must be a map");
  return DataType::Array(args[0]->type.children[1]);
}
std::string EmitNamed(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return NamedCall(call.function->name, args);
}

// named_struct('a', v1, 'b', v2, ...): the names string literals.
Result<DataType> BindNamedStruct(const FunctionBindContext&, Args& args) {
  if (args.empty() || args.size() % 2 != 0) {
    return Status::InvalidArgument("[WRONG_NUM_ARGS] named_struct takes name, value pairs");
  }
  std::vector<std::string> names;
  std::vector<DataType> fields;
  for (size_t i = 0; i < args.size(); i += 2) {
    CR_ASSIGN_OR_RETURN(std::string name, NeedStringLiteral(args, i, "a field name"));
    if (args[i + 1]->type.id == TypeId::kNull) args[i + 1] = CastTo(args[i + 1], kInt);
    names.push_back(name);
    fields.push_back(args[i + 1]->type);
  }
  return DataType::Struct(names, fields);
}
std::string StructPack(const DataType& type, const std::vector<std::string>& values) {
  std::string out = "struct_pack(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteIdentifier(type.field_names[i]) + " := " + values[i];
  }
  return out + ")";
}
std::string EmitNamedStruct(const FunctionEmitContext&, const Expression& call,
                            const Emitted& args) {
  Emitted values;
  for (size_t i = 1; i < args.size(); i += 2) values.push_back(args[i]);
  return StructPack(call.type, values);
}
// struct(a, b, ...): fields named after the columns they read, else col1, col2, ...
Result<DataType> BindStruct(const FunctionBindContext&, Args& args) {
  std::vector<std::string> names;
  std::vector<DataType> fields;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i]->type.id == TypeId::kNull) args[i] = CastTo(args[i], kInt);
    names.push_back(args[i]->kind == ExprKind::kColumnRef && !args[i]->name.empty()
                        ? args[i]->name
                        : "col" + std::to_string(i + 1));
    fields.push_back(args[i]->type);
  }
  return DataType::Struct(names, fields);
}
std::string EmitStruct(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return StructPack(call.type, args);
}

// x[i] (the parser's `[]`(x, i)): an array element, 0-based, an index out of range an error
// (ANSI: INVALID_ARRAY_INDEX); a map's value, NULL when the key is absent.
Result<DataType> BindSubscript(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id == TypeId::kMap) return BindElementAt(ctx, args);
  CR_RETURN_IF_ERROR(NeedArray(args, 0));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return args[0]->type.children[0];
}
std::string EmitSubscript(const FunctionEmitContext& ctx, const Expression& call,
                          const Emitted& args) {
  if (call.children[0]->type.id == TypeId::kMap) return MapValue(args[0], args[1]);
  return "CASE WHEN " + args[1] + " < 0 OR " + args[1] + " >= len(" + args[0] + ") THEN " +
         EmitError(ctx, "[INVALID_ARRAY_INDEX] index out of bounds") + " ELSE " + args[0] + "[" +
         args[1] + " + 1] END";
}

constexpr FunctionDef kFunctions[] = {
    {"[]", FunctionKind::kScalar, 2, 2, BindSubscript, EmitSubscript},
    {"array", FunctionKind::kScalar, 0, -1, BindArray, EmitArray},
    {"size", FunctionKind::kScalar, 1, 1, BindSize, EmitSize},
    {"cardinality", FunctionKind::kScalar, 1, 1, BindSize, EmitSize},
    {"array_size", FunctionKind::kScalar, 1, 1, BindArraySize, EmitSize},
    {"array_contains", FunctionKind::kScalar, 2, 2, BindContains, EmitContains},
    {"element_at", FunctionKind::kScalar, 2, 2, BindElementAt, EmitElementAt},
    {"get", FunctionKind::kScalar, 2, 2, BindGet, EmitGet},
    {"array_append", FunctionKind::kScalar, 2, 2, BindAppend, EmitAppend},
    {"array_prepend", FunctionKind::kScalar, 2, 2, BindAppend, EmitPrepend},
    {"array_compact", FunctionKind::kScalar, 1, 1, BindSameArray, EmitCompact},
    {"sort_array", FunctionKind::kScalar, 1, 2, BindSortArray, EmitSortArray},
    {"map", FunctionKind::kScalar, 0, -1, BindMap, EmitMap},
    {"map_contains_key", FunctionKind::kScalar, 2, 2, BindContainsKey, EmitContainsKey},
    {"map_keys", FunctionKind::kScalar, 1, 1, BindMapKeys, EmitNamed},
    {"map_values", FunctionKind::kScalar, 1, 1, BindMapValues, EmitNamed},
    {"named_struct", FunctionKind::kScalar, 2, -1, BindNamedStruct, EmitNamedStruct},
    {"struct", FunctionKind::kScalar, 1, -1, BindStruct, EmitStruct},
};

}  // namespace

FunctionTable CollectionFunctions() { return {kFunctions, std::size(kFunctions), "array"}; }

}  // namespace cleanroom::sql
