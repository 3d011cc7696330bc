#include "engine/duckdb_error.h"

#include <cctype>
#include <string>

namespace cleanroom::engine {
namespace {

// The error kinds DuckDB names at the start of a message ("Conversion Error: ..."). A kind not
// listed is reported as "Error".
constexpr std::string_view kKinds[] = {
    "Binder Error",        "Catalog Error",      "Connection Error",      "Constraint Error",
    "Conversion Error",    "Dependency Error",   "FATAL Error",           "HTTP Error",
    "INTERNAL Error",      "IO Error",           "Interrupt Error",       "Invalid Error",
    "Invalid Input Error", "Invalid type Error", "Not implemented Error", "Out of Memory Error",
    "Out of Range Error",  "Parser Error",       "Permission Error",      "Sequence Error",
    "Serialization Error", "Syntax Error",       "Transaction Error",     "Type Error",
    "Unknown Error",
};

// The message templates we report: the start of DuckDB's text after the kind, and the fixed text
// reported instead of it. Only these fixed texts ever leave; DuckDB's own words, which quote
// values, names and file lines, never do. A message that matches no template is reported by its
// kind alone.
struct Template {
  std::string_view starts_with;
  std::string_view text;
};
constexpr Template kTemplates[] = {
    // Spark's error classes, raised by the emitter's own error('[CLASS] ...') calls: a class the
    // emitter raises needs its line here, or it is reported as "(details withheld)".
    {"[DIVIDE_BY_ZERO]", "[DIVIDE_BY_ZERO] Division by zero"},
    {"[CAST_INVALID_INPUT]", "[CAST_INVALID_INPUT] a string could not be cast to the target type"},
    {"[UNSUPPORTED] histogram_numeric",
     "[UNSUPPORTED] histogram_numeric over more distinct values than bins"},
    {"Could not convert string", "a string could not be converted to the target type"},
    {"Could not cast", "a value could not be cast to the target type"},
    {"Could not parse", "a value could not be parsed"},
    {"Type ", "a value could not be cast to the target type"},
    {"Unimplemented type for cast", "this cast is not implemented"},
    {"Error when converting column", "a value of an input column does not have its declared type"},
    {"date field value out of range", "a date field is out of range"},
    {"timestamp field value out of range", "a timestamp field is out of range"},
    {"Overflow", "numeric overflow"},
    {"Division by zero", "division by zero"},
    {"CSV Error", "an input row does not match the declared schema"},
    {"Malformed JSON", "malformed JSON input"},
    {"Invalid unicode", "invalid UTF-8 in a string"},
    {"Invalid Regex", "a regular expression is not valid"},
    {"File is locked", "a file is in use"},
    {"Cannot access", "file access is disabled by configuration"},
    {"File system", "file access is disabled by configuration"},
    {"Failed to allocate", "out of memory"},
    {"could not allocate", "out of memory"},
    {"Table with name", "a table does not exist"},
    {"Referenced column", "a column does not exist"},
    {"Scalar Function with name", "a function does not exist"},
    {"No function matches", "no function matches the argument types"},
    {"syntax error", "syntax error"},
    {"Query interrupted", "the query was interrupted"},
};

// Finds "LINE n:" and the caret line after it; returns " (at line n, column c)" or "".
std::string PositionOf(std::string_view message) {
  size_t line_at = message.find("\nLINE ");
  if (line_at == std::string_view::npos) return "";
  size_t number_start = line_at + 6;
  size_t colon = message.find(':', number_start);
  if (colon == std::string_view::npos) return "";
  std::string_view number = message.substr(number_start, colon - number_start);
  for (char c : number) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return "";
  }
  std::string result = " (at line " + std::string(number);
  size_t snippet_end = message.find('\n', colon);
  if (snippet_end != std::string_view::npos) {
    // The snippet line is "LINE n: <sql>"; the caret line below pads to the same offset.
    size_t prefix = colon + 2 - (line_at + 1);
    std::string_view snippet = message.substr(colon + 2, snippet_end - colon - 2);
    size_t caret_end = message.find('\n', snippet_end + 1);
    std::string_view caret_line = message.substr(
        snippet_end + 1,
        caret_end == std::string_view::npos ? std::string_view::npos : caret_end - snippet_end - 1);
    size_t caret = caret_line.find('^');
    // A long line is shown as a window starting with "...": the column would be wrong.
    if (caret != std::string_view::npos && caret >= prefix && snippet.substr(0, 3) != "...") {
      result += ", column " + std::to_string(caret - prefix + 1);
    }
  }
  return result + " of the emitted SQL)";
}

}  // namespace

std::string SanitizeDuckDbError(std::string_view message) {
  std::string_view first_line = message.substr(0, message.find('\n'));
  std::string_view kind = "Error";
  std::string_view text;
  for (std::string_view k : kKinds) {
    if (first_line.size() > k.size() + 1 && first_line.starts_with(k) &&
        first_line.substr(k.size(), 2) == ": ") {
      kind = k;
      text = first_line.substr(k.size() + 2);
      break;
    }
  }
  std::string out(kind);
  for (const Template& t : kTemplates) {
    if (text.starts_with(t.starts_with)) {
      out += ": ";
      out += t.text;
      return out + PositionOf(message);
    }
  }
  return out + " (details withheld)" + PositionOf(message);
}

Status DuckDbErrorStatus(int duckdb_error_type, std::string_view message,
                         std::string_view context) {
  if (duckdb_error_type < 0) {
    // Prepare errors come without a type: DuckDB's message starts with the kind.
    if (message.starts_with("Permission Error")) duckdb_error_type = 34;
    if (message.starts_with("Out of Memory Error")) duckdb_error_type = 33;
    if (message.starts_with("INTERNAL Error") || message.starts_with("FATAL Error")) {
      duckdb_error_type = 31;
    }
    if (message.starts_with("Not implemented Error")) duckdb_error_type = 11;
  }
  std::string text = std::string(context) + ": " + SanitizeDuckDbError(message);
  switch (duckdb_error_type) {
    case 34:  // DUCKDB_ERROR_PERMISSION
      return Status::PermissionDenied(std::move(text));
    case 33:  // DUCKDB_ERROR_OUT_OF_MEMORY
      return Status::ResourceExhausted(std::move(text));
    case 30:  // DUCKDB_ERROR_FATAL
    case 31:  // DUCKDB_ERROR_INTERNAL
      return Status::Internal(std::move(text));
    case 11:  // DUCKDB_ERROR_NOT_IMPLEMENTED
      return Status::Unimplemented(std::move(text));
    default:
      return Status::InvalidArgument(std::move(text));
  }
}

}  // namespace cleanroom::engine
