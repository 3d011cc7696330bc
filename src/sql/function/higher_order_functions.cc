// Higher-order functions (Spark 4, ANSI mode): the array and map functions that take a lambda.
// transform, filter, exists, forall, aggregate / reduce, zip_with (arrays; and arrays_zip, its
// sibling without a lambda); map_filter, transform_keys, transform_values (maps). A lambda argument
// is bound as ExprKind::kLambda (planner/bind_lambda.cc): its parameters have
// unique names in the emitted SQL, and these emitters write DuckDB's `lambda p: body` around its
// body. Where Spark's parameter is not DuckDB's (a 0-based index, a map entry's key and value, the
// elements of two arrays), the parameter is bound to its value by `Let` (a one-element
// list_transform).
#include <algorithm>

#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// The unique name of parameter `i` of the lambda `lambda` (a kLambda expression).
const std::string& Parameter(const Expression& lambda, size_t i) {
  return lambda.children[1 + i]->name;
}
size_t ParameterCount(const Expression& lambda) { return lambda.children.size() - 1; }

// `body` with `name` bound to `value`.
std::string Let(const std::string& name, const std::string& value, const std::string& body) {
  return "list_transform([" + value + "], lambda " + name + ": " + body + ")[1]";
}

Status NeedParameters(size_t count, size_t least, size_t most, const char* function) {
  if (count < least || count > most) {
    return Status::InvalidArgument(
        std::string("[INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH] ") + function +
        "'s lambda takes " + std::to_string(least) +
        (least == most ? "" : " or " + std::to_string(most)) + " parameters, not " +
        std::to_string(count));
  }
  return Status::OK();
}

Status NeedLambda(const Args& args, size_t i) {
  if (args[i]->kind != ExprKind::kLambda) {
    return Status::InvalidArgument("argument " + std::to_string(i + 1) +
                                   " must be a lambda function");
  }
  return Status::OK();
}

DataType ElementOf(const DataType& array) {
  return array.id == TypeId::kArray ? array.children[0] : DataType::Of(TypeId::kNull);
}

Result<DataType> BindLambdaArray(const Args& args) {
  if (args[0]->type.id != TypeId::kArray && args[0]->type.id != TypeId::kNull) {
    return Status::InvalidArgument(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] argument 1 must be an array");
  }
  return ElementOf(args[0]->type);
}

// transform(arr, x -> f) / transform(arr, (x, i) -> f) and filter(...): element, then the index.
Result<std::vector<DataType>> ElementAndIndex(size_t index, size_t count, const Args& args) {
  if (index != 1) return Status::InvalidArgument("argument 1 must be an array");
  CR_RETURN_IF_ERROR(NeedParameters(count, 1, 2, "this function"));
  CR_ASSIGN_OR_RETURN(DataType element, BindLambdaArray(args));
  std::vector<DataType> types = {element};
  if (count == 2) types.push_back(kInt);
  return types;
}
// The lambda as DuckDB's, with Spark's 0-based index bound when it names one.
std::string ElementLambda(const Expression& lambda, const std::string& body) {
  if (ParameterCount(lambda) == 1) return "lambda " + Parameter(lambda, 0) + ": " + body;
  const std::string& index = Parameter(lambda, 1);
  return "lambda " + Parameter(lambda, 0) + ", " + index +
         "_1: " + Let(index, "CAST(" + index + "_1 - 1 AS INTEGER)", body);
}

Result<DataType> BindTransform(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedLambda(args, 1));
  CR_RETURN_IF_ERROR(BindLambdaArray(args).status());
  return DataType::Array(args[1]->type.id == TypeId::kNull ? kInt : args[1]->type);
}
std::string EmitTransform(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return "list_transform(" + args[0] + ", " + ElementLambda(*call.children[1], args[1]) + ")";
}

Result<DataType> BindPredicateLambda(const Args& args) {
  CR_RETURN_IF_ERROR(NeedLambda(args, 1));
  if (args[1]->type.id != TypeId::kBoolean && args[1]->type.id != TypeId::kNull) {
    return Status::InvalidArgument(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] the lambda must return a boolean");
  }
  return BindLambdaArray(args);
}
Result<DataType> BindFilter(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(BindPredicateLambda(args).status());
  return args[0]->type.id == TypeId::kNull ? DataType::Array(kInt) : args[0]->type;
}
std::string EmitFilter(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return "list_filter(" + args[0] + ", " + ElementLambda(*call.children[1], args[1]) + ")";
}

// exists / forall: three-valued, as Spark: a NULL from the predicate makes the answer NULL
// unless some element decides it.
Result<std::vector<DataType>> ElementOnly(size_t index, size_t count, const Args& args) {
  if (index != 1) return Status::InvalidArgument("argument 1 must be an array");
  CR_RETURN_IF_ERROR(NeedParameters(count, 1, 1, "this function"));
  CR_ASSIGN_OR_RETURN(DataType element, BindLambdaArray(args));
  return std::vector<DataType>{element};
}
Result<DataType> BindQuantifier(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(BindPredicateLambda(args).status());
  return kBoolean;
}
std::string EmitQuantifier(const Expression& call, const Emitted& args, bool exists) {
  std::string results =
      "list_transform(" + args[0] + ", " + ElementLambda(*call.children[1], args[1]) + ")";
  std::string decides = exists ? "true" : "false";
  return "CASE WHEN " + args[0] + " IS NULL THEN NULL WHEN list_contains(" + results + ", " +
         decides + ") THEN " + decides + " WHEN list_contains(list_transform(" + results +
         ", lambda __v: __v IS NULL), true) THEN NULL ELSE " + (exists ? "false" : "true") + " END";
}
std::string EmitExists(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return EmitQuantifier(call, args, true);
}
std::string EmitForall(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return EmitQuantifier(call, args, false);
}

// aggregate(arr, start, (acc, x) -> merge [, acc -> finish]): merge must keep start's type.
Result<std::vector<DataType>> AggregateParameters(size_t index, size_t count, const Args& args) {
  if (index == 2) {
    CR_RETURN_IF_ERROR(NeedParameters(count, 2, 2, "aggregate"));
    CR_ASSIGN_OR_RETURN(DataType element, BindLambdaArray(args));
    return std::vector<DataType>{args[1]->type, element};
  }
  if (index == 3) {
    CR_RETURN_IF_ERROR(NeedParameters(count, 1, 1, "aggregate"));
    return std::vector<DataType>{args[1]->type};
  }
  return Status::InvalidArgument("argument " + std::to_string(index + 1) + " may not be a lambda");
}
// The parameters of `e` (a lambda) and of the lambdas inside it.
void CollectDeclared(const Expression& e, std::vector<std::string>& names) {
  if (e.kind == ExprKind::kLambda) {
    for (size_t i = 1; i < e.children.size(); ++i) names.push_back(e.children[i]->name);
  }
  for (const auto& child : e.children) {
    if (child) CollectDeclared(*child, names);
  }
}
// Whether `e` reads a column or a parameter not in `declared` (an enclosing lambda's).
bool ReadsEnclosing(const Expression& e, const std::vector<std::string>& declared) {
  if (e.kind == ExprKind::kColumnRef || e.kind == ExprKind::kSubquery) return true;
  if (e.kind == ExprKind::kLambdaVariable) {
    return std::find(declared.begin(), declared.end(), e.name) == declared.end();
  }
  for (const auto& child : e.children) {
    if (child && ReadsEnclosing(*child, declared)) return true;
  }
  return false;
}

Result<DataType> BindAggregate(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(BindLambdaArray(args).status());
  CR_RETURN_IF_ERROR(NeedLambda(args, 2));
  if (args[1]->kind == ExprKind::kLambda)
    return Status::InvalidArgument("argument 2 must be a value");
  // DuckDB's list_reduce (1.4) misreads a value captured from outside its lambda when the rows
  // hold lists of different lengths: the merge function may read only its own parameters.
  std::vector<std::string> declared;
  CollectDeclared(*args[2], declared);
  if (ReadsEnclosing(*args[2]->children[0], declared)) {
    return Status::InvalidArgument(
        "the merge function may only read its own parameters and constants (a column or an "
        "enclosing lambda's parameter is not supported yet)");
  }
  if (args[2]->type != args[1]->type) {
    return Status::InvalidArgument(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] the merge function returns " +
        args[2]->type.ToString() + ", not the start value's " + args[1]->type.ToString());
  }
  if (args.size() == 4) {
    CR_RETURN_IF_ERROR(NeedLambda(args, 3));
    return args[3]->type;
  }
  return args[1]->type;
}
std::string EmitAggregate(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  const Expression& merge = *call.children[2];
  std::string folded = "list_reduce(" + args[0] + ", lambda " + Parameter(merge, 0) + ", " +
                       Parameter(merge, 1) + ": " + args[2] + ", " + args[1] + ")";
  std::string result = folded;
  if (args.size() == 4) result = Let(Parameter(*call.children[3], 0), folded, args[3]);
  return "CASE WHEN " + args[0] + " IS NOT NULL THEN " + result + " END";
}

// zip_with(a, b, (x, y) -> f): the longer array's length, the shorter padded with NULLs.
Result<std::vector<DataType>> ZipParameters(size_t index, size_t count, const Args& args) {
  if (index != 2) return Status::InvalidArgument("arguments 1 and 2 must be arrays");
  CR_RETURN_IF_ERROR(NeedParameters(count, 2, 2, "zip_with"));
  for (size_t i = 0; i < 2; ++i) {
    if (args[i]->type.id != TypeId::kArray && args[i]->type.id != TypeId::kNull) {
      return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be an array");
    }
  }
  return std::vector<DataType>{ElementOf(args[0]->type), ElementOf(args[1]->type)};
}
Result<DataType> BindZipWith(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedLambda(args, 2));
  return DataType::Array(args[2]->type.id == TypeId::kNull ? kInt : args[2]->type);
}
std::string EmitZipWith(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  const Expression& lambda = *call.children[2];
  std::string body = Let(Parameter(lambda, 0), "(" + args[0] + ")[__i]",
                         Let(Parameter(lambda, 1), "(" + args[1] + ")[__i]", args[2]));
  return "CASE WHEN " + args[0] + " IS NOT NULL AND " + args[1] +
         " IS NOT NULL THEN list_transform(range(1, greatest(len(" + args[0] + "), len(" + args[1] +
         ")) + 1), lambda __i: " + body + ") END";
}

// arrays_zip(a, b, ...): structs of the i-th elements (fields named 0, 1, ... as Spark names
// them for arguments that are not columns), as long as the longest array; NULL when any is.
Result<DataType> BindArraysZip(const FunctionBindContext&, Args& args) {
  std::vector<std::string> names;
  std::vector<DataType> fields;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i]->type.id != TypeId::kArray && args[i]->type.id != TypeId::kNull) {
      return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be an array");
    }
    DataType element = ElementOf(args[i]->type);
    if (element.id == TypeId::kNull) element = kInt;
    args[i] = CastTo(args[i], DataType::Array(element));
    names.push_back(std::to_string(i));
    fields.push_back(element);
  }
  return DataType::Array(DataType::Struct(std::move(names), std::move(fields)));
}
std::string EmitArraysZip(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string any_null;
  std::string lengths;
  std::string fields;
  for (size_t i = 0; i < args.size(); ++i) {
    any_null += (i > 0 ? " OR " : "") + args[i] + " IS NULL";
    lengths += (i > 0 ? ", " : "") + std::string("len(") + args[i] + ")";
    fields += (i > 0 ? ", '" : "'") + std::to_string(i) + "': (" + args[i] + ")[__i]";
  }
  std::string longest = args.size() == 1 ? lengths : "greatest(" + lengths + ")";
  return "CASE WHEN " + any_null + " THEN NULL ELSE list_transform(range(1, " + longest +
         " + 1), lambda __i: {" + fields + "}) END";
}

// map_filter(m, (k, v) -> p), transform_keys(m, (k, v) -> k2), transform_values(m, (k, v) -> v2).
Result<std::vector<DataType>> KeyAndValue(size_t index, size_t count, const Args& args) {
  if (index != 1) return Status::InvalidArgument("argument 1 must be a map");
  CR_RETURN_IF_ERROR(NeedParameters(count, 2, 2, "this function"));
  if (args[0]->type.id != TypeId::kMap) return Status::InvalidArgument("argument 1 must be a map");
  return std::vector<DataType>{args[0]->type.children[0], args[0]->type.children[1]};
}
// The lambda over one entry `__e` of map_entries, its key and value bound.
std::string EntryBody(const Expression& lambda, const std::string& body) {
  return Let(Parameter(lambda, 0), "__e.key", Let(Parameter(lambda, 1), "__e.value", body));
}
Result<DataType> BindMapFilter(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedLambda(args, 1));
  if (args[1]->type.id != TypeId::kBoolean && args[1]->type.id != TypeId::kNull) {
    return Status::InvalidArgument(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] the lambda must return a boolean");
  }
  return args[0]->type;
}
std::string EmitMapFilter(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return "map_from_entries(list_filter(map_entries(" + args[0] +
         "), lambda __e: " + EntryBody(*call.children[1], args[1]) + "))";
}
Result<DataType> BindTransformKeys(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedLambda(args, 1));
  if (args[1]->type.id == TypeId::kNull) {
    return Status::InvalidArgument("[NULL_MAP_KEY] the new keys may not be NULL");
  }
  return DataType::Map(args[1]->type, args[0]->type.children[1]);
}
Result<DataType> BindTransformValues(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedLambda(args, 1));
  return DataType::Map(args[0]->type.children[0],
                       args[1]->type.id == TypeId::kNull ? kInt : args[1]->type);
}
std::string EmitTransformEntries(const FunctionEmitContext& ctx, const Expression& call,
                                 const Emitted& args, bool keys) {
  std::string computed = EntryBody(*call.children[1], args[1]);
  std::string key = keys ? computed : "__e.key";
  std::string value = keys ? "__e.value" : computed;
  std::string entries = "list_transform(map_entries(" + args[0] + "), lambda __e: {'key': " + key +
                        ", 'value': " + value + "})";
  if (!keys) return "map_from_entries(" + entries + ")";
  // Spark refuses a NULL key and (mapKeyDedupPolicy EXCEPTION) a duplicate one.
  return "CASE WHEN list_contains(list_transform(" + entries +
         ", lambda __n: __n.key IS NULL), true) THEN " +
         EmitError(ctx, "[NULL_MAP_KEY] transform_keys made a NULL key") +
         " WHEN len(list_distinct(list_transform(" + entries + ", lambda __n: __n.key))) < len(" +
         entries + ") THEN " +
         "error('[DUPLICATED_MAP_KEY] transform_keys made a duplicate key') ELSE "
         "map_from_entries(" +
         entries + ") END";
}
std::string EmitTransformKeys(const FunctionEmitContext& ctx, const Expression& call,
                              const Emitted& args) {
  return EmitTransformEntries(ctx, call, args, true);
}
std::string EmitTransformValues(const FunctionEmitContext& ctx, const Expression& call,
                                const Emitted& args) {
  return EmitTransformEntries(ctx, call, args, false);
}

const FunctionDef kFunctions[] = {
    {"transform", FunctionKind::kScalar, 2, 2, BindTransform, EmitTransform, ElementAndIndex},
    {"filter", FunctionKind::kScalar, 2, 2, BindFilter, EmitFilter, ElementAndIndex},
    {"exists", FunctionKind::kScalar, 2, 2, BindQuantifier, EmitExists, ElementOnly},
    {"forall", FunctionKind::kScalar, 2, 2, BindQuantifier, EmitForall, ElementOnly},
    {"aggregate", FunctionKind::kScalar, 3, 4, BindAggregate, EmitAggregate, AggregateParameters},
    {"reduce", FunctionKind::kScalar, 3, 4, BindAggregate, EmitAggregate, AggregateParameters},
    {"zip_with", FunctionKind::kScalar, 3, 3, BindZipWith, EmitZipWith, ZipParameters},
    {"arrays_zip", FunctionKind::kScalar, 1, -1, BindArraysZip, EmitArraysZip},
    {"map_filter", FunctionKind::kScalar, 2, 2, BindMapFilter, EmitMapFilter, KeyAndValue},
    {"transform_keys", FunctionKind::kScalar, 2, 2, BindTransformKeys, EmitTransformKeys,
     KeyAndValue},
    {"transform_values", FunctionKind::kScalar, 2, 2, BindTransformValues, EmitTransformValues,
     KeyAndValue},
};

}  // namespace

FunctionTable HigherOrderFunctions() { return {kFunctions, std::size(kFunctions), "lambda"}; }

}  // namespace cleanroom::sql
