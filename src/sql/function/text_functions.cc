// String search and slicing functions (Spark 4, ANSI mode), written for DuckDB: contains,
// startswith, endswith, left, right, btrim, split_part, instr, locate / position, ascii, chr,
// repeat, space, initcap, translate, octet_length, bit_length, levenshtein, elt, find_in_set.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// Text arguments: binary stays binary only when every argument is binary (Spark's contains /
// startswith / endswith / btrim take both); anything else is read as a string.
Result<DataType> BindTextPredicate(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kBoolean;
}
std::string EmitContains(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NamedCall("contains", args);
}
std::string EmitStartsWith(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NamedCall("starts_with", args);
}
std::string EmitEndsWith(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NamedCall("suffix", args);
}

// left(str, len) / right(str, len): a length of 0 or less gives ''. A string length is cast
// to int (an error when it is not a number, as in ANSI mode).
Result<DataType> BindLeftRight(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  if (args[1]->type.id == TypeId::kString) args[1] = CastTo(args[1], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return kString;
}
std::string EmitLeft(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[1] + " <= 0 THEN (CASE WHEN " + args[0] +
         " IS NOT NULL THEN '' END) ELSE left(" + args[0] + ", " + args[1] + ") END";
}
std::string EmitRight(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[1] + " <= 0 THEN (CASE WHEN " + args[0] +
         " IS NOT NULL THEN '' END) ELSE right(" + args[0] + ", " + args[1] + ") END";
}

// btrim(str [, chars]): both ends, spaces by default.
Result<DataType> BindBtrim(const FunctionBindContext&, Args& args) {
  for (auto& a : args) {
    // A binary argument is read as its UTF-8 text.
    if (a->type.id == TypeId::kBinary) {
      auto decode = std::make_shared<Expression>();
      decode->kind = ExprKind::kFunction;
      decode->function = LookupFunction("decode");
      decode->type = kString;
      decode->children = {a, MakeLiteral(kString, "utf-8")};
      a = decode;
    }
  }
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kString;
}
std::string EmitBtrim(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  if (args.size() == 1) return "trim(" + args[0] + ", ' ')";
  return NamedCall("trim", args);
}

// split_part(str, delimiter, part): 1-based, negative from the end, 0 an error, out of range
// ''; an empty delimiter does not split.
Result<DataType> BindSplitPart(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  if (args[2]->type.id == TypeId::kString) args[2] = CastTo(args[2], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 2, kInt));
  return kString;
}
std::string EmitSplitPart(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  const std::string& s = args[0];
  const std::string& d = args[1];
  const std::string& n = args[2];
  return NullIfAnyNull(args, "CASE WHEN " + n + " = 0 THEN " +
                                 EmitError(ctx, "[INVALID_INDEX_OF_ZERO] split_part index 0") +
                                 " WHEN " + d + " = '' THEN (CASE WHEN " + n + " IN (1, -1) THEN " +
                                 s + " ELSE '' END) ELSE COALESCE(string_split(" + s + ", " + d +
                                 ")[" + n + "], '') END");
}

// instr(str, substr): 1-based position, 0 when absent.
Result<DataType> BindInstr(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kInt;
}
std::string EmitInstr(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(instr(" + args[0] + ", " + args[1] + ") AS INTEGER)";
}
// locate(substr, str [, pos]) / position(substr, str [, pos]): the first occurrence at or after
// pos (1-based); 0 when absent or when pos < 1; pos NULL gives 0.
Result<DataType> BindLocate(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  if (args.size() == 3) CR_RETURN_IF_ERROR(NeedIntegral(args, 2, kInt));
  return kInt;
}
std::string EmitLocate(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string found = "CAST(instr(" + args[1] + ", " + args[0] + ") AS INTEGER)";
  if (args.size() == 2) return found;
  const std::string& pos = args[2];
  std::string from =
      "CAST(instr(substring(" + args[1] + ", " + pos + "), " + args[0] + ") AS INTEGER)";
  return "CASE WHEN " + pos + " IS NULL THEN 0 WHEN " + args[0] + " IS NULL OR " + args[1] +
         " IS NULL THEN NULL WHEN " + pos + " < 1 THEN 0 WHEN " + from + " = 0 THEN 0 ELSE " +
         from + " + " + pos + " - 1 END";
}

// ascii(str): the code point of the first character, 0 for ''.
Result<DataType> BindAscii(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kInt;
}
std::string EmitAscii(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(CASE WHEN " + args[0] + " = '' THEN 0 ELSE unicode(" + args[0] + ") END AS INTEGER)";
}
// chr(n) / char(n): '' for a negative n, else the character n mod 256.
Result<DataType> BindChr(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kString) args[0] = CastTo(args[0], DataType::Of(TypeId::kBigInt));
  CR_RETURN_IF_ERROR(NeedIntegral(args, 0, DataType::Of(TypeId::kBigInt)));
  return kString;
}
std::string EmitChr(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CASE WHEN " + args[0] + " < 0 THEN '' ELSE chr(CAST(" + args[0] +
         " % 256 AS INTEGER)) END";
}
// repeat(str, n) / space(n): '' for n <= 0.
Result<DataType> BindRepeat(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  if (args[1]->type.id == TypeId::kString) args[1] = CastTo(args[1], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 1, kInt));
  return kString;
}
std::string EmitRepeat(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "repeat(" + args[0] + ", greatest(" + args[1] + ", 0))";
}
Result<DataType> BindSpace(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kString) args[0] = CastTo(args[0], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 0, kInt));
  return kString;
}
std::string EmitSpace(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "repeat(' ', greatest(" + args[0] + ", 0))";
}
// initcap(str): every word (separated by spaces) with its first letter upper case and the rest
// lower case.
std::string EmitInitcap(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "array_to_string(list_transform(string_split(lower(" + args[0] +
         "), ' '), lambda w: upper(left(w, 1)) || substring(w, 2)), ' ')";
}
std::string EmitTranslate(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NamedCall("translate", args);
}
// octet_length / bit_length: of the UTF-8 bytes.
Result<DataType> BindByteLength(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kBinary) args[0] = CastTo(args[0], kString);
  return kInt;
}
std::string EmitOctetLength(const FunctionEmitContext&, const Expression& call,
                            const Emitted& args) {
  std::string bytes = call.children[0]->type.id == TypeId::kBinary ? "octet_length(" + args[0] + ")"
                                                                   : "strlen(" + args[0] + ")";
  if (std::string_view(call.function->name) == "bit_length") bytes = "(" + bytes + " * 8)";
  return "CAST(" + bytes + " AS INTEGER)";
}
Result<DataType> BindLevenshtein(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  if (args.size() == 3) CR_RETURN_IF_ERROR(NeedIntegral(args, 2, kInt));
  return kInt;
}
// levenshtein(a, b [, threshold]): -1 when the distance exceeds the threshold.
std::string EmitLevenshtein(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string distance = "CAST(levenshtein(" + args[0] + ", " + args[1] + ") AS INTEGER)";
  if (args.size() == 2) return distance;
  return "CASE WHEN " + distance + " > " + args[2] + " THEN -1 ELSE " + distance + " END";
}
// elt(n, s1, s2, ...): the n-th string; an index out of range is an error (ANSI).
Result<DataType> BindElt(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id == TypeId::kString) args[0] = CastTo(args[0], kInt);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 0, kInt));
  CR_RETURN_IF_ERROR(CastAll(args, kString, 1));
  return kString;
}
std::string EmitElt(const FunctionEmitContext& ctx, const Expression&, const Emitted& args) {
  std::string out = "CASE " + args[0];
  for (size_t i = 1; i < args.size(); ++i) out += " WHEN " + std::to_string(i) + " THEN " + args[i];
  return out + " WHEN NULL THEN NULL ELSE (CASE WHEN " + args[0] + " IS NOT NULL THEN " +
         EmitError(ctx, "[INVALID_ARRAY_INDEX] elt index out of range") + " END) END";
}
// find_in_set(str, list): the 1-based index of str in the comma-separated list; 0 when absent
// or when str contains a comma.
Result<DataType> BindFindInSet(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kInt;
}
std::string EmitFindInSet(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull(args, "CASE WHEN contains(" + args[0] +
                                 ", ',') THEN 0 ELSE CAST(list_position(string_split(" + args[1] +
                                 ", ','), " + args[0] + ") AS INTEGER) END");
}
// substring_index(str, delim, count): the part before the count-th delim (after the count-th
// from the end when count < 0); '' for count 0 or an empty delim.
Result<DataType> BindSubstringIndex(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 2, kInt));
  return kString;
}
std::string EmitSubstringIndex(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string parts = "string_split(" + args[0] + ", " + args[1] + ")";
  return NullIfAnyNull(
      args, "CASE WHEN " + args[2] + " = 0 OR " + args[1] + " = '' THEN '' WHEN " + args[2] +
                " > 0 THEN array_to_string(list_slice(" + parts + ", 1, " + args[2] + "), " +
                args[1] + ") ELSE array_to_string(list_slice(" + parts + ", greatest(len(" + parts +
                ") + " + args[2] + " + 1, 1), len(" + parts + ")), " + args[1] + ") END");
}
// overlay(input, replace, pos [, len]): input with len characters from pos (1-based) replaced
// by replace; len defaults to replace's length.
Result<DataType> BindOverlay(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  CR_RETURN_IF_ERROR(NeedIntegral(args, 2, kInt));
  if (args.size() == 4) CR_RETURN_IF_ERROR(NeedIntegral(args, 3, kInt));
  return kString;
}
std::string EmitOverlay(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  std::string length = args.size() == 4 ? args[3] : "length(" + args[1] + ")";
  return NullIfAnyNull(args, "left(" + args[0] + ", greatest(" + args[2] + " - 1, 0)) || " +
                                 args[1] + " || substring(" + args[0] + ", greatest(" + args[2] +
                                 " + " + length + ", 1))");
}
// quote(str): in single quotes, with the quote and the backslash escaped by a backslash.
std::string EmitQuote(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "(chr(39) || replace(replace(" + args[0] +
         ", chr(92), chr(92) || chr(92)), chr(39), chr(92) || chr(39)) || chr(39))";
}

// is_valid_utf8 / validate_utf8 / try_validate_utf8 / make_valid_utf8 (x): a string is valid
// UTF-8 by construction here; bytes (binary) are checked by decoding them.
Result<DataType> BindUtf8(const FunctionBindContext&, Args& args) {
  if (args[0]->type.id != TypeId::kBinary) args[0] = CastTo(args[0], kString);
  return kString;
}
Result<DataType> BindIsValidUtf8(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(BindUtf8(ctx, args).status());
  return kBoolean;
}
std::string EmitIsValidUtf8(const FunctionEmitContext&, const Expression& call,
                            const Emitted& args) {
  if (call.children[0]->type.id != TypeId::kBinary) {
    return "CASE WHEN " + args[0] + " IS NOT NULL THEN true END";
  }
  return "CASE WHEN " + args[0] + " IS NOT NULL THEN TRY(decode(" + args[0] + ")) IS NOT NULL END";
}
std::string EmitValidateUtf8(const FunctionEmitContext& ctx, const Expression& call,
                             const Emitted& args) {
  if (call.children[0]->type.id != TypeId::kBinary) return args[0];
  std::string_view name = call.function->name;
  if (name == "try_validate_utf8") return "TRY(decode(" + args[0] + "))";
  if (name == "validate_utf8") {
    return "CASE WHEN " + args[0] + " IS NOT NULL AND TRY(decode(" + args[0] + ")) IS NULL THEN " +
           EmitError(ctx, "[INVALID_UTF8_STRING] invalid UTF-8 byte sequence") +
           " ELSE TRY(decode(" + args[0] + ")) END";
  }
  return args[0];
}
Result<DataType> BindMakeValidUtf8(const FunctionBindContext& ctx, Args& args) {
  if (args[0]->type.id == TypeId::kBinary) {
    return Status::Unimplemented("make_valid_utf8 of binary input");
  }
  return BindUtf8(ctx, args);
}

constexpr FunctionDef kFunctions[] = {
    {"substring_index", FunctionKind::kScalar, 3, 3, BindSubstringIndex, EmitSubstringIndex},
    {"overlay", FunctionKind::kScalar, 3, 4, BindOverlay, EmitOverlay},
    {"quote", FunctionKind::kScalar, 1, 1, BindStringArguments, EmitQuote},
    {"is_valid_utf8", FunctionKind::kScalar, 1, 1, BindIsValidUtf8, EmitIsValidUtf8},
    {"validate_utf8", FunctionKind::kScalar, 1, 1, BindUtf8, EmitValidateUtf8},
    {"try_validate_utf8", FunctionKind::kScalar, 1, 1, BindUtf8, EmitValidateUtf8},
    {"make_valid_utf8", FunctionKind::kScalar, 1, 1, BindMakeValidUtf8, EmitValidateUtf8},
    {"contains", FunctionKind::kScalar, 2, 2, BindTextPredicate, EmitContains},
    {"startswith", FunctionKind::kScalar, 2, 2, BindTextPredicate, EmitStartsWith},
    {"endswith", FunctionKind::kScalar, 2, 2, BindTextPredicate, EmitEndsWith},
    {"left", FunctionKind::kScalar, 2, 2, BindLeftRight, EmitLeft},
    {"right", FunctionKind::kScalar, 2, 2, BindLeftRight, EmitRight},
    {"btrim", FunctionKind::kScalar, 1, 2, BindBtrim, EmitBtrim},
    {"split_part", FunctionKind::kScalar, 3, 3, BindSplitPart, EmitSplitPart},
    {"instr", FunctionKind::kScalar, 2, 2, BindInstr, EmitInstr},
    {"locate", FunctionKind::kScalar, 2, 3, BindLocate, EmitLocate},
    {"ascii", FunctionKind::kScalar, 1, 1, BindAscii, EmitAscii},
    {"chr", FunctionKind::kScalar, 1, 1, BindChr, EmitChr},
    {"repeat", FunctionKind::kScalar, 2, 2, BindRepeat, EmitRepeat},
    {"space", FunctionKind::kScalar, 1, 1, BindSpace, EmitSpace},
    {"initcap", FunctionKind::kScalar, 1, 1, BindStringArguments, EmitInitcap},
    {"translate", FunctionKind::kScalar, 3, 3, BindStringArguments, EmitTranslate},
    {"octet_length", FunctionKind::kScalar, 1, 1, BindByteLength, EmitOctetLength},
    {"bit_length", FunctionKind::kScalar, 1, 1, BindByteLength, EmitOctetLength},
    {"levenshtein", FunctionKind::kScalar, 2, 3, BindLevenshtein, EmitLevenshtein},
    {"elt", FunctionKind::kScalar, 2, -1, BindElt, EmitElt},
    {"find_in_set", FunctionKind::kScalar, 2, 2, BindFindInSet, EmitFindInSet},
};

}  // namespace

FunctionTable TextFunctions() { return {kFunctions, std::size(kFunctions), "string"}; }

}  // namespace cleanroom::sql
