// Regular-expression and URL functions (Spark 4), written for DuckDB: regexp_extract,
// regexp_extract_all, regexp_replace, split, regexp_like / regexp / rlike, regexp_count,
// regexp_substr, regexp_instr; parse_url, url_encode, url_decode, try_url_decode. Spark's
// patterns are Java regular expressions; DuckDB's are RE2, which lacks look-around and
// back-references (a pattern using them fails to compile, an error rather than another answer).
#include <cctype>

#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// The capturing groups of a pattern: '(' not escaped, not in a class, not followed by '?'.
int CapturingGroups(const std::string& pattern) {
  int groups = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (c == '(' && !in_class && (i + 1 >= pattern.size() || pattern[i + 1] != '?')) {
      ++groups;
    }
  }
  return groups;
}

// (str, pattern [, group]): the group a literal integer (DuckDB needs a constant), at most the
// pattern's number of groups.
Result<DataType> BindExtract(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  if (args.size() == 3) {
    const Expression& group = *args[2];
    if (group.kind != ExprKind::kLiteral || !group.type.IsIntegral() || group.is_null) {
      return Status::InvalidArgument("the group index must be an integer literal");
    }
    if (group.value[0] == '-') {
      return Status::InvalidArgument(
          "[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] the group index must not be negative");
    }
    const Expression& pattern = *args[1];
    if (pattern.kind == ExprKind::kLiteral && !pattern.is_null && group.value.size() < 4 &&
        std::stoi(group.value) > CapturingGroups(pattern.value)) {
      return Status::InvalidArgument(
          "[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] the pattern has fewer groups");
    }
    args[2] = CastTo(args[2], kInt);
  }
  return kString;
}
std::string Group(const Emitted& args) { return args.size() == 3 ? args[2] : "1"; }
std::string EmitExtract(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull({args[0], args[1]},
                       "regexp_extract(" + args[0] + ", " + args[1] + ", " + Group(args) + ")");
}
Result<DataType> BindExtractAll(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(BindExtract(ctx, args).status());
  return DataType::Array(kString);
}
std::string EmitExtractAll(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  // A group that took no part in a match is '' in Spark.
  return "list_transform(regexp_extract_all(" + args[0] + ", " + args[1] + ", " + Group(args) +
         "), lambda m: COALESCE(m, ''))";
}

// Java's replacement text ($1, \$) in RE2's spelling (\1, $).
std::string ReplacementForRe2(const std::string& java) {
  std::string out;
  for (size_t i = 0; i < java.size(); ++i) {
    char c = java[i];
    if (c == '\\' && i + 1 < java.size()) {
      char next = java[++i];
      if (next == '\\')
        out += "\\\\";
      else
        out += next;
    } else if (c == '$' && i + 1 < java.size() &&
               std::isdigit(static_cast<unsigned char>(java[i + 1]))) {
      out += '\\';
    } else {
      out += c;
    }
  }
  return out;
}
// regexp_replace(str, pattern, replacement [, position]): every match at or after position
// (1-based; a position past the end leaves str as it is, one below 1 is an error).
Result<DataType> BindReplace(const FunctionBindContext&, Args& args) {
  for (size_t i = 0; i < 3; ++i) args[i] = CastTo(args[i], kString);
  if (args.size() == 4) {
    CR_RETURN_IF_ERROR(NeedIntegral(args, 3, kInt));
    const Expression& p = *args[3];
    if (p.kind == ExprKind::kLiteral && !p.is_null && (p.value[0] == '-' || p.value == "0")) {
      return Status::InvalidArgument(
          "[INVALID_PARAMETER_VALUE.REGEX_POSITION] the position must be positive");
    }
  }
  return kString;
}
std::string EmitReplace(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  const Expression& replacement = *call.children[2];
  std::string rep = replacement.kind == ExprKind::kLiteral && !replacement.is_null
                        ? QuoteString(ReplacementForRe2(replacement.value))
                        : args[2];
  if (args.size() == 3) return "regexp_replace(" + args[0] + ", " + args[1] + ", " + rep + ", 'g')";
  const std::string& pos = args[3];
  return NullIfAnyNull({pos}, "substring(" + args[0] + ", 1, " + pos +
                                  " - 1) || regexp_replace(substring(" + args[0] + ", " + pos +
                                  "), " + args[1] + ", " + rep + ", 'g')");
}
// regexp_like / regexp / rlike (str, pattern): a match anywhere.
Result<DataType> BindLike(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kBoolean;
}
std::string EmitLike(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NamedCall("regexp_matches", args);
}
// regexp_count(str, pattern): the number of matches.
Result<DataType> BindCount(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  return kInt;
}
std::string EmitCount(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "CAST(len(regexp_extract_all(" + args[0] + ", " + args[1] + ", 0)) AS INTEGER)";
}
// regexp_substr(str, pattern): the first match; NULL when there is none (or it is empty).
std::string EmitSubstr(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "NULLIF(regexp_extract(" + args[0] + ", " + args[1] + ", 0), '')";
}
// regexp_instr(str, pattern [, group]): the 1-based position of the first match, 0 when none.
Result<DataType> BindInstr(const FunctionBindContext& ctx, Args& args) {
  CR_RETURN_IF_ERROR(BindExtract(ctx, args).status());
  return kInt;
}
std::string EmitInstr(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return NullIfAnyNull({args[0], args[1]}, "CAST(CASE WHEN regexp_matches(" + args[0] + ", " +
                                               args[1] + ") THEN instr(" + args[0] +
                                               ", regexp_extract(" + args[0] + ", " + args[1] +
                                               ", 0)) ELSE 0 END AS INTEGER)");
}

// parse_url(url, part [, key]): HOST, PATH, QUERY (or a query parameter's value with key), REF,
// PROTOCOL, FILE, AUTHORITY, USERINFO; NULL when the URL has no such part.
// Groups (DuckDB extracts at most 9): 1 scheme, 2 "//" + authority, 3 authority,
// 4 "userinfo@", 5 path, 6 "?" + query, 7 query, 8 "#" + fragment, 9 fragment.
constexpr char kUrlPattern[] =
    "^(?:([^:/?#]+):)?(//(([^@/?#]*@)?[^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?$";
constexpr char kHostPattern[] = "^(?:[^:/?#]+:)?//(?:[^@/?#]*@)?([^/?#:]*)";
Result<DataType> BindParseUrl(const FunctionBindContext&, Args& args) {
  CR_RETURN_IF_ERROR(CastAll(args, kString));
  CR_ASSIGN_OR_RETURN(std::string part, NeedStringLiteral(args, 1, "the part"));
  static const char* const kParts[] = {"HOST",     "PATH", "QUERY",     "REF",
                                       "PROTOCOL", "FILE", "AUTHORITY", "USERINFO"};
  for (const char* p : kParts) {
    if (part == p) return kString;
  }
  return Status::InvalidArgument("unknown URL part");
}
std::string EmitParseUrl(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  const std::string& url = args[0];
  auto group = [&](int g) {
    return "regexp_extract(" + url + ", " + QuoteString(kUrlPattern) + ", " + std::to_string(g) +
           ")";
  };
  auto present = [&](int g, const std::string& value) {
    return "CASE WHEN " + group(g) + " <> '' THEN " + value + " END";
  };
  std::string part = call.children[1]->value;
  if (part == "HOST")
    return present(2, "regexp_extract(" + url + ", " + QuoteString(kHostPattern) + ", 1)");
  if (part == "PATH") return group(5);
  if (part == "REF") return present(8, group(9));
  if (part == "PROTOCOL") return present(1, group(1));
  if (part == "USERINFO") return present(4, "rtrim(" + group(4) + ", '@')");
  if (part == "AUTHORITY") return present(2, group(3));
  if (part == "FILE") return group(5) + " || " + group(6);
  // QUERY, or the value of one of its parameters.
  if (args.size() == 2) return present(6, group(7));
  return "CASE WHEN regexp_matches(" + group(7) + ", '(^|&)' || " + args[2] +
         " || '=') THEN regexp_extract(" + group(7) + ", '(^|&)' || " + args[2] +
         " || '=([^&]*)', 2) END";
}
// url_encode(str): application/x-www-form-urlencoded as Java's URLEncoder writes it (space as
// '+', letters, digits and . - * _ kept, every other byte as %XX).
std::string EmitUrlEncode(const FunctionEmitContext&, const Expression&, const Emitted& args) {
  return "replace(replace(replace(url_encode(" + args[0] +
         "), '%20', '+'), '%2A', '*'), '~', '%7E')";
}
// url_decode(str) / try_url_decode(str): '+' as space, %XX as the byte; a malformed escape is
// an error (NULL for try_url_decode).
std::string EmitUrlDecode(const FunctionEmitContext& ctx, const Expression& call,
                          const Emitted& args) {
  bool is_try = std::string_view(call.function->name) == "try_url_decode";
  std::string invalid =
      is_try ? "NULL" : EmitError(ctx, "[CANNOT_DECODE_URL] malformed escape in a URL");
  return "CASE WHEN regexp_matches(" + args[0] +
         ", '%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)') THEN " + invalid +
         " ELSE url_decode(replace(" + args[0] + ", '+', ' ')) END";
}

// split(str, pattern [, limit]): the parts between matches (trailing empty parts kept); with
// limit > 0 at most limit parts, the last holding the rest. An empty pattern splits between
// characters. limit must be a literal (at most 16 when positive).
Result<DataType> BindSplit(const FunctionBindContext&, Args& args) {
  args[0] = CastTo(args[0], kString);
  args[1] = CastTo(args[1], kString);
  if (args.size() == 3) {
    const Expression& limit = *args[2];
    if (limit.kind != ExprKind::kLiteral || !limit.type.IsIntegral() || limit.is_null) {
      return Status::InvalidArgument("the limit must be an integer literal");
    }
    if (limit.value[0] != '-' && limit.value.size() > 2) {
      return Status::Unimplemented("split with a limit above 16");
    }
    if (limit.value[0] != '-' && std::stoi(limit.value) > 16) {
      return Status::Unimplemented("split with a limit above 16");
    }
  }
  return DataType::Array(kString);
}
std::string EmitSplit(const FunctionEmitContext&, const Expression& call, const Emitted& args) {
  const std::string& s = args[0];
  int limit = call.children.size() == 3 ? std::stoi(call.children[2]->value) : -1;
  const Expression& pattern = *call.children[1];
  if (pattern.kind == ExprKind::kLiteral && !pattern.is_null && pattern.value.empty()) {
    std::string chars = "CASE WHEN " + s + " = '' THEN [''] ELSE string_split(" + s + ", '') END";
    if (limit <= 0) return chars;
    // The first limit - 1 characters, then the rest.
    return "CASE WHEN length(" + s + ") <= " + std::to_string(limit) + " THEN " + chars +
           " ELSE list_append(string_split(left(" + s + ", " + std::to_string(limit - 1) +
           "), ''), substring(" + s + ", " + std::to_string(limit) + ")) END";
  }
  if (limit <= 0)
    return NullIfAnyNull({s, args[1]}, "regexp_split_to_array(" + s + ", " + args[1] + ")");
  // The first limit - 1 matches become a separator the text cannot hold, then split on it.
  std::string marked = s;
  for (int i = 1; i < limit; ++i)
    marked = "regexp_replace(" + marked + ", " + args[1] + ", chr(0))";
  return NullIfAnyNull({s, args[1]}, "string_split(" + marked + ", chr(0))");
}

constexpr FunctionDef kFunctions[] = {
    {"split", FunctionKind::kScalar, 2, 3, BindSplit, EmitSplit},
    {"regexp_extract", FunctionKind::kScalar, 2, 3, BindExtract, EmitExtract},
    {"regexp_extract_all", FunctionKind::kScalar, 2, 3, BindExtractAll, EmitExtractAll},
    {"regexp_replace", FunctionKind::kScalar, 3, 4, BindReplace, EmitReplace},
    {"regexp_like", FunctionKind::kScalar, 2, 2, BindLike, EmitLike},
    {"regexp_count", FunctionKind::kScalar, 2, 2, BindCount, EmitCount},
    {"regexp_substr", FunctionKind::kScalar, 2, 2, BindStringArguments, EmitSubstr},
    {"regexp_instr", FunctionKind::kScalar, 2, 3, BindInstr, EmitInstr},
    {"parse_url", FunctionKind::kScalar, 2, 3, BindParseUrl, EmitParseUrl},
    {"url_encode", FunctionKind::kScalar, 1, 1, BindStringArguments, EmitUrlEncode},
    {"url_decode", FunctionKind::kScalar, 1, 1, BindStringArguments, EmitUrlDecode},
    {"try_url_decode", FunctionKind::kScalar, 1, 1, BindStringArguments, EmitUrlDecode},
};

}  // namespace

FunctionTable RegexpFunctions() { return {kFunctions, std::size(kFunctions), "string"}; }

}  // namespace cleanroom::sql
