// Spark's JSON functions over DuckDB's json extension: get_json_object, json_array_length,
// json_object_keys. Text that is not valid JSON is NULL, as in Spark, and is tested with
// json_valid first: DuckDB's own "malformed JSON" error quotes the input, a cell value, and
// error text leaves the clean room.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Spark's JSON path ($, .name, ['name'], [n]) as a DuckDB JSON path ($."name", $[n]); false
// for a path Spark reads as no value (get_json_object is then NULL). InvalidArgument for the
// forms Spark has and this does not yet ([*], .*).
Result<bool> DuckDbJsonPath(const std::string& path, std::string* out) {
  if (path.empty() || path[0] != '$') return false;
  *out = "$";
  for (size_t i = 1; i < path.size();) {
    if (path[i] == '.') {
      size_t end = i + 1;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      std::string name = path.substr(i + 1, end - i - 1);
      if (name == "*")
        return Status::InvalidArgument("the JSON path wildcard .* is not supported yet");
      if (name.empty() || name.find('"') != std::string::npos) return false;
      *out += ".\"" + name + "\"";
      i = end;
      continue;
    }
    if (path[i] != '[') return false;
    size_t close = path.find(']', i);
    if (close == std::string::npos) return false;
    std::string inside = path.substr(i + 1, close - i - 1);
    if (inside == "*")
      return Status::InvalidArgument("the JSON path wildcard [*] is not supported yet");
    if (inside.size() >= 2 && inside.front() == '\'' && inside.back() == '\'') {
      std::string name = inside.substr(1, inside.size() - 2);
      if (name.empty() || name.find('"') != std::string::npos ||
          name.find('\'') != std::string::npos)
        return false;
      *out += ".\"" + name + "\"";
    } else {
      if (inside.empty() || inside.size() > 9) return false;
      for (char c : inside) {
        if (!IsDigit(c)) return false;
      }
      *out += "[" + inside + "]";
    }
    i = close + 1;
  }
  return true;
}

// The JSON text argument: a string (other types are cast, as Spark's implicit cast does).
Status NeedJsonText(Args& args) { return CastAll(args, kString, 0); }

// get_json_object(json, path): the value at path, a string unquoted, an object or array as its
// JSON text; NULL for invalid JSON, a missing path or a JSON null. The path is a literal.
Result<DataType> BindGetJsonObject(const FunctionBindContext&, Args& args) {
  CR_ASSIGN_OR_RETURN(std::string path, NeedStringLiteral(args, 1, "the JSON path"));
  std::string converted;
  CR_RETURN_IF_ERROR(DuckDbJsonPath(path, &converted).status());
  CR_RETURN_IF_ERROR(CastAll(args, kString, 0));
  return kString;
}
std::string EmitGetJsonObject(const FunctionEmitContext&, const Expression& call,
                              const Emitted& args) {
  std::string path;
  if (!*DuckDbJsonPath(call.children[1]->value, &path)) return "CAST(NULL AS VARCHAR)";
  return "CASE WHEN json_valid(" + args[0] + ") THEN json_extract_string(" + args[0] + ", " +
         QuoteString(path) + ") END";
}

// json_array_length(json): the number of elements of a JSON array; NULL for anything else.
Result<DataType> BindJsonArrayLength(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedJsonText(args));
  return kInt;
}
std::string EmitJsonArrayLength(const FunctionEmitContext&, const Expression&,
                                const Emitted& args) {
  return "CASE WHEN json_valid(" + args[0] + ") AND json_type(" + args[0] +
         ") = 'ARRAY' THEN CAST(json_array_length(" + args[0] + ") AS INTEGER) END";
}

// json_object_keys(json): the keys of a JSON object, in order; NULL for anything else.
Result<DataType> BindJsonObjectKeys(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedJsonText(args));
  return DataType::Array(kString);
}
std::string EmitJsonObjectKeys(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN json_valid(" + args[0] + ") AND json_type(" + args[0] +
         ") = 'OBJECT' THEN json_keys(" + args[0] + ") END";
}

constexpr FunctionDef kFunctions[] = {
    {"get_json_object", FunctionKind::kScalar, 2, 2, BindGetJsonObject, EmitGetJsonObject},
    {"json_array_length", FunctionKind::kScalar, 1, 1, BindJsonArrayLength, EmitJsonArrayLength},
    {"json_object_keys", FunctionKind::kScalar, 1, 1, BindJsonObjectKeys, EmitJsonObjectKeys},
};

}  // namespace

FunctionTable JsonFunctions() { return {kFunctions, std::size(kFunctions), "json"}; }

}  // namespace cleanroom::sql
