// Date and time functions (Spark 4, ANSI mode), written for DuckDB: next_day, weekday,
// dayofweek, dayofyear, quarter, weekofyear, hour, minute, second, last_day, add_months,
// make_date, unix_date, date_from_unix_date, trunc, timestampadd, timestampdiff,
// timestamp_seconds / _millis / _micros, unix_seconds / _millis / _micros, extract / date_part,
// months_between, make_timestamp, to_timestamp.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// A date argument: dates stay, timestamps and strings are cast (an invalid string is an
// error, as in ANSI mode).
Status NeedDate(Args& args, size_t i) {
  if (!CanCast(args[i]->type, kDate)) {
    return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be a date, not " +
                                   args[i]->type.ToString());
  }
  args[i] = CastTo(args[i], kDate);
  return Status::OK();
}
Result<DataType> BindDatePart(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedDate(args, 0));
  return kInt;
}
// weekday: 0 = Monday ... 6 = Sunday; dayofweek: 1 = Sunday ... 7 = Saturday.
std::string EmitWeekday(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(isodow(" + args[0] + ") - 1 AS INTEGER)";
}
std::string EmitDayOfWeek(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(dayofweek(" + args[0] + ") + 1 AS INTEGER)";
}
std::string EmitIntPart(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string_view name = call.function->name;
  std::string part = name == "weekofyear" ? "week" : std::string(name);
  return "CAST(" + part + "(" + args[0] + ") AS INTEGER)";
}
Result<DataType> BindTimePart(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedTimestamp(args, 0));
  return kInt;
}
std::string EmitLastDay(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(last_day(" + args[0] + ") AS DATE)";
}
Result<DataType> BindDateResult(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedDate(args, 0));
  return kDate;
}
// add_months(date, n): the same day n months later, clamped to the month's last day.
Result<DataType> BindAddMonths(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedDate(args, 0));
  if (args[1]->type.id == TypeId::kString) args[1] = CastTo(args[1], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return kDate;
}
std::string EmitAddMonths(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(" + args[0] + " + to_months(" + args[1] + ") AS DATE)";
}
// make_date(y, m, d): an invalid date is an error (ANSI).
Result<DataType> BindMakeDate(const FunctionBindContext&, Args& args) {
  for (size_t i = 0; i < 3; ++i) {
    if (args[i]->type.id == TypeId::kString) args[i] = CastTo(args[i], kInt);
    CR_RETURN_IF_ERROR(NeedIntegral(args, i, DataType::Of(TypeId::kBigInt)));
  }
  return kDate;
}
std::string EmitMakeDate(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  std::string make = "make_date(" + args[0] + ", " + args[1] + ", " + args[2] + ")";
  if (ctx.safe_arithmetic) return "TRY(" + make + ")";
  return make;
}
// unix_date(date): days since 1970-01-01; date_from_unix_date(n): the reverse.
std::string EmitUnixDate(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(" + args[0] + " - DATE '1970-01-01' AS INTEGER)";
}
Result<DataType> BindFromUnixDate(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedIntegral(args, 0, kInt));
  return kDate;
}
std::string EmitFromUnixDate(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(DATE '1970-01-01' + " + args[0] + " AS DATE)";
}

// next_day(date, dayOfWeek): the first later date on that day ("MO", "MON", "MONDAY", any case);
// another day name is an error (ANSI).
Result<DataType> BindNextDay(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedDate(args, 0));
  args[1] = CastTo(args[1], kString);
  return kDate;
}
std::string EmitNextDay(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  static const char* const kDays[] = {"MONDAY", "TUESDAY",  "WEDNESDAY", "THURSDAY",
                                      "FRIDAY", "SATURDAY", "SUNDAY"};
  std::string target = "CASE upper(" + args[1] + ")";
  for (int i = 0; i < 7; ++i) {
    std::string day = kDays[i];
    target += " WHEN '" + day.substr(0, 2) + "' THEN " + std::to_string(i + 1) + " WHEN '" +
              day.substr(0, 3) + "' THEN " + std::to_string(i + 1) + " WHEN '" + day + "' THEN " +
              std::to_string(i + 1);
  }
  target += " ELSE (CASE WHEN " + args[1] + " IS NOT NULL THEN " +
            EmitError(ctx, "[ILLEGAL_DAY_OF_WEEK] illegal input for day of week") + " END) END";
  return "CAST(" + args[0] + " + CAST((" + target + " - isodow(" + args[0] +
         ") + 6) % 7 + 1 AS INTEGER) AS DATE)";
}

// trunc(date, fmt): the date truncated to the year / quarter / month / week; another format
// gives NULL.
Result<DataType> BindTrunc(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedDate(args, 0));
  CR_RETURN_IF_ERROR(NeedStringLiteral(args, 1, "the format").status());
  return kDate;
}
std::string EmitTrunc(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string format = ToLowerAscii(call.children[1]->value);
  std::string unit;
  if (format == "year" || format == "yyyy" || format == "yy") unit = "year";
  if (format == "quarter") unit = "quarter";
  if (format == "month" || format == "mm" || format == "mon") unit = "month";
  if (format == "week") unit = "week";
  if (unit.empty()) return "CAST(NULL AS DATE)";
  return "CAST(date_trunc('" + unit + "', " + args[0] + ") AS DATE)";
}

// timestampadd(unit, n, ts) (also dateadd / date_add with a unit word): ts plus n units, a
// timestamp (a date is read as one). The binder passes the unit as a lower-case literal.
Result<DataType> BindTimestampAdd(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedStringLiteral(args, 0, "the unit").status());
  if (args[1]->type.id == TypeId::kString) args[1] = CastTo(args[1], DataType::Of(TypeId::kBigInt));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, DataType::Of(TypeId::kBigInt)));
  TypeId id = args[2]->type.id;
  if (id != TypeId::kTimestamp && id != TypeId::kTimestampNtz) {
    if (!CanCast(args[2]->type, DataType::Of(TypeId::kTimestamp))) {
      return Status::InvalidArgument("argument 3 must be a timestamp");
    }
    args[2] = CastTo(args[2], DataType::Of(TypeId::kTimestamp));
  }
  return args[2]->type;
}
std::string EmitTimestampAdd(const FunctionEmitContext&, const Expression& call,
                             const Emitted& args) {
  std::string unit = call.children[0]->value;
  std::string n = args[1];
  if (unit == "quarter") {
    unit = "month";
    n = "(3 * " + n + ")";
  }
  if (unit == "dayofyear") unit = "day";
  return "(" + args[2] + " + to_" + unit + "s(" + n + "))";
}
// timestampdiff(unit, a, b) (also datediff / date_diff with a unit word): the whole units from
// a to b, bigint.
Result<DataType> BindTimestampDiff(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedStringLiteral(args, 0, "the unit").status());
  for (size_t i = 1; i < 3; ++i) {
    TypeId id = args[i]->type.id;
    if (id != TypeId::kTimestamp && id != TypeId::kTimestampNtz) {
      if (!CanCast(args[i]->type, DataType::Of(TypeId::kTimestamp))) {
        return Status::InvalidArgument("the arguments must be timestamps");
      }
      args[i] = CastTo(args[i], DataType::Of(TypeId::kTimestamp));
    }
  }
  return DataType::Of(TypeId::kBigInt);
}
std::string EmitTimestampDiff(const FunctionEmitContext&, const Expression& call,
                              const Emitted& args) {
  std::string unit = call.children[0]->value;
  if (unit == "dayofyear") unit = "day";
  return "CAST(date_sub('" + unit + "', CAST(" + args[1] + " AS TIMESTAMP), CAST(" + args[2] +
         " AS TIMESTAMP)) AS BIGINT)";
}

// timestamp_seconds / timestamp_millis / timestamp_micros (n): the timestamp n units after
// 1970-01-01 00:00:00 UTC (seconds may have a fraction).
Result<DataType> BindFromEpoch(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  return kTimestamp;
}
std::string EmitFromEpoch(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string_view name = call.function->name;
  std::string scale = name == "timestamp_seconds"  ? "1000000"
                      : name == "timestamp_millis" ? "1000"
                                                   : "1";
  // The instant in UTC, whatever the engine's session time zone. Integers are scaled in 128
  // bits (an overflow of the timestamp range is then the engine's error, not a wrapped value).
  const DataType& t = call.children[0]->type;
  std::string value = t.IsIntegral() ? "CAST(" + args[0] + " AS HUGEINT)" : args[0];
  return "timezone('UTC', make_timestamp(CAST(" + value + " * " + scale + " AS BIGINT)))";
}
// unix_seconds / unix_millis / unix_micros (ts): whole units since 1970-01-01 00:00:00 UTC.
Result<DataType> BindToEpoch(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedTimestamp(args, 0));
  return DataType::Of(TypeId::kBigInt);
}
std::string EmitToEpoch(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string_view name = call.function->name;
  std::string micros = "epoch_us(" + args[0] + ")";
  if (name == "unix_micros") return micros;
  // Whole units, rounded down (toward -infinity) as Spark's floorDiv.
  std::string unit = name == "unix_seconds" ? "1000000" : "1000";
  return "CAST(floor(" + micros + " / " + unit + ") AS BIGINT)";
}

// extract(field FROM x) (the parser's extract('field', x)) / date_part('field', x) / datepart:
// YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK / DOW (1 = Sunday), DAYOFWEEK_ISO / DOW_ISO
// (1 = Monday), DOY, HOUR, MINUTE as int; SECOND with its fraction as decimal(8,6).
bool IsSecondField(const std::string& f) {
  return f == "second" || f == "s" || f == "sec" || f == "seconds" || f == "secs";
}
Result<DataType> BindExtract(const FunctionBindContext&, Args& args) {
  CR_ASSIGN_OR_RETURN(std::string field, NeedStringLiteral(args, 0, "the field"));
  std::string f = ToLowerAscii(field);
  bool time = f == "hour" || f == "h" || f == "hours" || f == "hr" || f == "hrs" || f == "minute" ||
              f == "m" || f == "min" || f == "minutes" || f == "mins" || IsSecondField(f);
  static const char* const kDateFields[] = {
      "year",    "y",  "years", "yr",  "quarter", "qtr",  "month",     "mon", "months",
      "week",    "w",  "weeks", "day", "d",       "days", "dayofweek", "dow", "dayofweek_iso",
      "dow_iso", "doy"};
  bool date = false;
  for (const char* d : kDateFields) date = date || f == d;
  if (!time && !date) return Status::InvalidArgument("[INVALID_EXTRACT_FIELD] unknown field");
  if (time) {
    CR_RETURN_IF_ERROR(NeedTimestamp(args, 1));
  } else {
    CR_RETURN_IF_ERROR(NeedDate(args, 1));
  }
  if (IsSecondField(f)) return DataType::Decimal(8, 6);
  return kInt;
}
std::string EmitExtract(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string f = ToLowerAscii(call.children[0]->value);
  const std::string& x = args[1];
  if (IsSecondField(f)) {
    return "CAST(CAST(microsecond(" + x + ") AS DECIMAL(18,0)) / 1000000 AS DECIMAL(8,6))";
  }
  std::string part;
  if (f == "year" || f == "y" || f == "years" || f == "yr") part = "year(" + x + ")";
  if (f == "quarter" || f == "qtr") part = "quarter(" + x + ")";
  if (f == "month" || f == "mon" || f == "months") part = "month(" + x + ")";
  if (f == "week" || f == "w" || f == "weeks") part = "week(" + x + ")";
  if (f == "day" || f == "d" || f == "days") part = "day(" + x + ")";
  if (f == "dayofweek" || f == "dow") part = "(dayofweek(" + x + ") + 1)";
  if (f == "dayofweek_iso" || f == "dow_iso") part = "isodow(" + x + ")";
  if (f == "doy") part = "dayofyear(" + x + ")";
  if (f == "hour" || f == "h" || f == "hours" || f == "hr" || f == "hrs") part = "hour(" + x + ")";
  if (f == "minute" || f == "m" || f == "min" || f == "minutes" || f == "mins")
    part = "minute(" + x + ")";
  return "CAST(" + part + " AS INTEGER)";
}
// months_between(t1, t2 [, roundOff]): whole months when the days of month match or both are
// month ends, else months plus the difference in days and time over 31 days; rounded to 8
// digits unless roundOff is false.
Result<DataType> BindMonthsBetween(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedTimestamp(args, 0));
  CR_RETURN_IF_ERROR(NeedTimestamp(args, 1));
  if (args.size() == 3) {
    const Expression& flag = *args[2];
    if (flag.kind != ExprKind::kLiteral || flag.type.id != TypeId::kBoolean || flag.is_null) {
      return Status::InvalidArgument("roundOff must be a boolean literal");
    }
  }
  return DataType::Of(TypeId::kDouble);
}
std::string EmitMonthsBetween(const FunctionEmitContext&, const Expression& call,
                              const Emitted& args) {
  const std::string& a = args[0];
  const std::string& b = args[1];
  std::string months =
      "((year(" + a + ") - year(" + b + ")) * 12 + month(" + a + ") - month(" + b + "))";
  std::string ends =
      "(day(" + a + ") = day(last_day(" + a + ")) AND day(" + b + ") = day(last_day(" + b + ")))";
  std::string seconds = "((hour(" + a + ") - hour(" + b + ")) * 3600 + (minute(" + a +
                        ") - minute(" + b + ")) * 60 + (microsecond(" + a + ") - microsecond(" + b +
                        ")) / 1000000.0)";
  std::string value = "CASE WHEN day(" + a + ") = day(" + b + ") OR " + ends + " THEN CAST(" +
                      months + " AS DOUBLE) ELSE " + months + " + ((day(" + a + ") - day(" + b +
                      ")) * 86400 + " + seconds + ") / 2678400.0 END";
  bool round = call.children.size() < 3 || call.children[2]->value == "true";
  return round ? "round(" + value + ", 8)" : value;
}
// make_timestamp(year, month, day, hour, min, sec): an invalid timestamp is an error (ANSI);
// the time zone argument is not supported.
Result<DataType> BindMakeTimestamp(const FunctionBindContext&, Args& args) {
  for (size_t i = 0; i < 5; ++i)
    CR_RETURN_IF_ERROR(NeedIntegral(args, i, DataType::Of(TypeId::kBigInt)));
  CR_RETURN_IF_ERROR(NeedNumeric(args, 5));
  args[5] = CastTo(args[5], DataType::Of(TypeId::kDouble));
  return kTimestamp;
}
std::string EmitMakeTimestamp(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "timezone('UTC', make_timestamp(" + JoinArguments(args) + "))";
}
// to_timestamp(str): the string read as a timestamp (an error when it is not one, ANSI).
Result<DataType> BindToTimestamp(const FunctionBindContext&, Args& args) {
  if (args.size() == 2) return Status::Unimplemented("to_timestamp with a format");
  if (!CanCast(args[0]->type, kTimestamp))
    return Status::InvalidArgument("argument 1 cannot be read as a timestamp");
  args[0] = CastTo(args[0], kTimestamp);
  return kTimestamp;
}
std::string EmitToTimestamp(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return args[0];
}

constexpr FunctionDef kFunctions[] = {
    {"extract", FunctionKind::kScalar, 2, 2, BindExtract, EmitExtract},
    {"date_part", FunctionKind::kScalar, 2, 2, BindExtract, EmitExtract},
    {"months_between", FunctionKind::kScalar, 2, 3, BindMonthsBetween, EmitMonthsBetween},
    {"make_timestamp", FunctionKind::kScalar, 6, 6, BindMakeTimestamp, EmitMakeTimestamp},
    {"to_timestamp", FunctionKind::kScalar, 1, 2, BindToTimestamp, EmitToTimestamp},
    {"timestamp_seconds", FunctionKind::kScalar, 1, 1, BindFromEpoch, EmitFromEpoch},
    {"timestamp_millis", FunctionKind::kScalar, 1, 1, BindFromEpoch, EmitFromEpoch},
    {"timestamp_micros", FunctionKind::kScalar, 1, 1, BindFromEpoch, EmitFromEpoch},
    {"unix_seconds", FunctionKind::kScalar, 1, 1, BindToEpoch, EmitToEpoch},
    {"unix_millis", FunctionKind::kScalar, 1, 1, BindToEpoch, EmitToEpoch},
    {"unix_micros", FunctionKind::kScalar, 1, 1, BindToEpoch, EmitToEpoch},
    {"timestampadd", FunctionKind::kScalar, 3, 3, BindTimestampAdd, EmitTimestampAdd},
    {"timestampdiff", FunctionKind::kScalar, 3, 3, BindTimestampDiff, EmitTimestampDiff},
    {"weekday", FunctionKind::kScalar, 1, 1, BindDatePart, EmitWeekday},
    {"dayofweek", FunctionKind::kScalar, 1, 1, BindDatePart, EmitDayOfWeek},
    {"dayofyear", FunctionKind::kScalar, 1, 1, BindDatePart, EmitIntPart},
    {"quarter", FunctionKind::kScalar, 1, 1, BindDatePart, EmitIntPart},
    {"weekofyear", FunctionKind::kScalar, 1, 1, BindDatePart, EmitIntPart},
    {"hour", FunctionKind::kScalar, 1, 1, BindTimePart, EmitIntPart},
    {"minute", FunctionKind::kScalar, 1, 1, BindTimePart, EmitIntPart},
    {"second", FunctionKind::kScalar, 1, 1, BindTimePart, EmitIntPart},
    {"last_day", FunctionKind::kScalar, 1, 1, BindDateResult, EmitLastDay},
    {"add_months", FunctionKind::kScalar, 2, 2, BindAddMonths, EmitAddMonths},
    {"make_date", FunctionKind::kScalar, 3, 3, BindMakeDate, EmitMakeDate},
    {"unix_date", FunctionKind::kScalar, 1, 1, BindDatePart, EmitUnixDate},
    {"date_from_unix_date", FunctionKind::kScalar, 1, 1, BindFromUnixDate, EmitFromUnixDate},
    {"next_day", FunctionKind::kScalar, 2, 2, BindNextDay, EmitNextDay},
    {"trunc", FunctionKind::kScalar, 2, 2, BindTrunc, EmitTrunc},
};

}  // namespace

FunctionTable DatetimeFunctions() { return {kFunctions, std::size(kFunctions), "datetime"}; }

}  // namespace cleanroom::sql
