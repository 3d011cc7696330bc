// Conversion and encoding functions (Spark 4, ANSI mode), written for DuckDB: hex, unhex, bin,
// encode, decode (charset and CASE forms), to_binary, base64, unbase64, luhn_check, sha1,
// to_number, and the cast functions int(x), date(x), ...
#include <cctype>

#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// hex(x): an integer as the hexadecimal digits of its 64-bit two's complement; a string or
// binary as the upper-case hexadecimal of its bytes.
Result<DataType> BindHex(const FunctionBindContext&, Args& args) {
  const DataType& t = args[0]->type;
  if (t.IsNumeric() || t.id == TypeId::kNull) {
    args[0] = CastTo(args[0], kBigInt);
  } else if (t.id != TypeId::kBinary) {
    args[0] = CastTo(args[0], kString);
  }
  return kString;
}
std::string EmitHex(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "upper(hex(" + args[0] + "))";
}
// unhex(str): odd lengths read with a leading 0; a character that is not a hexadecimal digit
// gives NULL.
Result<DataType> BindUnhex(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  return kBinary;
}
std::string UnhexOrElse(const std::string& s, const std::string& otherwise) {
  return "CASE WHEN regexp_full_match(" + s + ", '[0-9a-fA-F]*') THEN unhex(CASE WHEN length(" + s +
         ") % 2 = 1 THEN '0' || " + s + " ELSE " + s + " END) ELSE " + otherwise + " END";
}
std::string EmitUnhex(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return UnhexOrElse(args[0], "NULL");
}
// bin(n): the binary digits of the 64-bit two's complement.
Result<DataType> BindBin(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kString) args[0] = CastTo(args[0], kBigInt);
  CR_RETURN_IF_ERROR(NeedNumeric(args, 0));
  args[0] = CastTo(args[0], kBigInt);
  return kString;
}
std::string EmitBin(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "ltrim(bin(" + args[0] + "), '0') || CASE WHEN " + args[0] + " = 0 THEN '0' ELSE '' END";
}

// The charsets Spark accepts (without the legacy Java charsets): only those we implement are
// accepted, the others are an explicit error.
Result<std::string> Charset(const Args& args, size_t i) {
  CR_ASSIGN_OR_RETURN(std::string charset, NeedStringLiteral(args, i, "the charset"));
  std::string lower = ToLowerAscii(charset);
  if (lower == "utf-8" || lower == "utf8") return std::string("utf-8");
  if (lower == "us-ascii") return lower;
  if (lower == "iso-8859-1" || lower == "utf-16be" || lower == "utf-16le" || lower == "utf-16" ||
      lower == "utf-32") {
    return Status::Unimplemented("the charset " + charset +
                                 " is not supported yet (UTF-8, US-ASCII are)");
  }
  return Status::InvalidArgument("[INVALID_PARAMETER_VALUE.CHARSET] unknown charset");
}
// encode(str, charset): the bytes of str; a character the charset cannot hold is an error.
Result<DataType> BindEncode(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  CR_RETURN_IF_ERROR(Charset(args, 1).status());
  return kBinary;
}
std::string EmitEncode(const FunctionEmitContext& ctx, const Expression& call,
                       const Emitted& args) {
  if (ToLowerAscii(call.children[1]->value) == "us-ascii") {
    return "CASE WHEN regexp_matches(" + args[0] + ", '[^\\x00-\\x7F]') THEN " +
           EmitError(ctx, "[MALFORMED_CHARACTER_CODING] not representable in US-ASCII") +
           " ELSE encode(" + args[0] + ") END";
  }
  return "encode(" + args[0] + ")";
}
// decode(bin, charset): the text of the bytes (malformed input is an error); decode(expr,
// search1, result1, ..., [default]): the result of the first search value equal (NULL-safe)
// to expr.
Result<DataType> BindDecode(const FunctionBindContext& ctx, Args& args) {
  if (args.size() == 2) {
    if (args[0]->type.id != TypeId::kBinary) {
      return Status::InvalidArgument("the first argument must be binary");
    }
    CR_RETURN_IF_ERROR(Charset(args, 1).status());
    return kString;
  }
  DataType key = args[0]->type;
  for (size_t i = 1; i + 1 < args.size(); i += 2) {
    auto common = CommonType(key, args[i]->type, ctx.dialect);
    if (!common)
      return Status::InvalidArgument("search values must be comparable with the expression");
    key = *common;
  }
  DataType result = DataType::Of(TypeId::kNull);
  for (size_t i = 2; i < args.size(); i += 2) {
    auto wider = WiderType(result, args[i]->type, ctx.dialect);
    if (!wider) return Status::InvalidArgument("results have no common type");
    result = *wider;
  }
  if (args.size() % 2 == 0) {
    auto wider = WiderType(result, args.back()->type, ctx.dialect);
    if (!wider) return Status::InvalidArgument("the default has no common type with the results");
    result = *wider;
  }
  if (result.id == TypeId::kNull) result = kString;
  if (key.id == TypeId::kNull) key = kString;
  args[0] = CastTo(args[0], key);
  for (size_t i = 1; i < args.size(); ++i) {
    bool is_search = i % 2 == 1 && i + 1 < args.size();
    args[i] = CastTo(args[i], is_search ? key : result);
  }
  return result;
}
std::string EmitDecode(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  if (args.size() == 2) return "decode(" + args[0] + ")";
  std::string out = "CASE";
  for (size_t i = 1; i + 1 < args.size(); i += 2) {
    out += " WHEN " + args[0] + " IS NOT DISTINCT FROM " + args[i] + " THEN " + args[i + 1];
  }
  if (args.size() % 2 == 0) out += " ELSE " + args.back();
  return out + " END";
}

// Base64 text to bytes as Spark's to_binary reads it: spaces ignored, padding optional; other
// malformed input is an error.
std::string FromBase64(const FunctionEmitContext& ctx, const std::string& s) {
  std::string compact = "replace(" + s + ", ' ', '')";
  return "CASE WHEN length(" + compact + ") % 4 = 1 OR NOT regexp_full_match(" + compact +
         ", '[A-Za-z0-9+/]*={0,2}') THEN " +
         EmitError(ctx, "[CONVERSION_INVALID_INPUT] invalid base64 input") + " WHEN length(" +
         compact + ") % 4 = 0 THEN from_base64(" + compact + ") WHEN contains(" + compact +
         ", '=') THEN " + EmitError(ctx, "[CONVERSION_INVALID_INPUT] invalid base64 input") +
         " ELSE from_base64(" + compact + " || repeat('=', 4 - length(" + compact + ") % 4)) END";
}
// to_binary(str [, fmt]): fmt 'hex' (default), 'utf-8' / 'utf8' or 'base64'; malformed input is
// an error.
Result<DataType> BindToBinary(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  if (args.size() == 2) {
    CR_ASSIGN_OR_RETURN(std::string format, NeedStringLiteral(args, 1, "the format"));
    std::string lower = ToLowerAscii(format);
    if (lower != "hex" && lower != "utf-8" && lower != "utf8" && lower != "base64") {
      return Status::InvalidArgument(
          "[INVALID_PARAMETER_VALUE.BINARY_FORMAT] the format must be hex, utf-8, utf8 or base64");
    }
  }
  return kBinary;
}
std::string EmitToBinary(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  std::string format = call.children.size() == 2 ? ToLowerAscii(call.children[1]->value) : "hex";
  if (format == "base64") return FromBase64(ctx, args[0]);
  if (format == "hex") {
    return UnhexOrElse(args[0], EmitError(ctx, "[CONVERSION_INVALID_INPUT] invalid hex input"));
  }
  return "encode(" + args[0] + ")";
}
// base64(x): the Base64 text of x's bytes (a string's UTF-8); unbase64(str): the bytes.
Result<DataType> BindBase64(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kBinary) args[0] = CastTo(args[0], kString);
  return kString;
}
std::string EmitBase64(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  if (call.children[0]->type.id == TypeId::kBinary) return "to_base64(" + args[0] + ")";
  return "to_base64(encode(" + args[0] + "))";
}
Result<DataType> BindUnbase64(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  return kBinary;
}
std::string EmitUnbase64(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  return FromBase64(ctx, args[0]);
}
// sha1(x) / sha(x): the lower-case hexadecimal SHA-1 of x's bytes.
Result<DataType> BindDigest(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kBinary) args[0] = CastTo(args[0], kString);
  return kString;
}
std::string EmitSha1(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "sha1(" + args[0] + ")";
}

// luhn_check(str): true when str is all digits and passes the Luhn checksum; false for '' and
// for any other character.
Result<DataType> BindLuhn(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  return kBoolean;
}
std::string EmitLuhn(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  const std::string& s = args[0];
  std::string digit = "CAST(substring(reverse(" + s + "), i + 1, 1) AS INTEGER)";
  std::string term = "CASE WHEN i % 2 = 0 THEN " + digit + " WHEN " + digit + " * 2 > 9 THEN " +
                     digit + " * 2 - 9 ELSE " + digit + " * 2 END";
  return "CASE WHEN " + s + " IS NULL THEN NULL WHEN NOT regexp_full_match(" + s +
         ", '[0-9]+') THEN false ELSE list_sum(list_transform(range(length(" + s +
         ")), lambda i: " + term + ")) % 10 = 0 END";
}

// to_number(str, fmt): fmt of 0 / 9 digits, one '.' or 'D', ',' or 'G' between digits, a
// leading '$', a leading or trailing 'S', a trailing 'MI' or 'PR'. The result is decimal(p, s)
// with p the digits of fmt and s those after the point; input that does not match is an error.
struct NumberFormat {
  int precision = 0;
  int scale = 0;
  std::string pattern;  // a regular expression the input must match in full
};
Result<NumberFormat> ParseNumberFormat(const std::string& format) {
  NumberFormat out;
  std::string upper;
  for (char c : format) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  bool sign_start = upper.starts_with("S");
  bool sign_end = !sign_start && upper.ends_with("S");
  bool minus_end = upper.ends_with("MI");
  bool brackets = upper.ends_with("PR");
  std::string body = upper.substr(sign_start ? 1 : 0);
  if (sign_end) body.pop_back();
  if (minus_end || brackets) body.resize(body.size() - 2);
  bool dollar = body.starts_with("$");
  if (dollar) body.erase(0, 1);
  int whole = 0;
  int fraction = 0;
  bool point = false;
  for (char c : body) {
    if (c == '0' || c == '9') {
      (point ? fraction : whole)++;
    } else if (c == '.' || c == 'D') {
      if (point) return Status::InvalidArgument("the format has more than one decimal point");
      point = true;
    } else if (c == ',' || c == 'G') {
      if (point) return Status::InvalidArgument("a grouping separator after the decimal point");
    } else {
      return Status::InvalidArgument("the format has an unsupported character");
    }
  }
  if (whole + fraction == 0) return Status::InvalidArgument("the format has no digits");
  out.precision = whole + fraction;
  out.scale = fraction;
  std::string number = whole > 0 ? "[0-9][0-9,]*" : "";
  if (point) number += "(\\.[0-9]{0," + std::to_string(fraction) + "})?";
  if (whole == 0) number = "\\.[0-9]{1," + std::to_string(fraction) + "}";
  std::string p = (sign_start ? "[+-]?" : "") + std::string(dollar ? "\\$" : "") + number +
                  (sign_end ? "[+-]?" : "") + (minus_end ? "-?" : "");
  if (brackets) p = "(<" + p + ">|" + p + ")";
  out.pattern = p;
  return out;
}
Result<DataType> BindToNumber(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  CR_ASSIGN_OR_RETURN(std::string format, NeedStringLiteral(args, 1, "the format"));
  CR_ASSIGN_OR_RETURN(NumberFormat parsed, ParseNumberFormat(format));
  return DataType::Decimal(parsed.precision, parsed.scale);
}
std::string EmitToNumber(const FunctionEmitContext& ctx, const Expression& call,
                         const Emitted& args) {
  NumberFormat format = *ParseNumberFormat(call.children[1]->value);
  const std::string& s = args[0];
  bool is_try = std::string_view(call.function->name) == "try_to_number";
  std::string digits = "regexp_replace(" + s + ", '[^0-9.]', '', 'g')";
  std::string value = "CAST(CASE WHEN regexp_matches(" + s + ", '[-<]') THEN '-' ELSE '' END || " +
                      digits + " AS " + call.type.ToDuckDb() + ")";
  std::string invalid =
      is_try
          ? "NULL"
          : EmitError(ctx, "[INVALID_FORMAT.MISMATCH_INPUT] the input does not match the format");
  return "CASE WHEN " + s + " IS NULL THEN NULL WHEN regexp_full_match(" + s + ", " +
         QuoteString(format.pattern) + ") THEN " + (is_try ? "TRY_" : "") + value.substr(0) +
         " ELSE " + invalid + " END";
}

// int(x), double(x), date(x), ...: Spark's cast functions, CAST(x AS <type of that name>)
// (decimal(x) is decimal(10,0)).
Result<DataType> BindCastFunction(const FunctionBindContext&, Args& args, std::string_view name) {
  CR_ASSIGN_OR_RETURN(DataType type, ParseTypeName(name));
  if (!CanCast(args[0]->type, type)) {
    return Status::InvalidArgument("cannot cast " + args[0]->type.ToString() + " to " +
                                   type.ToString());
  }
  args[0] = CastTo(args[0], type);
  return type;
}
template <const char* kName>
Result<DataType> BindCastTo(const FunctionBindContext& ctx, Args& args) {
  return BindCastFunction(ctx, args, kName);
}
std::string EmitCastFunction(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return args[0];
}
constexpr char kBooleanName[] = "boolean";
constexpr char kTinyIntName[] = "tinyint";
constexpr char kSmallIntName[] = "smallint";
constexpr char kIntName[] = "int";
constexpr char kBigIntName[] = "bigint";
constexpr char kFloatName[] = "float";
constexpr char kDoubleName[] = "double";
constexpr char kDecimalName[] = "decimal(10,0)";
constexpr char kStringName[] = "string";
constexpr char kBinaryName[] = "binary";
constexpr char kDateName[] = "date";
constexpr char kTimestampName[] = "timestamp";

constexpr FunctionDef kFunctions[] = {
    {"boolean", FunctionKind::kScalar, 1, 1, BindCastTo<kBooleanName>, EmitCastFunction},
    {"tinyint", FunctionKind::kScalar, 1, 1, BindCastTo<kTinyIntName>, EmitCastFunction},
    {"smallint", FunctionKind::kScalar, 1, 1, BindCastTo<kSmallIntName>, EmitCastFunction},
    {"int", FunctionKind::kScalar, 1, 1, BindCastTo<kIntName>, EmitCastFunction},
    {"bigint", FunctionKind::kScalar, 1, 1, BindCastTo<kBigIntName>, EmitCastFunction},
    {"float", FunctionKind::kScalar, 1, 1, BindCastTo<kFloatName>, EmitCastFunction},
    {"double", FunctionKind::kScalar, 1, 1, BindCastTo<kDoubleName>, EmitCastFunction},
    {"decimal", FunctionKind::kScalar, 1, 1, BindCastTo<kDecimalName>, EmitCastFunction},
    {"string", FunctionKind::kScalar, 1, 1, BindCastTo<kStringName>, EmitCastFunction},
    {"binary", FunctionKind::kScalar, 1, 1, BindCastTo<kBinaryName>, EmitCastFunction},
    {"date", FunctionKind::kScalar, 1, 1, BindCastTo<kDateName>, EmitCastFunction},
    {"timestamp", FunctionKind::kScalar, 1, 1, BindCastTo<kTimestampName>, EmitCastFunction},
    {"hex", FunctionKind::kScalar, 1, 1, BindHex, EmitHex},
    {"unhex", FunctionKind::kScalar, 1, 1, BindUnhex, EmitUnhex},
    {"bin", FunctionKind::kScalar, 1, 1, BindBin, EmitBin},
    {"encode", FunctionKind::kScalar, 2, 2, BindEncode, EmitEncode},
    {"decode", FunctionKind::kScalar, 2, -1, BindDecode, EmitDecode},
    {"to_binary", FunctionKind::kScalar, 1, 2, BindToBinary, EmitToBinary},
    {"base64", FunctionKind::kScalar, 1, 1, BindBase64, EmitBase64},
    {"unbase64", FunctionKind::kScalar, 1, 1, BindUnbase64, EmitUnbase64},
    {"sha1", FunctionKind::kScalar, 1, 1, BindDigest, EmitSha1},
    {"luhn_check", FunctionKind::kScalar, 1, 1, BindLuhn, EmitLuhn},
    {"to_number", FunctionKind::kScalar, 2, 2, BindToNumber, EmitToNumber},
    {"try_to_number", FunctionKind::kScalar, 2, 2, BindToNumber, EmitToNumber},
};

}  // namespace

FunctionTable EncodingFunctions() { return {kFunctions, std::size(kFunctions), "conversion"}; }

}  // namespace cleanroom::sql
