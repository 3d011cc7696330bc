// Emission of bound expressions as DuckDB SQL with Spark's (or SQLite's) semantics.
#include "sql/emitter/emitter_internal.h"
#include "sql/function/function_registry.h"

namespace cleanroom::sql {

namespace {

bool IsFloating(const DataType& t) { return t.id == TypeId::kDouble || t.id == TypeId::kFloat; }

// True when children[from..] are all literals: a call whose failure cannot depend on the data.
bool LiteralsFrom(const Expression& expr, size_t from) {
  for (size_t i = from; i < expr.children.size(); ++i) {
    if (expr.children[i]->kind != ExprKind::kLiteral) return false;
  }
  return true;
}

}  // namespace

// Integer arithmetic that can overflow: under safe arithmetic an overflow yields NULL.
std::string DuckDbEmitter::Checked(const std::string& sql) const {
  return options_.safe_arithmetic ? "TRY(" + sql + ")" : sql;
}

// The right operand of / % div: zero is an error in Spark's ANSI mode, NULL in safe mode and
// in SQLite, and what DuckDB makes of it in the duckdb dialect.
// A NULL dividend gives NULL before the divisor is looked at (as Spark evaluates it).
std::string DuckDbEmitter::Divisor(const std::string& divisor, const std::string& dividend) const {
  if (options_.safe_arithmetic || options_.dialect == Dialect::kSqlite) {
    return "NULLIF(" + divisor + ", 0)";
  }
  // DuckDB's own division (its ieee_floating_point_ops setting decides what x / 0 is).
  if (options_.dialect == Dialect::kDuckdb) return divisor;
  return "CASE WHEN " + divisor + " = 0 AND " + dividend +
         " IS NOT NULL THEN error('[DIVIDE_BY_ZERO] Division by zero') ELSE " + divisor + " END";
}

namespace {

// `value << count` in 64-bit two's complement, bits shifted out dropped (DuckDB's << refuses
// to overflow); `count` is within [0, 63].
std::string WrappingShiftLeft64(const std::string& value, const std::string& count) {
  std::string kept = "((" + value + " & (9223372036854775807 >> " + count + ")) << " + count + ")";
  return "(CASE WHEN ((" + value + " >> (63 - " + count + ")) & 1) = 1 THEN (" + kept +
         " - 9223372036854775807 - 1) ELSE " + kept + " END)";
}

}  // namespace

// Shifts. SQLite: 64-bit, a negative count shifts the other way, counts of 64 or more give 0
// (or -1 for a negative value shifted right), bits shifted out are lost. Spark (Java): the
// count is taken modulo the width (32 for INT, 64 for BIGINT), bits shifted out are lost.
std::string DuckDbEmitter::Shift(bool left, const DataType& type, const std::string& value,
                                 const std::string& count) const {
  if (options_.dialect == Dialect::kSqlite) {
    std::string sign_fill = "(CASE WHEN " + value + " < 0 THEN -1 ELSE 0 END)";
    std::string up = left ? "0" : sign_fill;    // count >= 64
    std::string down = left ? sign_fill : "0";  // count <= -64
    std::string forward =
        left ? WrappingShiftLeft64(value, count) : "(" + value + " >> " + count + ")";
    std::string backward = left ? "(" + value + " >> (- " + count + "))"
                                : WrappingShiftLeft64(value, "(- " + count + ")");
    return "(CASE WHEN " + value + " IS NULL OR " + count + " IS NULL THEN NULL WHEN " + count +
           " >= 64 THEN " + up + " WHEN " + count + " >= 0 THEN " + forward + " WHEN " + count +
           " <= -64 THEN " + down + " ELSE " + backward + " END)";
  }
  if (type.id == TypeId::kBigInt) {
    std::string masked = "(" + count + " & 63)";
    return left ? WrappingShiftLeft64(value, masked) : "(" + value + " >> " + masked + ")";
  }
  std::string masked = "(" + count + " & 31)";
  if (!left) return "(" + value + " >> " + masked + ")";
  std::string low =
      "(((CAST(" + value + " AS BIGINT) & 4294967295) << " + masked + ") & 4294967295)";
  return "CAST((CASE WHEN " + low + " >= 2147483648 THEN " + low + " - 4294967296 ELSE " + low +
         " END) AS INTEGER)";
}

Result<std::string> DuckDbEmitter::EmitExpr(const Expression& expr) {
  switch (expr.kind) {
    case ExprKind::kColumnRef:
      return ColumnName(expr.binding);
    case ExprKind::kLiteral:
      return EmitLiteral(expr);
    case ExprKind::kOperator:
      return EmitOperator(expr);
    case ExprKind::kFunction:
      if (IsTryArithmetic(expr)) {
        safe_next_operator_ = true;
        return EmitExpr(*expr.children[0]);
      }
      return EmitCallExpr(expr);
    case ExprKind::kAggregate:
    case ExprKind::kWindow:
      return EmitCallExpr(expr);
    case ExprKind::kCast:
      return EmitCastExpr(expr);
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t pairs = (expr.children.size() - (expr.has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        CR_ASSIGN_OR_RETURN(std::string when, EmitExpr(*expr.children[2 * i]));
        CR_ASSIGN_OR_RETURN(std::string then, EmitExpr(*expr.children[2 * i + 1]));
        out += " WHEN " + when + " THEN " + then;
      }
      if (expr.has_else) {
        CR_ASSIGN_OR_RETURN(std::string otherwise, EmitExpr(*expr.children.back()));
        out += " ELSE " + otherwise;
      }
      return out + " END";
    }
    case ExprKind::kSubquery: {
      if (!expr.subquery) return Status::Internal("subquery without a plan");
      CR_ASSIGN_OR_RETURN(std::string body, EmitSubplan(*expr.subquery));
      switch (expr.subquery_kind) {
        case SubqueryKind::kScalar:
          return "(" + body + ")";
        case SubqueryKind::kExists:
          return std::string(expr.negated ? "(NOT EXISTS (" : "(EXISTS (") + body + "))";
        case SubqueryKind::kIn: {
          CR_ASSIGN_OR_RETURN(std::string operand, EmitExpr(*expr.children[0]));
          return "(" + operand + (expr.negated ? " NOT IN (" : " IN (") + body + "))";
        }
      }
    }
    case ExprKind::kLambda:
      // The body alone: the higher-order function's emitter writes DuckDB's `lambda p: body`
      // around it with the parameters' unique names (function/higher_order_functions.cc).
      return EmitExpr(*expr.children[0]);
    case ExprKind::kLambdaVariable:
      return expr.name;
  }
  return Status::Internal("unknown expression");
}

Result<std::string> DuckDbEmitter::EmitLiteral(const Expression& expr) {
  const DataType& t = expr.type;
  if (expr.is_null) {
    if (t.id == TypeId::kNull) return std::string("NULL");
    return "CAST(NULL AS " + t.ToDuckDb() + ")";
  }
  switch (t.id) {
    case TypeId::kBoolean:
      return std::string(expr.value == "true" ? "TRUE" : "FALSE");
    case TypeId::kInt:
      return expr.value[0] == '-' ? "(" + expr.value + ")" : expr.value;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kBigInt:
    case TypeId::kDecimal:
    case TypeId::kFloat:
    case TypeId::kDouble:
      return "CAST(" + QuoteString(expr.value) + " AS " + t.ToDuckDb() + ")";
    case TypeId::kString:
      return QuoteString(expr.value);
    case TypeId::kDate:
      return "CAST(" + QuoteString(expr.value) + " AS DATE)";
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return "CAST(" + QuoteString(expr.value) + " AS " + t.ToDuckDb() + ")";
    case TypeId::kInterval:
      return "INTERVAL " + QuoteString(expr.value);
    case TypeId::kBinary:
      return "from_hex(" + QuoteString(expr.value) + ")";
    default:
      return Status::Internal("literal of type " + t.ToString() + " cannot be emitted");
  }
}

namespace {

// Microseconds in one unit of a day-time interval's end field.
const char* MicrosOfField(int field) {
  switch (field) {
    case kDay:
      return "86400000000";
    case kHour:
      return "3600000000";
    case kMinute:
      return "60000000";
    default:
      return "1000000";
  }
}

}  // namespace

namespace {
std::string IntervalMonths(const std::string& sql) {
  return "(CAST(date_part('year', " + sql + ") AS BIGINT) * 12 + date_part('month', " + sql + "))";
}
std::string IntervalMicros(const std::string& sql) {
  return "(CAST(date_part('day', " + sql + ") AS HUGEINT) * 86400000000 + CAST(date_part('hour', " +
         sql + ") AS HUGEINT) * 3600000000 + date_part('minute', " + sql +
         ") * 60000000 + date_part('microseconds', " + sql + "))";
}
}  // namespace

// ANSI interval arithmetic in Spark's units: months (an int) for year-month intervals,
// microseconds (a bigint) for day-time ones; a result out of that range is an error (NULL
// under safe arithmetic); a fraction rounds half up.
std::string DuckDbEmitter::IntervalArithmetic(const Expression& expr,
                                              const std::vector<std::string>& args) {
  const DataType& t = expr.type;
  bool year_month = t.IsYearMonthInterval();
  auto count = [&](const std::string& sql) {
    return year_month ? IntervalMonths(sql) : IntervalMicros(sql);
  };
  std::string value;
  switch (expr.op) {
    case OperatorKind::kAdd:
      value = "(" + count(args[0]) + " + " + count(args[1]) + ")";
      break;
    case OperatorKind::kSubtract:
      value = "(" + count(args[0]) + " - " + count(args[1]) + ")";
      break;
    case OperatorKind::kMultiply:
      value = expr.children[1]->type.IsIntegral()
                  ? "(" + count(args[0]) + " * CAST(" + args[1] + " AS HUGEINT))"
                  : "round(CAST(" + count(args[0]) + " AS DOUBLE) * " + args[1] + ")";
      break;
    default:
      value = "round(CAST(" + count(args[0]) + " AS DOUBLE) / " + Divisor(args[1], args[0]) + ")";
      break;
  }
  std::string cast = options_.safe_arithmetic ? "TRY_CAST(" : "CAST(";
  return year_month ? "to_months(" + cast + value + " AS INTEGER))"
                    : "to_microseconds(" + cast + value + " AS BIGINT))";
}

// A number as an ANSI interval: a count of the end field. A fraction rounds half up to whole
// months; to microseconds for a SECOND field; to whole units for DAY, HOUR and MINUTE (as
// Spark). Out of range is an error (NULL for TRY_CAST).
std::string DuckDbEmitter::NumberToInterval(const std::string& operand, const DataType& from,
                                            const DataType& to, bool try_cast) const {
  std::string cast = try_cast ? "TRY_CAST(" : "CAST(";
  if (to.IsYearMonthInterval()) {
    std::string months = to.scale == kYear ? "(" + operand + ") * 12" : operand;
    if (!from.IsIntegral()) months = "round(" + months + ")";
    return "to_months(" + cast + months + " AS INTEGER))";
  }
  std::string unit = MicrosOfField(to.scale);
  std::string micros = from.IsIntegral()     ? "CAST(" + operand + " AS HUGEINT) * " + unit
                       : to.scale == kSecond ? "round(CAST(" + operand + " AS DOUBLE) * 1000000)"
                                             : "CAST(trunc(" + operand + ") AS HUGEINT) * " + unit;
  return "to_microseconds(" + cast + micros + " AS BIGINT))";
}

// An ANSI interval as a number: its count of the end field, truncated toward zero (exact in
// microseconds for a decimal from a SECOND field).
std::string DuckDbEmitter::IntervalToNumber(const std::string& operand, const DataType& from,
                                            const DataType& to, bool try_cast) const {
  std::string cast = try_cast ? "TRY_CAST(" : "CAST(";
  if (from.IsYearMonthInterval()) {
    std::string months = IntervalMonths(operand);
    std::string count = from.scale == kYear ? "(" + months + " // 12)" : months;
    return cast + count + " AS " + to.ToDuckDb() + ")";
  }
  std::string micros = IntervalMicros(operand);
  if (to.id == TypeId::kDecimal && from.scale == kSecond) {
    return cast + "CAST(" + micros + " AS DECIMAL(30,0)) * CAST(0.000001 AS DECIMAL(7,6)) AS " +
           to.ToDuckDb() + ")";
  }
  if (to.id == TypeId::kDouble || to.id == TypeId::kFloat) {
    return cast + "CAST(" + micros + " AS DOUBLE) / " + MicrosOfField(from.scale) + " AS " +
           to.ToDuckDb() + ")";
  }
  return cast + "(" + micros + " // " + MicrosOfField(from.scale) + ") AS " + to.ToDuckDb() + ")";
}

Result<std::string> DuckDbEmitter::EmitCastExpr(const Expression& expr) {
  CR_ASSIGN_OR_RETURN(std::string operand, EmitExpr(*expr.children[0]));
  const DataType& from = expr.children[0]->type;
  const DataType& to = expr.type;
  bool try_cast = expr.try_cast || options_.safe_arithmetic;
  // Spark and SQLite truncate a fraction when casting to an integer; DuckDB rounds.
  if (to.IsIntegral() && (IsFloating(from) || from.id == TypeId::kDecimal) &&
      options_.dialect != Dialect::kDuckdb) {
    operand = "trunc(" + operand + ")";
  }
  if (options_.dialect == Dialect::kSqlite && to.IsIntegral() && from.id == TypeId::kString) {
    // SQLite reads the leading number of a string and 0 when there is none.
    return "CAST(trunc(COALESCE(TRY_CAST(" + operand + " AS DOUBLE), CASE WHEN " + operand +
           " IS NULL THEN NULL ELSE 0 END)) AS " + to.ToDuckDb() + ")";
  }
  if (options_.dialect == Dialect::kSqlite && to.IsNumeric() && from.id == TypeId::kString) {
    return "COALESCE(TRY_CAST(" + operand + " AS " + to.ToDuckDb() + "), CASE WHEN " + operand +
           " IS NULL THEN NULL ELSE 0 END)";
  }
  if (options_.dialect == Dialect::kSpark && to.IsIntegral() && from.id == TypeId::kString) {
    // Spark reads only an optionally signed run of digits (surrounding whitespace allowed) as an
    // integer: '1.23' is an error under ANSI (NULL for TRY_CAST), where DuckDB would round it.
    std::string integer = "regexp_full_match(" + operand + ", '\\s*[+-]?[0-9]+\\s*')";
    std::string invalid =
        try_cast ? "NULL" : "error('[CAST_INVALID_INPUT] the string is not an integer')";
    return "CASE WHEN " + operand + " IS NULL THEN NULL WHEN " + integer + " THEN " +
           (try_cast ? "TRY_CAST(" : "CAST(") + "trim(" + operand + ", ' \t\n\r') AS " +
           to.ToDuckDb() + ") ELSE " + invalid + " END";
  }
  if (from.id == TypeId::kInterval && to.id == TypeId::kInterval) return operand;
  if (from.IsNumeric() && (to.IsYearMonthInterval() || to.IsDayTimeInterval())) {
    return NumberToInterval(operand, from, to, try_cast);
  }
  if ((from.IsYearMonthInterval() || from.IsDayTimeInterval()) && to.IsNumeric()) {
    return IntervalToNumber(operand, from, to, try_cast);
  }
  if (options_.dialect == Dialect::kSpark && to.id == TypeId::kBoolean &&
      from.id == TypeId::kString) {
    // Spark trims whitespace and control characters, then reads t / true / y / yes / 1 and
    // f / false / n / no / 0 in any case.
    std::string word =
        "lower(trim(" + operand + ", ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)))";
    std::string invalid =
        try_cast ? "NULL" : "error('[CAST_INVALID_INPUT] the string is not a boolean')";
    return "CASE WHEN " + operand + " IS NULL THEN NULL WHEN " + word +
           " IN ('t', 'true', 'y', 'yes', '1') THEN true WHEN " + word +
           " IN ('f', 'false', 'n', 'no', '0') THEN false ELSE " + invalid + " END";
  }
  return std::string(try_cast ? "TRY_CAST(" : "CAST(") + operand + " AS " + to.ToDuckDb() + ")";
}

namespace {

// The smallest and largest value of an integral type, as SQL literals.
std::string MinOf(const DataType& t) {
  switch (t.id) {
    case TypeId::kTinyInt:
      return "-128";
    case TypeId::kSmallInt:
      return "-32768";
    case TypeId::kInt:
      return "-2147483648";
    default:
      return "-9223372036854775808";
  }
}
std::string MaxOf(const DataType& t) {
  switch (t.id) {
    case TypeId::kTinyInt:
      return "127";
    case TypeId::kSmallInt:
      return "32767";
    case TypeId::kInt:
      return "2147483647";
    default:
      return "9223372036854775807";
  }
}

}  // namespace

bool DuckDbEmitter::IsTryArithmetic(const Expression& expr) {
  if (expr.function == nullptr || expr.children.size() != 1 ||
      expr.children[0]->kind != ExprKind::kOperator) {
    return false;
  }
  std::string_view name = expr.function->name;
  return name == "try_add" || name == "try_subtract" || name == "try_multiply" ||
         name == "try_divide" || name == "try_mod";
}

Result<std::string> DuckDbEmitter::EmitOperator(const Expression& expr) {
  bool safe_here = safe_next_operator_;
  safe_next_operator_ = false;
  std::vector<std::string> args;
  for (const auto& c : expr.children) {
    CR_ASSIGN_OR_RETURN(std::string a, EmitExpr(*c));
    args.push_back(std::move(a));
  }
  // The operator itself under safe arithmetic when a try_* function asked for it; restored on
  // every return.
  struct SafeScope {
    bool& flag;
    bool saved;
    ~SafeScope() { flag = saved; }
  } scope{options_.safe_arithmetic, options_.safe_arithmetic};
  options_.safe_arithmetic = options_.safe_arithmetic || safe_here;
  const DataType& t = expr.type;
  auto binary = [&](const char* op) { return "(" + args[0] + " " + op + " " + args[1] + ")"; };
  auto decimal_result = [&](const std::string& sql) {
    if (t.id != TypeId::kDecimal) return sql;
    return std::string(options_.safe_arithmetic ? "TRY_CAST(" : "CAST(") + sql + " AS " +
           t.ToDuckDb() + ")";
  };
  if ((t.IsYearMonthInterval() || t.IsDayTimeInterval()) &&
      expr.children[0]->type.id == TypeId::kInterval &&
      (expr.op == OperatorKind::kAdd || expr.op == OperatorKind::kSubtract ||
       expr.op == OperatorKind::kMultiply || expr.op == OperatorKind::kDivide)) {
    return IntervalArithmetic(expr, args);
  }
  switch (expr.op) {
    case OperatorKind::kAdd:
    case OperatorKind::kSubtract:
    case OperatorKind::kMultiply: {
      const char* op = expr.op == OperatorKind::kAdd        ? "+"
                       : expr.op == OperatorKind::kSubtract ? "-"
                                                            : "*";
      if (t.id == TypeId::kDecimal) return decimal_result(binary(op));
      if (t.IsIntegral() && safe_here) {
        // try_*: the result is computed in 128 bits and is NULL outside the type's range; the
        // operands are outside any TRY, so their own errors still raise.
        std::string wide =
            "(CAST(" + args[0] + " AS HUGEINT) " + op + " CAST(" + args[1] + " AS HUGEINT))";
        return "CASE WHEN " + wide + " BETWEEN " + MinOf(t) + " AND " + MaxOf(t) + " THEN CAST(" +
               wide + " AS " + t.ToDuckDb() + ") END";
      }
      if (t.IsIntegral()) return Checked(binary(op));
      if (t.id == TypeId::kDate && expr.children[1]->type.id == TypeId::kInterval) {
        return "CAST(" + binary(op) + " AS DATE)";
      }
      // date - date: DuckDB counts the days; Spark's result is an interval of days.
      if (t.id == TypeId::kInterval && expr.children[0]->type.id == TypeId::kDate &&
          expr.children[1]->type.id == TypeId::kDate) {
        return "to_days(CAST(" + binary(op) + " AS INTEGER))";
      }
      return binary(op);
    }
    case OperatorKind::kDivide: {
      const DataType& lt = expr.children[0]->type;
      if (options_.dialect == Dialect::kSqlite && t.IsIntegral()) {
        return "(" + args[0] + " // " + args[1] + ")";  // DuckDB: truncating, NULL for 0
      }
      if (t.id == TypeId::kDecimal) {
        // DuckDB divides decimals in double precision; Spark exactly. The exact path is used
        // where DuckDB's 128-bit integers hold the operands, else the double's result is cast
        // to Spark's type.
        std::string double_path =
            decimal_result("(CAST(" + args[0] + " AS DOUBLE) / " +
                           Divisor("CAST(" + args[1] + " AS DOUBLE)", args[0]) + ")");
        if (options_.dialect == Dialect::kSpark) {
          std::optional<std::string> exact = ExactDecimalDivision(
              lt, expr.children[1]->type, t, args[0], Divisor(args[1], args[0]), double_path);
          if (exact.has_value()) {
            return options_.safe_arithmetic ? "TRY(" + *exact + ")" : *exact;
          }
        }
        return double_path;
      }
      (void)lt;
      return "(" + args[0] + " / " + Divisor(args[1], args[0]) + ")";
    }
    case OperatorKind::kIntegerDivide: {
      if (expr.children[0]->type.IsIntegral() && expr.children[1]->type.IsIntegral()) {
        return Checked("(" + args[0] + " // " + Divisor(args[1], args[0]) + ")");
      }
      return "CAST(trunc(" + args[0] + " / " + Divisor(args[1], args[0]) + ") AS BIGINT)";
    }
    case OperatorKind::kModulo:
      return decimal_result("(" + args[0] + " % " + Divisor(args[1], args[0]) + ")");
    case OperatorKind::kNegate:
      if (t.IsIntegral()) return Checked("(- " + args[0] + ")");
      return "(- " + args[0] + ")";
    case OperatorKind::kBitAnd:
      return binary("&");
    case OperatorKind::kBitOr:
      return binary("|");
    case OperatorKind::kBitXor:
      return "xor(" + args[0] + ", " + args[1] + ")";
    case OperatorKind::kBitNot:
      return "(~ " + args[0] + ")";
    case OperatorKind::kShiftLeft:
    case OperatorKind::kShiftRight:
      return Shift(expr.op == OperatorKind::kShiftLeft, t, args[0], args[1]);
    case OperatorKind::kConcat:
      return binary("||");
    case OperatorKind::kEqual:
      return binary("=");
    case OperatorKind::kNotEqual:
      return binary("<>");
    case OperatorKind::kLess:
      return binary("<");
    case OperatorKind::kLessEqual:
      return binary("<=");
    case OperatorKind::kGreater:
      return binary(">");
    case OperatorKind::kGreaterEqual:
      return binary(">=");
    case OperatorKind::kNullSafeEqual:
      return binary("IS NOT DISTINCT FROM");
    case OperatorKind::kDistinctFrom:
      return binary("IS DISTINCT FROM");
    case OperatorKind::kAnd:
      return binary("AND");
    case OperatorKind::kOr:
      return binary("OR");
    case OperatorKind::kNot:
      return "(NOT " + args[0] + ")";
    case OperatorKind::kIsNull:
      return "(" + args[0] + " IS NULL)";
    case OperatorKind::kIsNotNull:
      return "(" + args[0] + " IS NOT NULL)";
    case OperatorKind::kIsTrue:
      return "(" + args[0] + " IS TRUE)";
    case OperatorKind::kIsNotTrue:
      return "(" + args[0] + " IS NOT TRUE)";
    case OperatorKind::kIsFalse:
      return "(" + args[0] + " IS FALSE)";
    case OperatorKind::kIsNotFalse:
      return "(" + args[0] + " IS NOT FALSE)";
    case OperatorKind::kLike:
    case OperatorKind::kILike: {
      std::string out = "(" + args[0] + (expr.negated ? " NOT " : " ") +
                        (expr.op == OperatorKind::kLike ? "LIKE " : "ILIKE ") + args[1];
      if (args.size() == 3) {
        out += " ESCAPE " + args[2];
      } else if (options_.dialect != Dialect::kSqlite) {
        out += " ESCAPE '\\'";  // Spark's default escape character
      }
      if (LiteralsFrom(expr, 1) || !options_.safe_arithmetic) return out + ")";
      // A pattern or escape read from a cell may be malformed: under safe arithmetic, NULL.
      // DuckDB's TRY does not catch LIKE's own errors (a pattern ending in its escape
      // character, an escape of more than one character), so those are tested first.
      std::string escape = args.size() == 3 ? args[2] : std::string("'\\'");
      if (args.size() < 3 && options_.dialect == Dialect::kSqlite) return Checked(out + ")");
      return "(CASE WHEN length(" + escape + ") > 1 OR (length(" + args[1] + ") - length(rtrim(" +
             args[1] + ", " + escape + "))) % 2 = 1 THEN NULL ELSE " + Checked(out + ")") + " END)";
    }
    case OperatorKind::kRLike:
      // A pattern read from a cell may not compile: under safe arithmetic, NULL.
      {
        std::string match = "regexp_matches(" + args[0] + ", " + args[1] + ")";
        return std::string(expr.negated ? "(NOT " : "(") +
               (LiteralsFrom(expr, 1) ? match : Checked(match)) + ")";
      }
    case OperatorKind::kInList: {
      std::string out = "(" + args[0] + (expr.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < args.size(); ++i) out += (i > 1 ? ", " : "") + args[i];
      return out + "))";
    }
    case OperatorKind::kBetween:
      return "(" + args[0] + (expr.negated ? " NOT BETWEEN " : " BETWEEN ") + args[1] + " AND " +
             args[2] + ")";
  }
  return Status::Internal("unknown operator");
}

Result<std::string> DuckDbEmitter::EmitOver(const Expression& expr) {
  std::string over = " OVER (";
  for (size_t i = 0; i < expr.partition_by.size(); ++i) {
    CR_ASSIGN_OR_RETURN(std::string p, EmitExpr(*expr.partition_by[i]));
    over += (i == 0 ? "PARTITION BY " : ", ") + p;
  }
  // percentile_cont / percentile_disc keep their WITHIN GROUP key in order_by; their window is
  // the whole partition (the binder refuses a window ORDER BY for them).
  std::string_view name = expr.function != nullptr ? expr.function->name : std::string_view();
  bool within_group = name == "percentile_cont" || name == "percentile_disc";
  if (!expr.order_by.empty() && !within_group) {
    CR_ASSIGN_OR_RETURN(std::string keys, EmitSortKeys(expr.order_by));
    over += (expr.partition_by.empty() ? "ORDER BY " : " ORDER BY ") + keys;
  }
  if (expr.frame.present) {
    auto bound = [&](FrameBoundType type, const ExprPtr& offset) -> Result<std::string> {
      switch (type) {
        case FrameBoundType::kUnboundedPreceding:
          return std::string("UNBOUNDED PRECEDING");
        case FrameBoundType::kUnboundedFollowing:
          return std::string("UNBOUNDED FOLLOWING");
        case FrameBoundType::kCurrentRow:
          return std::string("CURRENT ROW");
        case FrameBoundType::kPreceding:
        case FrameBoundType::kFollowing: {
          CR_ASSIGN_OR_RETURN(std::string n, EmitExpr(*offset));
          return n + (type == FrameBoundType::kPreceding ? " PRECEDING" : " FOLLOWING");
        }
      }
      return std::string();
    };
    CR_ASSIGN_OR_RETURN(std::string start, bound(expr.frame.start, expr.frame.start_offset));
    CR_ASSIGN_OR_RETURN(std::string end, bound(expr.frame.end, expr.frame.end_offset));
    over += std::string(
                expr.partition_by.empty() && (expr.order_by.empty() || within_group) ? "" : " ") +
            (expr.frame.rows ? "ROWS" : "RANGE") + " BETWEEN " + start + " AND " + end;
  }
  return over + ")";
}

Result<std::string> DuckDbEmitter::EmitCallExpr(const Expression& expr) {
  if (expr.function == nullptr) return Status::Internal("call without a function");
  std::vector<std::string> args;
  for (const auto& c : expr.children) {
    CR_ASSIGN_OR_RETURN(std::string a, EmitExpr(*c));
    args.push_back(std::move(a));
  }
  FunctionEmitContext ctx{options_.dialect,          options_.safe_arithmetic, "", "", "", "",
                          options_.session_time_zone};
  if (expr.filter) {
    CR_ASSIGN_OR_RETURN(std::string filter, EmitExpr(*expr.filter));
    ctx.filter = " FILTER (WHERE " + filter + ")";
    ctx.filter_condition = std::move(filter);
  }
  if (expr.kind == ExprKind::kAggregate && !expr.order_by.empty()) {
    CR_ASSIGN_OR_RETURN(std::string keys, EmitSortKeys(expr.order_by));
    ctx.order = " ORDER BY " + keys;
  }
  if (expr.kind == ExprKind::kWindow) {
    CR_ASSIGN_OR_RETURN(ctx.over, EmitOver(expr));
  }
  std::string call = expr.function->emit(ctx, expr, args);
  // Under safe arithmetic a scalar function that fails on a value (a regular expression or a
  // format built from a cell, a malformed date) yields NULL for that row: its error would be a
  // one-bit oracle on the data and could quote the value. The checker's own functions (named
  // __cr_...) cannot fail and stay unwrapped.
  if (options_.safe_arithmetic && expr.kind == ExprKind::kFunction && !LiteralsFrom(expr, 0) &&
      !std::string_view(expr.function->name).starts_with("__cr")) {
    return "TRY(" + call + ")";
  }
  return call;
}

}  // namespace cleanroom::sql
