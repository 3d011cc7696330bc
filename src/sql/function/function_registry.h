#pragma once

// The functions of the language, with Spark's semantics: how each is type-checked and how it
// is written in DuckDB SQL. A name that is not here is an error naming it; nothing is passed
// through to DuckDB by name.

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/frontend.h"
#include "sql/plan.h"

namespace cleanroom::sql {

enum class FunctionKind {
  kScalar,
  kAggregate,  // also usable over a window
  kWindow,     // ranking / offset functions: only with OVER
};

// What a function's bind step may use.
struct FunctionBindContext {
  Dialect dialect = Dialect::kSpark;
  ZoneId session_time_zone;  // CompileOptions::session_time_zone
};

// What a function's emit step may use.
struct FunctionEmitContext {
  Dialect dialect = Dialect::kSpark;
  bool safe_arithmetic = false;
  // For a call over a window: " OVER (...)", written right after the call itself (inside
  // any cast the emitter wraps around it). Empty otherwise.
  std::string over;
  // For an aggregate with FILTER: " FILTER (WHERE ...)". Empty otherwise.
  std::string filter;
  // The FILTER's condition alone (empty without FILTER), for functions that add to it.
  std::string filter_condition;
  // For an aggregate with ORDER BY inside the call (duckdb dialect): " ORDER BY ...", written
  // before the closing parenthesis. Empty otherwise.
  std::string order;
  ZoneId session_time_zone;  // EmitOptions::session_time_zone
};

struct FunctionDef {
  // Checks the arguments (count already checked), coerces them in place (wrapping in casts),
  // and returns the result type. InvalidArgument text without position (the binder adds it).
  using BindFn = Result<DataType> (*)(const FunctionBindContext&, std::vector<ExprPtr>& args);
  // Writes the call in DuckDB SQL from the already emitted arguments.
  using EmitFn = std::string (*)(const FunctionEmitContext&, const Expression& call,
                                 const std::vector<std::string>& args);

  // For a higher-order function: the types of the parameters of the lambda that is argument
  // `index`, from the arguments bound before it (`args[0..index)`); `count` is the number of
  // parameters the lambda names. InvalidArgument when the lambda does not fit there.
  using LambdaParametersFn = Result<std::vector<DataType>> (*)(size_t index, size_t count,
                                                               const std::vector<ExprPtr>& args);

  const char* name;  // canonical, lower case: the function id in the plan
  FunctionKind kind;
  int min_args;
  int max_args;  // -1: any number
  BindFn bind;
  EmitFn emit;
  LambdaParametersFn lambda_parameters = nullptr;  // null: the function takes no lambda
};

// The function of that name (case-insensitive, aliases included), or nullptr.
const FunctionDef* LookupFunction(std::string_view name);

// Every name LookupFunction knows, for "did you mean" suggestions.
std::vector<std::string> FunctionNames();

// The tables of each family (function/*.cc); LookupFunction searches them.
struct FunctionTable {
  const FunctionDef* functions;
  size_t count;
  const char* group;  // Spark's group of built-ins, for docs/sql-functions.md
};
FunctionTable AggregateFunctions();
FunctionTable ScalarFunctions();
FunctionTable TextFunctions();
FunctionTable EncodingFunctions();
FunctionTable MathFunctions();
FunctionTable DatetimeFunctions();
FunctionTable ConditionalFunctions();
FunctionTable StatisticsFunctions();
FunctionTable RegexpFunctions();
FunctionTable CollectionFunctions();
FunctionTable MoreCollectionFunctions();
FunctionTable HigherOrderFunctions();
FunctionTable DatetimeFormatFunctions();
FunctionTable ArraySetFunctions();
FunctionTable TimezoneFunctions();
FunctionTable JsonFunctions();
// Every table above, in that order.
std::vector<FunctionTable> AllFunctionTables();

// Helpers shared by the families.
// "name(DISTINCT a, b ORDER BY c) FILTER (...) OVER (...)" from the call's flags and the context.
std::string EmitCall(const FunctionEmitContext& ctx, const Expression& call, std::string_view name,
                     const std::vector<std::string>& args);
// "CAST(x AS <duckdb type>)".
std::string EmitCast(const std::string& sql, const DataType& type);
// A run-time error with `message` (Spark's error class first), or NULL under safe arithmetic
// (where a data-dependent error would be an oracle on the data).
std::string EmitError(const FunctionEmitContext& ctx, std::string_view message);
// Every argument a number cast to double; the result a double.
Result<DataType> BindDoubleArguments(const FunctionBindContext& ctx, std::vector<ExprPtr>& args);
// Every argument cast to string; the result a string.
Result<DataType> BindStringArguments(const FunctionBindContext& ctx, std::vector<ExprPtr>& args);

}  // namespace cleanroom::sql
