#include "sql/function/function_registry.h"

#include <string>
#include <unordered_map>

#include "sql/catalog.h"
#include "sql/function/arguments.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

struct Alias {
  const char* alias;
  const char* name;
};

// Other spellings of the same function (Spark's own aliases).
constexpr Alias kAliases[] = {
    {"substr", "substring"},
    {"ceiling", "ceil"},
    {"power", "pow"},
    {"dayofmonth", "day"},
    {"ifnull", "nvl"},
    {"std", "stddev"},
    {"stddev_samp", "stddev"},
    {"var_samp", "variance"},
    {"signum", "sign"},
    {"lcase", "lower"},
    {"ucase", "upper"},
    {"char_length", "length"},
    {"character_length", "length"},
    {"approx_distinct", "approx_count_distinct"},
    {"every", "bool_and"},
    {"some", "bool_or"},
    {"any", "bool_or"},
    {"len", "length"},
    {"first_value", "first"},
    {"last_value", "last"},
    {"position", "locate"},
    {"char", "chr"},
    {"getbit", "bit_get"},
    {"sha", "sha1"},
    {"dateadd", "date_add"},
    {"date_diff", "datediff"},
    {"curdate", "current_date"},
    {"array_agg", "collect_list"},
    {"datepart", "date_part"},
    {"regexp", "regexp_like"},
    {"rlike", "regexp_like"},
};

const std::unordered_map<std::string, const FunctionDef*>& Index() {
  static const auto* index = [] {
    auto* map = new std::unordered_map<std::string, const FunctionDef*>();
    for (FunctionTable table : AllFunctionTables()) {
      for (size_t i = 0; i < table.count; ++i)
        map->emplace(table.functions[i].name, &table.functions[i]);
    }
    for (const Alias& a : kAliases) {
      auto it = map->find(a.name);
      if (it != map->end()) map->emplace(a.alias, it->second);
    }
    return map;
  }();
  return *index;
}

}  // namespace

const FunctionDef* LookupFunction(std::string_view name) {
  const auto& index = Index();
  auto it = index.find(ToLowerAscii(name));
  return it == index.end() ? nullptr : it->second;
}

std::vector<std::string> FunctionNames() {
  std::vector<std::string> names;
  for (const auto& [name, def] : Index()) names.push_back(name);
  return names;
}

std::string EmitCall(const FunctionEmitContext& ctx, const Expression& call, std::string_view name,
                     const std::vector<std::string>& args) {
  std::string out(name);
  out += "(";
  if (call.distinct) out += "DISTINCT ";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += args[i];
  }
  if (call.ignore_nulls && call.kind == ExprKind::kWindow) out += " IGNORE NULLS";
  out += ctx.order;
  out += ")";
  out += ctx.filter;
  out += ctx.over;
  return out;
}

std::string EmitCast(const std::string& sql, const DataType& type) {
  return "CAST(" + sql + " AS " + type.ToDuckDb() + ")";
}

std::string EmitError(const FunctionEmitContext& ctx, std::string_view message) {
  if (ctx.safe_arithmetic) return "NULL";
  return "error(" + QuoteString(message) + ")";
}

Result<DataType> BindDoubleArguments(const FunctionBindContext&, std::vector<ExprPtr>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    CR_RETURN_IF_ERROR(NeedNumeric(args, i));
    args[i] = CastTo(args[i], DataType::Of(TypeId::kDouble));
  }
  return DataType::Of(TypeId::kDouble);
}

Result<DataType> BindStringArguments(const FunctionBindContext&, std::vector<ExprPtr>& args) {
  CR_RETURN_IF_ERROR(CastAll(args, DataType::Of(TypeId::kString)));
  return DataType::Of(TypeId::kString);
}

std::vector<FunctionTable> AllFunctionTables() {
  return {AggregateFunctions(),      ScalarFunctions(),
          TextFunctions(),           EncodingFunctions(),
          MathFunctions(),           DatetimeFunctions(),
          ConditionalFunctions(),    StatisticsFunctions(),
          RegexpFunctions(),         CollectionFunctions(),
          MoreCollectionFunctions(), HigherOrderFunctions(),
          DatetimeFormatFunctions(), ArraySetFunctions(),
          TimezoneFunctions(),       JsonFunctions()};
}

}  // namespace cleanroom::sql
