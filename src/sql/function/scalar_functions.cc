// Scalar functions (string, math, date, conditional) with Spark's semantics, for DuckDB.
#include <algorithm>
#include <cstdlib>

#include "sql/catalog.h"
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

std::string List(const Emitted& args, const char* separator = ", ") {
  return JoinArguments(args, separator);
}
std::string Named(std::string_view name, const Emitted& args) { return NamedCall(name, args); }

// --- strings ---
Result<DataType> BindString(const FunctionBindContext& ctx, Args& args) {
  return BindStringArguments(ctx, args);
}
std::string EmitNamedCall(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return Named(call.function->name, args);
}
Result<DataType> BindLength(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kInt;
}
std::string EmitLength(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(length(" + args[0] + ") AS INTEGER)";
}
Result<DataType> BindSubstring(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i]->type.IsIntegral() && args[i]->type.id != TypeId::kNull) {
      return Status::InvalidArgument("positions must be integers");
    }
    args[i] = CastTo(args[i], kBigInt);
  }
  return kString;
}
std::string EmitSubstring(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  // Spark reads position 0 as 1; DuckDB counts it as the position before the first character.
  std::string start = args[1];
  const Expression& p = *call.children[1];
  if (!(p.kind == ExprKind::kLiteral && p.value != "0")) {
    start = "CASE WHEN " + args[1] + " = 0 THEN 1 ELSE " + args[1] + " END";
  }
  if (args.size() == 2) return "substring(" + args[0] + ", " + start + ")";
  // A negative length gives the empty string in Spark.
  return "substring(" + args[0] + ", " + start + ", CASE WHEN " + args[2] + " < 0 THEN 0 ELSE " +
         args[2] + " END)";
}
Result<DataType> BindConcat(const FunctionBindContext& ctx, Args& args) {
  if (ctx.dialect == Dialect::kDuckdb && args.empty()) {
    return Status::InvalidArgument("takes at least 1 argument in the duckdb dialect");
  }
  return BindString(ctx, args);
}
std::string EmitConcat(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  // Spark's concat is NULL when any argument is; DuckDB's concat skips NULLs, `||` does not.
  if (ctx.dialect == Dialect::kDuckdb) return Named("concat", args);
  if (args.empty()) return "''";
  return "(" + List(args, " || ") + ")";
}
Result<DataType> BindConcatWs(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kString;
}
std::string EmitConcatWs(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  if (args.size() == 1) return "CASE WHEN " + args[0] + " IS NULL THEN NULL ELSE '' END";
  return Named("concat_ws", args);
}
std::string EmitReplace(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  if (args.size() == 2) return "replace(" + args[0] + ", " + args[1] + ", '')";
  return Named("replace", args);
}
Result<DataType> BindPad(const FunctionBindContext& ctx, Args& args) {
  // Spark pads with spaces when the padding is left out; DuckDB requires it.
  if (ctx.dialect == Dialect::kDuckdb && args.size() == 2) {
    return Status::InvalidArgument("takes 3 arguments in the duckdb dialect");
  }
  // Binary input is padded with bytes (X'00' by default) when the padding is binary too.
  bool binary = args[0]->type.id == TypeId::kBinary &&
                (args.size() == 2 || args[2]->type.id == TypeId::kBinary);
  if (!binary) args[0] = CastTo(args[0], kString);
  if (args[1]->type.id == TypeId::kString) args[1] = CastTo(args[1], kInt);
  if (!args[1]->type.IsIntegral() && args[1]->type.id != TypeId::kNull) {
    return Status::InvalidArgument("the length must be an integer");
  }
  args[1] = CastTo(args[1], kInt);
  if (args.size() == 3 && !binary) args[2] = CastTo(args[2], kString);
  return binary ? DataType::Of(TypeId::kBinary) : kString;
}
std::string EmitPad(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (call.type.id == TypeId::kBinary) {
    // Bytes padded through their hexadecimal text: two digits a byte. An empty padding leaves
    // the input (cut to the length) as it is.
    std::string length = "2 * greatest(" + args[1] + ", 0)";
    std::string pad = args.size() == 3 ? "hex(" + args[2] + ")" : "'00'";
    std::string text = "hex(" + args[0] + ")";
    return "unhex(CASE WHEN " + pad + " = '' THEN left(" + text + ", " + length + ") ELSE " +
           Named(call.function->name, {text, length, pad}) + " END)";
  }
  Emitted padded = args;
  if (padded.size() == 2) padded.push_back("' '");
  // Spark gives '' for a negative length; DuckDB raises an error.
  return Named(
      call.function->name,
      {padded[0], "CASE WHEN " + padded[1] + " < 0 THEN 0 ELSE " + padded[1] + " END", padded[2]});
}
Result<DataType> BindSha2(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  const Expression& bits = *args[1];
  if (bits.kind != ExprKind::kLiteral || !bits.type.IsIntegral() ||
      (bits.value != "0" && bits.value != "256")) {
    return Status::Unimplemented("only sha2(x, 256) is supported");
  }
  return kString;
}
std::string EmitSha2(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "sha256(" + args[0] + ")";
}

// --- math ---
Result<DataType> BindSameNumeric(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  return args[0]->type;
}
Result<DataType> BindDoubleMath(const FunctionBindContext&, Args& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    CR_RETURN_IF_ERROR(NeedNumeric(args, i));
    args[i] = CastTo(args[i], kDouble);
  }
  return kDouble;
}
std::string EmitLn(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  // Spark: the logarithm of a non-positive number is NULL.
  return "ln(CASE WHEN " + args[0] + " > 0 THEN " + args[0] + " END)";
}
std::string EmitLog(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  if (args.size() == 1) return EmitLn(ctx, call, args);
  // log(base, x) = ln(x) / ln(base); NULL for a non-positive x or base.
  return "(ln(CASE WHEN " + args[1] + " > 0 THEN " + args[1] + " END) / ln(CASE WHEN " + args[0] +
         " > 0 AND " + args[0] + " <> 1 THEN " + args[0] + " END))";
}
std::string EmitSqrt(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  // Spark: sqrt of a negative number is NaN.
  return "CASE WHEN " + args[0] + " < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt(" + args[0] + ") END";
}
Result<DataType> BindRound(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  int digits = 0;
  if (args.size() == 2) {
    if (args[1]->kind != ExprKind::kLiteral || !args[1]->type.IsIntegral()) {
      return Status::InvalidArgument("the number of digits must be an integer literal");
    }
    if (args[1]->is_null || args[1]->value.size() > 4) {
      return Status::InvalidArgument("the number of digits is out of range");
    }
    digits = std::stoi(args[1]->value);
    args[1] = CastTo(args[1], kInt);
  }
  const DataType& t = args[0]->type;
  if (t.id == TypeId::kDecimal) {
    int scale = std::clamp(digits, 0, t.scale);
    int precision = std::min(38, t.precision - t.scale + scale + 1);
    return DataType::Decimal(std::max(precision, 1), scale);
  }
  return t;
}
std::string EmitRound(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  std::string digits = args.size() == 2 ? args[1] : "0";
  const DataType& t = call.children[0]->type;
  if (t.IsIntegral()) {
    if (args.size() == 1) return args[0];
    // Rounding an integer to negative digits, half up, in the integer's own type.
    return EmitCast("round(CAST(" + args[0] + " AS DECIMAL(38,0)), " + digits + ")", call.type);
  }
  return EmitCast("round(" + args[0] + ", " + digits + ")", call.type);
}
// ceil / floor (x [, d]): bigint, or for a decimal decimal(p - s + 1, 0). With a scale d (an
// integer literal) the result is a decimal rounded up / down to d digits after the point:
// decimal(p - s + 1 + min(d, s), min(d, s)) for d >= 0, decimal(max(p - s + 1, 1 - d), 0) for
// d < 0, an integer read as decimal(10, 0) / decimal(20, 0).
Result<DataType> BindFloorCeil(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  DataType t = args[0]->type;
  if (args.size() == 2) {
    const Expression& d = *args[1];
    if (d.kind != ExprKind::kLiteral || d.is_null || !d.type.IsIntegral() || d.value.size() > 4) {
      return Status::InvalidArgument("the scale must be an integer literal");
    }
    int scale = std::stoi(d.value);
    if (t.IsIntegral()) t = DecimalForIntegral(t);
    if (t.id != TypeId::kDecimal)
      return Status::Unimplemented("a scale for a floating-point value");
    args[0] = CastTo(args[0], t);
    int integral = t.precision - t.scale;
    if (scale >= 0) {
      int kept = std::min(scale, t.scale);
      return DataType::Decimal(std::min(38, integral + 1 + kept), kept);
    }
    return DataType::Decimal(std::min(38, std::max(integral + 1, 1 - scale)), 0);
  }
  if (t.id == TypeId::kDecimal)
    return DataType::Decimal(std::min(38, t.precision - t.scale + 1), 0);
  return kBigInt;
}
std::string EmitFloorCeil(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (args.size() == 1) return EmitCast(Named(call.function->name, args), call.type);
  int scale = std::stoi(call.children[1]->value);
  std::string power = "1" + std::string(static_cast<size_t>(std::abs(scale)), '0');
  // Exact on the decimal: shift, round to an integer, shift back.
  std::string shifted =
      scale >= 0 ? "(" + args[0] + " * " + power + ")" : "(" + args[0] + " / " + power + ")";
  std::string rounded = Named(call.function->name, {shifted});
  std::string back = scale >= 0 ? "(CAST(" + rounded + " AS DECIMAL(38, 0)) / " + power + ")"
                                : "(CAST(" + rounded + " AS DECIMAL(38, 0)) * " + power + ")";
  return EmitCast(back, call.type);
}
Result<DataType> BindMod(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  CR_RETURN_IF_ERROR(NeedNumeric(args, 1));
  const DataType& a = args[0]->type;
  const DataType& b = args[1]->type;
  if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
    if (a.id != TypeId::kDouble && b.id != TypeId::kDouble && a.id != TypeId::kFloat &&
        b.id != TypeId::kFloat) {
      return DecimalArithmeticType(OperatorKind::kModulo, a, b);
    }
  }
  auto common = CommonType(a, b, ctx.dialect);
  args[0] = CastTo(args[0], *common);
  args[1] = CastTo(args[1], *common);
  return *common;
}
std::string EmitMod(const FunctionEmitContext& ctx, const Expression& call, const Emitted& args) {
  std::string divisor =
      ctx.safe_arithmetic
          ? "NULLIF(" + args[1] + ", 0)"
          : "CASE WHEN " + args[1] + " = 0 AND " + args[0] +
                " IS NOT NULL THEN error('[DIVIDE_BY_ZERO] Division by zero') ELSE " + args[1] +
                " END";
  std::string out = "(" + args[0] + " % " + divisor + ")";
  if (call.type.id == TypeId::kDecimal) return EmitCast(out, call.type);
  return out;
}
std::string EmitSign(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(sign(" + args[0] + ") AS DOUBLE)";
}
Result<DataType> BindGreatest(const FunctionBindContext& ctx, Args& args) {
  DataType common = DataType::Of(TypeId::kNull);
  for (const auto& a : args) {
    auto next = WiderType(common, a->type, ctx.dialect);
    if (!next) return Status::InvalidArgument("arguments have no common type");
    common = *next;
  }
  if (common.id == TypeId::kNull) common = kInt;
  for (auto& a : args) a = CastTo(a, common);
  return common;
}
std::string EmitGreatest(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  // SQLite's two-argument min()/max() are scalar and NULL when any argument is.
  if (ctx.dialect == Dialect::kSqlite) {
    std::string any_null;
    for (size_t i = 0; i < args.size(); ++i) any_null += (i ? " OR " : "") + args[i] + " IS NULL";
    return "CASE WHEN " + any_null + " THEN NULL ELSE " + Named(call.function->name, args) + " END";
  }
  return Named(call.function->name, args);
}

// --- dates ---
Result<DataType> BindDatePart(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kDate));
  return kInt;
}
std::string EmitDatePart(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  return "CAST(" + Named(call.function->name, args) + " AS INTEGER)";
}
Result<DataType> BindDateTrunc(const FunctionBindContext&, Args& args) {
  if (args[0]->kind != ExprKind::kLiteral || args[0]->type.id != TypeId::kString) {
    return Status::InvalidArgument("the unit must be a string literal");
  }
  std::string unit = ToLowerAscii(args[0]->value);
  static const std::pair<const char*, const char*> kUnits[] = {{"year", "year"},
                                                               {"yyyy", "year"},
                                                               {"yy", "year"},
                                                               {"quarter", "quarter"},
                                                               {"month", "month"},
                                                               {"mon", "month"},
                                                               {"mm", "month"},
                                                               {"week", "week"},
                                                               {"day", "day"},
                                                               {"dd", "day"},
                                                               {"hour", "hour"},
                                                               {"minute", "minute"},
                                                               {"second", "second"},
                                                               {"millisecond", "millisecond"},
                                                               {"microsecond", "microsecond"}};
  std::string mapped;
  for (const auto& [from, to] : kUnits) {
    if (unit == from) mapped = to;
  }
  if (mapped.empty()) return Status::InvalidArgument("unknown date_trunc unit");
  args[0] = MakeLiteral(kString, mapped);
  // The result keeps a timestamp's own kind; dates and strings are read as timestamp_ntz (the
  // clean room's session time zone is UTC).
  if (args[1]->type.id != TypeId::kTimestamp) {
    args[1] = CastTo(args[1], DataType::Of(TypeId::kTimestampNtz));
  }
  return args[1]->type;
}
Result<DataType> BindDateAdd(const FunctionBindContext& ctx, Args& args) {
  args[0] = CastTo(args[0], kDate);
  // Spark: the days are an int, smallint or tinyint (a string is cast to int); bigint is refused.
  if (args[1]->type.id == TypeId::kString) args[1] = CastTo(args[1], kInt);
  if (ctx.dialect == Dialect::kSpark && args[1]->type.id == TypeId::kBigInt) {
    return Status::InvalidArgument("the number of days must be an int, smallint or tinyint");
  }
  if (!args[1]->type.IsIntegral() && args[1]->type.id != TypeId::kNull) {
    return Status::InvalidArgument("the number of days must be an integer");
  }
  args[1] = CastTo(args[1], kInt);
  return kDate;
}
std::string EmitDateAdd(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(" + args[0] + " + " + args[1] + ")";
}
std::string EmitDateSub(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(" + args[0] + " - " + args[1] + ")";
}
Result<DataType> BindDateDiff(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kDate));
  return kInt;
}
std::string EmitDateDiff(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST((" + args[0] + " - " + args[1] + ") AS INTEGER)";
}
Result<DataType> BindToDate(const FunctionBindContext&, Args& args) {
  if (args.size() == 2 &&
      (args[1]->kind != ExprKind::kLiteral || args[1]->type.id != TypeId::kString)) {
    return Status::InvalidArgument("the format must be a string literal");
  }
  TypeId from = args[0]->type.id;
  // A timestamp without time zone casts to its date directly (no string round trip per row).
  bool direct = from == TypeId::kDate || from == TypeId::kTimestamp ||
                (args.size() == 1 && from == TypeId::kTimestampNtz);
  if (!direct) args[0] = CastTo(args[0], kString);
  return kDate;
}
// Java date pattern letters to strftime.
std::string ToStrftime(const std::string& pattern) {
  static const std::pair<const char*, const char*> kParts[] = {
      {"yyyy", "%Y"}, {"yy", "%y"}, {"MM", "%m"},  {"dd", "%d"}, {"HH", "%H"},
      {"mm", "%M"},   {"ss", "%S"}, {"SSS", "%g"}, {"M", "%-m"}, {"d", "%-d"}};
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    bool matched = false;
    for (const auto& [from, to] : kParts) {
      std::string_view f(from);
      if (pattern.compare(i, f.size(), f) == 0) {
        out += to;
        i += f.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      if (pattern[i] == '%') out += "%";
      if (pattern[i] != '\'') out += pattern[i];
      ++i;
    }
  }
  return out;
}
std::string EmitToDate(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  if (args.size() == 1)
    return (ctx.safe_arithmetic ? "TRY_CAST(" : "CAST(") + args[0] + " AS DATE)";
  std::string format = ToStrftime(call.children[1]->value);
  std::string quoted = "'";
  for (char c : format) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  quoted += "'";
  return std::string("CAST(") + (ctx.safe_arithmetic ? "try_strptime(" : "strptime(") + args[0] +
         ", " + quoted + ") AS DATE)";
}
Result<DataType> BindCurrentDate(const FunctionBindContext&, Args&) { return kDate; }
Result<DataType> BindCurrentTimestamp(const FunctionBindContext&, Args&) { return kTimestamp; }
std::string EmitBare(const FunctionEmitContext&, const Expression& call, const Emitted&) {
  return call.function->name;
}

// --- conditional ---
Result<DataType> BindCommon(const FunctionBindContext& ctx, Args& args) {
  return BindGreatest(ctx, args);
}
std::string EmitCoalesce(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return Named("COALESCE", args);
}
Result<DataType> BindNullIf(const FunctionBindContext& ctx, Args& args) {
  auto common = CommonType(args[0]->type, args[1]->type, ctx.dialect);
  if (!common) return Status::InvalidArgument("arguments cannot be compared");
  DataType result = args[0]->type.id == TypeId::kNull ? *common : args[0]->type;
  args[0] = CastTo(args[0], *common);
  args[1] = CastTo(args[1], *common);
  if (result.id == TypeId::kNull) result = kInt;
  return *common == result ? result : *common;
}
std::string EmitNullIf(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return Named("NULLIF", args);
}
Result<DataType> BindIf(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id != TypeId::kBoolean) {
    if (args[0]->type.id == TypeId::kNull) {
      args[0] = CastTo(args[0], DataType::Of(TypeId::kBoolean));
    } else {
      return Status::InvalidArgument("the condition must be boolean");
    }
  }
  Args branches = {args[1], args[2]};
  CR_ASSIGN_OR_RETURN(DataType type, BindGreatest(ctx, branches));
  args[1] = branches[0];
  args[2] = branches[1];
  return type;
}
std::string EmitIf(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " THEN " + args[1] + " ELSE " + args[2] + " END";
}
std::string EmitNvl2(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " IS NOT NULL THEN " + args[1] + " ELSE " + args[2] + " END";
}
Result<DataType> BindNvl2(const FunctionBindContext& ctx, Args& args) {
  Args branches = {args[1], args[2]};
  CR_ASSIGN_OR_RETURN(DataType type, BindGreatest(ctx, branches));
  args[1] = branches[0];
  args[2] = branches[1];
  return type;
}

constexpr FunctionDef kFunctions[] = {
    {"lower", FunctionKind::kScalar, 1, 1, BindString, EmitNamedCall},
    {"upper", FunctionKind::kScalar, 1, 1, BindString, EmitNamedCall},
    {"length", FunctionKind::kScalar, 1, 1, BindLength, EmitLength},
    {"substring", FunctionKind::kScalar, 2, 3, BindSubstring, EmitSubstring},
    {"concat", FunctionKind::kScalar, 0, -1, BindConcat, EmitConcat},
    {"concat_ws", FunctionKind::kScalar, 1, -1, BindConcatWs, EmitConcatWs},
    {"trim", FunctionKind::kScalar, 1, 2, BindString, EmitNamedCall},
    {"ltrim", FunctionKind::kScalar, 1, 2, BindString, EmitNamedCall},
    {"rtrim", FunctionKind::kScalar, 1, 2, BindString, EmitNamedCall},
    {"replace", FunctionKind::kScalar, 2, 3, BindString, EmitReplace},
    {"lpad", FunctionKind::kScalar, 2, 3, BindPad, EmitPad},
    {"rpad", FunctionKind::kScalar, 2, 3, BindPad, EmitPad},
    {"reverse", FunctionKind::kScalar, 1, 1, BindString, EmitNamedCall},
    {"sha2", FunctionKind::kScalar, 2, 2, BindSha2, EmitSha2},
    {"md5", FunctionKind::kScalar, 1, 1, BindString, EmitNamedCall},
    {"abs", FunctionKind::kScalar, 1, 1, BindSameNumeric, EmitNamedCall},
    {"round", FunctionKind::kScalar, 1, 2, BindRound, EmitRound},
    {"floor", FunctionKind::kScalar, 1, 2, BindFloorCeil, EmitFloorCeil},
    {"ceil", FunctionKind::kScalar, 1, 2, BindFloorCeil, EmitFloorCeil},
    {"pow", FunctionKind::kScalar, 2, 2, BindDoubleMath, EmitNamedCall},
    {"ln", FunctionKind::kScalar, 1, 1, BindDoubleMath, EmitLn},
    {"log", FunctionKind::kScalar, 1, 2, BindDoubleMath, EmitLog},
    {"exp", FunctionKind::kScalar, 1, 1, BindDoubleMath, EmitNamedCall},
    {"sqrt", FunctionKind::kScalar, 1, 1, BindDoubleMath, EmitSqrt},
    {"mod", FunctionKind::kScalar, 2, 2, BindMod, EmitMod},
    {"sign", FunctionKind::kScalar, 1, 1, BindSameNumeric, EmitSign},
    {"greatest", FunctionKind::kScalar, 1, -1, BindGreatest, EmitGreatest},
    {"least", FunctionKind::kScalar, 1, -1, BindGreatest, EmitGreatest},
    {"year", FunctionKind::kScalar, 1, 1, BindDatePart, EmitDatePart},
    {"month", FunctionKind::kScalar, 1, 1, BindDatePart, EmitDatePart},
    {"day", FunctionKind::kScalar, 1, 1, BindDatePart, EmitDatePart},
    {"date_trunc", FunctionKind::kScalar, 2, 2, BindDateTrunc, EmitNamedCall},
    {"date_add", FunctionKind::kScalar, 2, 2, BindDateAdd, EmitDateAdd},
    {"date_sub", FunctionKind::kScalar, 2, 2, BindDateAdd, EmitDateSub},
    {"datediff", FunctionKind::kScalar, 2, 2, BindDateDiff, EmitDateDiff},
    {"to_date", FunctionKind::kScalar, 1, 2, BindToDate, EmitToDate},
    {"current_date", FunctionKind::kScalar, 0, 0, BindCurrentDate, EmitBare},
    {"current_timestamp", FunctionKind::kScalar, 0, 0, BindCurrentTimestamp, EmitBare},
    {"coalesce", FunctionKind::kScalar, 1, -1, BindCommon, EmitCoalesce},
    {"nvl", FunctionKind::kScalar, 2, 2, BindCommon, EmitCoalesce},
    {"nullif", FunctionKind::kScalar, 2, 2, BindNullIf, EmitNullIf},
    {"if", FunctionKind::kScalar, 3, 3, BindIf, EmitIf},
    {"iif", FunctionKind::kScalar, 3, 3, BindIf, EmitIf},
    {"nvl2", FunctionKind::kScalar, 3, 3, BindNvl2, EmitNvl2},
};

}  // namespace

FunctionTable ScalarFunctions() { return {kFunctions, std::size(kFunctions), "scalar"}; }

}  // namespace cleanroom::sql
