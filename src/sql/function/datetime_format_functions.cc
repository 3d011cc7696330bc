// Spark's datetime patterns (docs.spark.apache.org, "Datetime Patterns for Formatting and
// Parsing") written as DuckDB SQL: date_format. Each run of a pattern letter becomes a strftime
// format or an expression over the wall time; the zone letters read the session time zone's
// offset at that wall time. A pattern letter without an equivalent here is an error naming it,
// never a silently different text.
#include "sql/function/arguments.h"
#include "sql/function/function_registry.h"
#include "sql/planner/type_rules.h"
#include "sql/time_zone.h"

namespace cleanroom::sql {
namespace {

// One piece of a pattern: literal text (strftime-escaped) or a run of `count` letters.
struct PatternPiece {
  char letter = 0;  // 0: literal text
  size_t count = 0;
  std::string text;
};

// The strftime spelling of `count` repetitions of pattern letter `letter`, or "" when it is
// written by an expression instead (LetterSql).
std::string LetterFormat(char letter, size_t count) {
  switch (letter) {
    case 'y':
    case 'u':
      return count == 2 ? "%y" : "";
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
    case 'a':
      return count == 1 ? "%p" : "";
    case 'E':
      return count <= 3 ? "%a" : count == 4 ? "%A" : "";
    default:
      return "";
  }
}

std::string Padded(const std::string& value, size_t width) {
  return "printf('%0" + std::to_string(width) + "d', " + value + ")";
}
std::string Text(const std::string& value) { return "CAST(" + value + " AS VARCHAR)"; }
std::string NumberText(const std::string& value, size_t count) {
  return count == 1 ? Text(value) : Padded(value, count);
}

// Java's offset patterns over `o`, the offset in seconds: "+HH" then, as asked, minutes and
// seconds (always, with ':' or only when not zero).
std::string OffsetText(const std::string& o, bool colon, bool minutes, bool optional_minutes,
                       bool seconds) {
  std::string sep = colon ? "':' || " : "";
  std::string out =
      "CASE WHEN " + o + " < 0 THEN '-' ELSE '+' END || " + Padded("abs(" + o + ") // 3600", 2);
  std::string mm = Padded("abs(" + o + ") // 60 % 60", 2);
  if (minutes) out += " || " + sep + mm;
  if (optional_minutes)
    out += " || CASE WHEN abs(" + o + ") // 60 % 60 <> 0 THEN " + mm + " ELSE '' END";
  if (seconds) {
    out += " || CASE WHEN abs(" + o + ") % 60 <> 0 THEN " + sep + Padded("abs(" + o + ") % 60", 2) +
           " ELSE '' END";
  }
  return "(" + out + ")";
}
// GMT-8, GMT-7:52:58 (short) or GMT-08:00, GMT-07:52:58 (full); GMT for a zero offset.
std::string LocalizedOffset(const std::string& o, bool full) {
  std::string hours = full ? Padded("abs(" + o + ") // 3600", 2) : Text("abs(" + o + ") // 3600");
  std::string minutes = "':' || " + Padded("abs(" + o + ") // 60 % 60", 2);
  std::string seconds = "CASE WHEN abs(" + o + ") % 60 <> 0 THEN ':' || " +
                        Padded("abs(" + o + ") % 60", 2) + " ELSE '' END";
  std::string body = "'GMT' || CASE WHEN " + o + " < 0 THEN '-' ELSE '+' END || " + hours;
  if (full) {
    body += " || " + minutes + " || " + seconds;
  } else {
    body += " || CASE WHEN abs(" + o + ") % 3600 <> 0 THEN " + minutes + " || " + seconds +
            " ELSE '' END";
  }
  return "CASE WHEN " + o + " = 0 THEN 'GMT' ELSE " + body + " END";
}

// The SQL of a zone letter run; "" when the letter or width is not supported.
std::string ZoneLetterSql(char letter, size_t count, const ZoneId& zone, const std::string& v) {
  std::string o = OffsetSecondsSql(zone, v);
  auto zero_as = [&](const std::string& zero, const std::string& text) {
    return "CASE WHEN " + o + " = 0 THEN '" + zero + "' ELSE " + text + " END";
  };
  switch (letter) {
    case 'V':
      return count == 2 ? QuoteString(zone.Id()) : "";
    case 'z':
      // Zone names need the names' database; the UTC session's are known.
      if (!zone.IsUtc() || count > 4) return "";
      return count == 4 ? "'Coordinated Universal Time'" : "'UTC'";
    case 'X':
    case 'x': {
      std::string text;
      if (count == 1) text = OffsetText(o, false, false, true, false);
      if (count == 2) text = OffsetText(o, false, true, false, false);
      if (count == 3) text = OffsetText(o, true, true, false, false);
      if (count == 4) text = OffsetText(o, false, true, false, true);
      if (count == 5) text = OffsetText(o, true, true, false, true);
      if (text.empty()) return "";
      return letter == 'X' ? zero_as("Z", text) : text;
    }
    case 'Z':
      if (count <= 3) return OffsetText(o, false, true, false, false);
      if (count == 4) return LocalizedOffset(o, true);
      return count == 5 ? zero_as("Z", OffsetText(o, true, true, false, true)) : "";
    case 'O':
      return count == 1 ? LocalizedOffset(o, false) : count == 4 ? LocalizedOffset(o, true) : "";
    default:
      return "";
  }
}

// The SQL of a letter run that strftime cannot write; "" when it is not supported.
std::string LetterSql(char letter, size_t count, const ZoneId& zone, const std::string& v) {
  std::string year = "year(" + v + ")";
  std::string quarter = "quarter(" + v + ")";
  switch (letter) {
    case 'G':
      if (count <= 3) return "CASE WHEN " + year + " > 0 THEN 'AD' ELSE 'BC' END";
      if (count == 4)
        return "CASE WHEN " + year + " > 0 THEN 'Anno Domini' ELSE 'Before Christ' END";
      return count == 5 ? "CASE WHEN " + year + " > 0 THEN 'A' ELSE 'B' END" : "";
    case 'y':
    case 'u':
      return NumberText(year, count);
    case 'q':
    case 'Q':
      if (count <= 2) return NumberText(quarter, count);
      if (letter == 'q') return "";
      if (count == 3) return "'Q' || " + Text(quarter);
      return count == 4 ? "CASE " + quarter +
                              " WHEN 1 THEN '1st quarter' WHEN 2 THEN '2nd quarter' WHEN 3 THEN "
                              "'3rd quarter' ELSE '4th quarter' END"
                        : "";
    case 'D':
      return count == 2 ? Padded("dayofyear(" + v + ")", 2) : "";
    case 'F':
      // Java's aligned day of the week in the month.
      return count == 1 ? Text("(day(" + v + ") - 1) % 7 + 1") : "";
    case 'k':
      return count <= 2
                 ? NumberText("CASE WHEN hour(" + v + ") = 0 THEN 24 ELSE hour(" + v + ") END",
                              count)
                 : "";
    case 'K':
      return count <= 2 ? NumberText("hour(" + v + ") % 12", count) : "";
    case 'S':
      return count <= 9 ? "left(strftime(" + v + ", '%f') || '000', " + std::to_string(count) + ")"
                        : "";
    default:
      return ZoneLetterSql(letter, count, zone, v);
  }
}

// The pieces of a Spark pattern; InvalidArgument (Spark's error class first) for an unclosed
// quote. '[' and ']' (optional sections) print their contents when formatting.
Result<std::vector<PatternPiece>> ParsePattern(const std::string& pattern) {
  std::vector<PatternPiece> pieces;
  auto literal = [&](const std::string& text) {
    if (pieces.empty() || pieces.back().letter != 0) pieces.push_back(PatternPiece{});
    for (char c : text) pieces.back().text += c == '%' ? std::string("%%") : std::string(1, c);
  };
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      // '' is one quote; 'text' is literal text, in which '' is one quote too.
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        literal("'");
        i += 2;
        continue;
      }
      std::string text;
      size_t k = i + 1;
      for (;; ++k) {
        if (k >= pattern.size()) {
          return Status::InvalidArgument(
              "[INVALID_DATETIME_PATTERN] an unclosed quote in the pattern");
        }
        if (pattern[k] != '\'') {
          text += pattern[k];
        } else if (k + 1 < pattern.size() && pattern[k + 1] == '\'') {
          text += '\'';
          ++k;
        } else {
          break;
        }
      }
      literal(text);
      i = k + 1;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t run = i;
      while (run < pattern.size() && pattern[run] == c) ++run;
      pieces.push_back(PatternPiece{c, run - i, ""});
      i = run;
      continue;
    }
    if (c != '[' && c != ']') literal(std::string(1, c));
    ++i;
  }
  return pieces;
}

// The DuckDB SQL writing wall time `v` with `pattern` in `zone`; InvalidArgument naming a
// letter or a width not supported here.
Result<std::string> FormatSql(const std::string& pattern, const ZoneId& zone,
                              const std::string& v) {
  CR_ASSIGN_OR_RETURN(std::vector<PatternPiece> pieces, ParsePattern(pattern));
  std::vector<std::string> parts;
  std::string format;
  auto flush = [&] {
    if (!format.empty()) parts.push_back("strftime(" + v + ", " + QuoteString(format) + ")");
    format.clear();
  };
  for (const PatternPiece& piece : pieces) {
    if (piece.letter == 0) {
      format += piece.text;
      continue;
    }
    std::string strftime_format = LetterFormat(piece.letter, piece.count);
    if (!strftime_format.empty()) {
      format += strftime_format;
      continue;
    }
    std::string sql = LetterSql(piece.letter, piece.count, zone, v);
    if (sql.empty()) {
      return Status::InvalidArgument("[INVALID_DATETIME_PATTERN] the pattern letter " +
                                     std::string(1, piece.letter) + " (" +
                                     std::to_string(piece.count) + " times) is not supported yet");
    }
    flush();
    parts.push_back("(" + sql + ")");
  }
  flush();
  // NULL for NULL, whatever the pattern holds (an era or literal text alone is not NULL).
  std::string text = parts.empty() ? "''" : JoinArguments(parts, " || ");
  return "CASE WHEN " + v + " IS NULL THEN NULL ELSE " + text + " END";
}

// The wall time in the session zone of date_format's first argument, as emitted.
std::string WallTime(const FunctionEmitContext& ctx, const Expression& arg,
                     const std::string& sql) {
  return arg.type.id == TypeId::kTimestamp ? InstantToWallSql(ctx.session_time_zone, sql) : sql;
}

// date_format(ts, pattern): the timestamp (a date at midnight, a string read as a timestamp)
// written with a literal pattern.
Result<DataType> BindDateFormat(const FunctionBindContext& ctx, Args& args) {
  CR_ASSIGN_OR_RETURN(std::string pattern, NeedStringLiteral(args, 1, "the pattern"));
  CR_RETURN_IF_ERROR(FormatSql(pattern, ctx.session_time_zone, "x").status());
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
std::string EmitDateFormat(const FunctionEmitContext& ctx, const Expression& call,
                           const Emitted& args) {
  std::string wall = WallTime(ctx, *call.children[0], args[0]);
  return *FormatSql(call.children[1]->value, ctx.session_time_zone, wall);
}

constexpr FunctionDef kFunctions[] = {
    {"date_format", FunctionKind::kScalar, 2, 2, BindDateFormat, EmitDateFormat},
};

}  // namespace

FunctionTable DatetimeFormatFunctions() { return {kFunctions, std::size(kFunctions), "datetime"}; }

}  // namespace cleanroom::sql
