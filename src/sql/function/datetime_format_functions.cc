// Spark's datetime patterns (docs.spark.apache.org, "Datetime Patterns for Formatting and
// Parsing") written as DuckDB's strftime formats: date_format. A pattern letter without a
// DuckDB equivalent is an error naming it, never a silently different text.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

// The strftime spelling of `count` repetitions of pattern letter `letter`, or "" when there is
// none.
std::string LetterFormat(char letter, size_t count) {
  switch (letter) {
    case 'y':
    case 'u':
      if (count == 2) return "%y";
      return count == 1 || count == 4 ? "%Y" : "";
    case 'M':
    case 'L':
      if (count == 1) return "%-m";
      if (count == 2) return "%m";
      if (count == 3) return "%b";
      return count == 4 ? "%B" : "";
    case 'd':
      return count == 1 ? "%-d" : count == 2 ? "%d" : "";
    case 'D':
      return count == 1 ? "%-j" : count == 3 ? "%j" : "";
    case 'H':
      return count == 1 ? "%-H" : count == 2 ? "%H" : "";
    case 'h':
      return count == 1 ? "%-I" : count == 2 ? "%I" : "";
    case 'm':
      return count == 1 ? "%-M" : count == 2 ? "%M" : "";
    case 's':
      return count == 1 ? "%-S" : count == 2 ? "%S" : "";
    case 'S':
      return count == 3 ? "%g" : count == 6 ? "%f" : "";
    case 'a':
      return count == 1 ? "%p" : "";
    case 'E':
      return count <= 3 ? "%a" : count == 4 ? "%A" : "";
    default:
      return "";
  }
}

// The strftime format of a Spark pattern; InvalidArgument (Spark's error class first) naming a
// letter or a width it does not have here.
Result<std::string> StrftimeFormat(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      // 'text' is literal text; '' is one quote.
      size_t end = pattern.find('\'', i + 1);
      if (end == std::string::npos) {
        return Status::InvalidArgument(
            "[INVALID_DATETIME_PATTERN] an unclosed quote in the pattern");
      }
      if (end == i + 1) {
        out += "'";
      } else {
        for (size_t k = i + 1; k < end; ++k)
          out += pattern[k] == '%' ? std::string("%%") : std::string(1, pattern[k]);
      }
      i = end + 1;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t run = i;
      while (run < pattern.size() && pattern[run] == c) ++run;
      std::string format = LetterFormat(c, run - i);
      if (format.empty()) {
        return Status::InvalidArgument("[INVALID_DATETIME_PATTERN] the pattern letter " +
                                       std::string(1, c) + " (" + std::to_string(run - i) +
                                       " times) is not supported yet");
      }
      out += format;
      i = run;
      continue;
    }
    out += c == '%' ? std::string("%%") : std::string(1, c);
    ++i;
  }
  return out;
}

// date_format(ts, pattern): the timestamp (a date at midnight, a string read as a timestamp)
// written with a literal pattern.
Result<DataType> BindDateFormat(const FunctionBindContext&, Args& args) {
  CR_ASSIGN_OR_RETURN(std::string pattern, NeedStringLiteral(args, 1, "the pattern"));
  CR_RETURN_IF_ERROR(StrftimeFormat(pattern).status());
  TypeId id = args[0]->type.id;
  if (id == TypeId::kDate || id == TypeId::kNull) {
    args[0] = CastTo(args[0], DataType::Of(TypeId::kTimestampNtz));
  } else if (id != TypeId::kTimestamp && id != TypeId::kTimestampNtz) {
    if (!CanCast(args[0]->type, kTimestamp))
      return Status::InvalidArgument("argument 1 must be a timestamp");
    args[0] = CastTo(args[0], kTimestamp);
  }
  return kString;
}
std::string EmitDateFormat(const FunctionEmitContext&, const Expression& call,
                           const Emitted& args) {
  std::string format = *StrftimeFormat(call.children[1]->value);
  // A timestamp (with time zone in DuckDB) is written in the session zone, UTC.
  std::string value = call.children[0]->type.id == TypeId::kTimestamp
                          ? "timezone('UTC', " + args[0] + ")"
                          : args[0];
  return "strftime(" + value + ", " + QuoteString(format) + ")";
}

constexpr FunctionDef kFunctions[] = {
    {"date_format", FunctionKind::kScalar, 2, 2, BindDateFormat, EmitDateFormat},
};

}  // namespace

FunctionTable DatetimeFormatFunctions() { return {kFunctions, std::size(kFunctions), "datetime"}; }

}  // namespace cleanroom::sql
