#include "sql/planner/type_rules.h"

#include <algorithm>
#include <string>

namespace cleanroom::sql {

namespace {

int IntegralRank(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
      return 1;
    case TypeId::kSmallInt:
      return 2;
    case TypeId::kInt:
      return 3;
    case TypeId::kBigInt:
      return 4;
    default:
      return 0;
  }
}

DataType WiderDecimal(const DataType& a, const DataType& b) {
  int scale = std::max(a.scale, b.scale);
  int whole = std::max(a.precision - a.scale, b.precision - b.scale);
  int precision = std::min(38, whole + scale);
  if (whole + scale > 38) scale = std::max(0, 38 - whole);
  return DataType::Decimal(precision, std::min(scale, precision));
}

}  // namespace

DataType DecimalForIntegral(const DataType& type) {
  switch (type.id) {
    case TypeId::kTinyInt:
      return DataType::Decimal(3, 0);
    case TypeId::kSmallInt:
      return DataType::Decimal(5, 0);
    case TypeId::kInt:
      return DataType::Decimal(10, 0);
    case TypeId::kBigInt:
      return DataType::Decimal(20, 0);
    default:
      return type;
  }
}

std::optional<DataType> CommonType(const DataType& a, const DataType& b, Dialect dialect) {
  if (a == b) return a;
  if (a.id == TypeId::kNull) return b;
  if (b.id == TypeId::kNull) return a;
  if (a.id == TypeId::kInterval && b.id == TypeId::kInterval) {
    // Two ANSI intervals of one kind: the fields of both; otherwise the untyped interval.
    bool same_kind = (a.IsYearMonthInterval() && b.IsYearMonthInterval()) ||
                     (a.IsDayTimeInterval() && b.IsDayTimeInterval());
    if (!same_kind) return DataType::Of(TypeId::kInterval);
    return DataType::Interval(std::min(a.precision, b.precision), std::max(a.scale, b.scale));
  }
  if (a.IsNumeric() && b.IsNumeric()) {
    if (a.IsIntegral() && b.IsIntegral()) {
      return IntegralRank(a.id) >= IntegralRank(b.id) ? a : b;
    }
    if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) return DataType::Of(TypeId::kDouble);
    if (a.id == TypeId::kFloat || b.id == TypeId::kFloat) {
      if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal)
        return DataType::Of(TypeId::kDouble);
      return DataType::Of(TypeId::kFloat);
    }
    return WiderDecimal(DecimalForIntegral(a), DecimalForIntegral(b));
  }
  auto is_text = [](const DataType& t) { return t.id == TypeId::kString; };
  if (is_text(a) || is_text(b)) {
    const DataType& other = is_text(a) ? b : a;
    // A string meets a number, date or timestamp: the string is read as that type.
    if (other.IsIntegral()) {
      return dialect == Dialect::kSqlite ? DataType::Of(TypeId::kString)
                                         : DataType::Of(TypeId::kBigInt);
    }
    if (other.IsNumeric()) {
      return dialect == Dialect::kSqlite ? DataType::Of(TypeId::kString)
                                         : DataType::Of(TypeId::kDouble);
    }
    if (other.id == TypeId::kDate || other.id == TypeId::kTimestamp ||
        other.id == TypeId::kTimestampNtz || other.id == TypeId::kBoolean) {
      return other;
    }
    if (other.id == TypeId::kBinary) return other;
    return std::nullopt;
  }
  if ((a.id == TypeId::kDate && (b.id == TypeId::kTimestamp || b.id == TypeId::kTimestampNtz)) ||
      (b.id == TypeId::kDate && (a.id == TypeId::kTimestamp || a.id == TypeId::kTimestampNtz))) {
    return a.id == TypeId::kDate ? b : a;
  }
  if ((a.id == TypeId::kTimestamp && b.id == TypeId::kTimestampNtz) ||
      (b.id == TypeId::kTimestamp && a.id == TypeId::kTimestampNtz)) {
    return DataType::Of(TypeId::kTimestamp);
  }
  if (dialect == Dialect::kSqlite && a.id == TypeId::kBoolean && b.IsNumeric()) return b;
  if (dialect == Dialect::kSqlite && b.id == TypeId::kBoolean && a.IsNumeric()) return a;
  if (a.id == TypeId::kArray && b.id == TypeId::kArray) {
    auto element = CommonType(a.children[0], b.children[0], dialect);
    if (!element) return std::nullopt;
    return DataType::Array(*element);
  }
  return std::nullopt;
}

std::optional<DataType> WiderType(const DataType& a, const DataType& b, Dialect dialect) {
  bool a_text = a.id == TypeId::kString, b_text = b.id == TypeId::kString;
  if (a_text != b_text) {
    const DataType& other = a_text ? b : a;
    if (other.IsNumeric() || other.id == TypeId::kBoolean || other.id == TypeId::kDate ||
        other.id == TypeId::kTimestamp || other.id == TypeId::kTimestampNtz) {
      return DataType::Of(TypeId::kString);
    }
  }
  return CommonType(a, b, dialect);
}

DataType DecimalArithmeticType(OperatorKind op, const DataType& a_in, const DataType& b_in) {
  DataType a = DecimalForIntegral(a_in);
  DataType b = DecimalForIntegral(b_in);
  int p1 = a.precision, s1 = a.scale, p2 = b.precision, s2 = b.scale;
  int precision = 0, scale = 0;
  switch (op) {
    case OperatorKind::kAdd:
    case OperatorKind::kSubtract:
      scale = std::max(s1, s2);
      precision = std::max(p1 - s1, p2 - s2) + scale + 1;
      break;
    case OperatorKind::kMultiply:
      precision = p1 + p2 + 1;
      scale = s1 + s2;
      break;
    case OperatorKind::kDivide:
      scale = std::max(6, s1 + p2 + 1);
      precision = p1 - s1 + s2 + scale;
      break;
    case OperatorKind::kModulo:
      scale = std::max(s1, s2);
      precision = std::min(p1 - s1, p2 - s2) + scale;
      break;
    default:
      return WiderDecimal(a, b);
  }
  // Spark's adjustPrecisionScale with allowPrecisionLoss.
  if (precision > 38) {
    int whole = precision - scale;
    int min_scale = std::min(scale, 6);
    scale = std::max(38 - whole, min_scale);
    precision = 38;
  }
  return DataType::Decimal(precision, scale);
}

bool CanCast(const DataType& from, const DataType& to) {
  if (from == to || from.id == TypeId::kNull) return true;
  auto scalar = [](const DataType& t) { return !t.IsNested() && t.id != TypeId::kInterval; };
  if (to.id == TypeId::kString) return true;
  if (from.id == TypeId::kString) return scalar(to) || to.id == TypeId::kInterval;
  // ANSI intervals: to and from their count of the end field (a number), and between fields
  // of one kind.
  if (from.IsNumeric() && (to.IsYearMonthInterval() || to.IsDayTimeInterval())) return true;
  if ((from.IsYearMonthInterval() || from.IsDayTimeInterval()) && to.IsNumeric()) return true;
  if (from.id == TypeId::kInterval && to.id == TypeId::kInterval) {
    return to.precision == kNoField || (from.IsYearMonthInterval() && to.IsYearMonthInterval()) ||
           (from.IsDayTimeInterval() && to.IsDayTimeInterval());
  }
  if (from.IsNumeric() || from.id == TypeId::kBoolean) {
    return to.IsNumeric() || to.id == TypeId::kBoolean || to.id == TypeId::kTimestamp;
  }
  if (from.id == TypeId::kDate || from.id == TypeId::kTimestamp ||
      from.id == TypeId::kTimestampNtz) {
    return to.id == TypeId::kDate || to.id == TypeId::kTimestamp ||
           to.id == TypeId::kTimestampNtz || (from.id != TypeId::kDate && to.IsNumeric());
  }
  if (from.id == TypeId::kBinary) return to.id == TypeId::kBinary;
  if (from.id == TypeId::kArray && to.id == TypeId::kArray) {
    return CanCast(from.children[0], to.children[0]);
  }
  return false;
}

ExprPtr CastTo(ExprPtr expr, const DataType& type) {
  if (expr->type == type) return expr;
  if (expr->kind == ExprKind::kLiteral && expr->is_null) {
    auto copy = std::make_shared<Expression>(*expr);
    copy->type = type;
    return copy;
  }
  auto cast = std::make_shared<Expression>();
  cast->kind = ExprKind::kCast;
  cast->type = type;
  cast->children.push_back(std::move(expr));
  return cast;
}

ExprPtr MakeLiteral(const DataType& type, std::string value, bool is_null) {
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kLiteral;
  e->type = type;
  e->value = std::move(value);
  e->is_null = is_null;
  return e;
}

std::optional<DataType> NumericLiteralType(std::string_view text, Dialect dialect,
                                           std::string* canonical) {
  std::string digits(text);
  std::string suffix;
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  if (digits.size() > 2 && lower(digits[digits.size() - 2]) == 'b' && lower(digits.back()) == 'd') {
    suffix = "bd";
    digits.resize(digits.size() - 2);
  } else if (!digits.empty()) {
    char last = lower(digits.back());
    if (last == 'l' || last == 's' || last == 'y' || last == 'd' || last == 'f') {
      suffix = std::string(1, last);
      digits.pop_back();
    }
  }
  bool negative = !digits.empty() && digits[0] == '-';
  std::string body = negative ? digits.substr(1) : digits;
  bool has_exponent = body.find_first_of("eE") != std::string::npos;
  size_t dot = body.find('.');
  bool has_dot = dot != std::string::npos;
  if (body.empty()) return std::nullopt;
  if (has_dot && dot == 0) body = "0" + body;  // .5
  dot = body.find('.');
  if (has_dot && dot == body.size() - 1) body += "0";  // 5.
  *canonical = (negative ? "-" : "") + body;
  if (suffix == "d" || suffix == "f") {
    return DataType::Of(suffix == "d" ? TypeId::kDouble : TypeId::kFloat);
  }
  if (has_exponent) return DataType::Of(TypeId::kDouble);
  // Integer digits (without leading zeros) and fraction digits.
  std::string whole = has_dot ? body.substr(0, body.find('.')) : body;
  std::string fraction = has_dot ? body.substr(body.find('.') + 1) : "";
  size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "" : whole.substr(nz);
  if (has_dot || suffix == "bd") {
    if (dialect == Dialect::kSqlite && suffix.empty()) return DataType::Of(TypeId::kDouble);
    int scale = static_cast<int>(fraction.size());
    int precision = std::max<int>(static_cast<int>(whole.size()) + scale, 1);
    if (precision > 38) return DataType::Of(TypeId::kDouble);
    return DataType::Decimal(precision, scale);
  }
  // An integer: compare magnitudes as strings of digits.
  auto fits = [&](std::string_view max_positive, std::string_view max_negative) {
    std::string_view limit = negative ? max_negative : max_positive;
    if (whole.size() != limit.size()) return whole.size() < limit.size();
    return whole <= limit;
  };
  if (suffix == "y") {
    if (!fits("127", "128")) return std::nullopt;
    return DataType::Of(TypeId::kTinyInt);
  }
  if (suffix == "s") {
    if (!fits("32767", "32768")) return std::nullopt;
    return DataType::Of(TypeId::kSmallInt);
  }
  if (suffix == "l") {
    if (!fits("9223372036854775807", "9223372036854775808")) return std::nullopt;
    return DataType::Of(TypeId::kBigInt);
  }
  if (dialect != Dialect::kSqlite && fits("2147483647", "2147483648")) {
    return DataType::Of(TypeId::kInt);
  }
  if (fits("9223372036854775807", "9223372036854775808")) return DataType::Of(TypeId::kBigInt);
  if (dialect == Dialect::kSqlite) return DataType::Of(TypeId::kDouble);
  if (whole.size() <= 38) return DataType::Decimal(static_cast<int>(whole.size()), 0);
  return std::nullopt;
}

}  // namespace cleanroom::sql
