#include "sql/function/arguments.h"

#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

Status CastAll(std::vector<ExprPtr>& args, const DataType& type, size_t from) {
  for (size_t i = from; i < args.size(); ++i) {
    if (!CanCast(args[i]->type, type)) {
      return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be " +
                                     type.ToString() + ", not " + args[i]->type.ToString());
    }
    args[i] = CastTo(args[i], type);
  }
  return Status::OK();
}

Status NeedNumeric(std::vector<ExprPtr>& args, size_t i) {
  if (args[i]->type.id == TypeId::kNull) args[i] = CastTo(args[i], DataType::Of(TypeId::kInt));
  if (args[i]->type.id == TypeId::kString) args[i] = CastTo(args[i], DataType::Of(TypeId::kDouble));
  if (!args[i]->type.IsNumeric()) {
    return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be a number, not " +
                                   args[i]->type.ToString());
  }
  return Status::OK();
}

Status NeedIntegral(std::vector<ExprPtr>& args, size_t i, const DataType& type) {
  if (!args[i]->type.IsIntegral() && args[i]->type.id != TypeId::kNull) {
    return Status::InvalidArgument("argument " + std::to_string(i + 1) +
                                   " must be an integer, not " + args[i]->type.ToString());
  }
  args[i] = CastTo(args[i], type);
  return Status::OK();
}

Status NeedArray(const std::vector<ExprPtr>& args, size_t i) {
  if (args[i]->type.id != TypeId::kArray) {
    return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be an array, not " +
                                   args[i]->type.ToString());
  }
  return Status::OK();
}

Status NeedTimestamp(std::vector<ExprPtr>& args, size_t i) {
  TypeId id = args[i]->type.id;
  if (id == TypeId::kTimestamp || id == TypeId::kTimestampNtz) return Status::OK();
  if (!CanCast(args[i]->type, DataType::Of(TypeId::kTimestampNtz))) {
    return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be a timestamp");
  }
  args[i] = CastTo(args[i], DataType::Of(TypeId::kTimestampNtz));
  return Status::OK();
}

Result<std::string> NeedStringLiteral(const std::vector<ExprPtr>& args, size_t i,
                                      std::string_view what) {
  const Expression& e = *args[i];
  if (e.kind != ExprKind::kLiteral || e.type.id != TypeId::kString || e.is_null) {
    return Status::InvalidArgument(std::string(what) + " must be a string literal");
  }
  return e.value;
}

std::string JoinArguments(const std::vector<std::string>& args, const char* separator) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) out += (i ? separator : "") + args[i];
  return out;
}

std::string NamedCall(std::string_view name, const std::vector<std::string>& args) {
  return std::string(name) + "(" + JoinArguments(args) + ")";
}

std::string NullIfAnyNull(const std::vector<std::string>& args, const std::string& sql) {
  std::string condition;
  for (size_t i = 0; i < args.size(); ++i) condition += (i ? " OR " : "") + args[i] + " IS NULL";
  return "CASE WHEN " + condition + " THEN NULL ELSE " + sql + " END";
}

}  // namespace cleanroom::sql

namespace cleanroom::sql {

DataType IntervalAsNumber(std::vector<ExprPtr>& args, size_t i) {
  DataType type = args[i]->type;
  if (!type.IsYearMonthInterval() && !type.IsDayTimeInterval()) return DataType::Of(TypeId::kNull);
  DataType finest = type.IsYearMonthInterval() ? DataType::Interval(kYear, kMonth)
                                               : DataType::Interval(kDay, kSecond);
  args[i] = CastTo(CastTo(args[i], finest), kDouble);
  return type;
}

std::string NumberAsInterval(const DataType& type, const std::string& sql) {
  if (type.IsYearMonthInterval()) return "to_months(CAST(round(" + sql + ") AS INTEGER))";
  return "to_microseconds(CAST(round((" + sql + ") * 1000000) AS BIGINT))";
}

}  // namespace cleanroom::sql
