#include "engine/duckdb_error.h"

#include <cctype>
#include <string>

namespace cleanroom::engine {
namespace {

constexpr std::string_view kRedacted = "<redacted>";

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

// An apostrophe inside a word of the message ("can't", "DuckDB's"): a letter before it, and
// "t" or "s" ending the word after it. DuckDB opens a quoted value after a space or a
// punctuation mark, never after a letter.
bool IsContraction(std::string_view line, size_t i) {
  if (i == 0 || i + 1 >= line.size()) return false;
  if (std::isalpha(static_cast<unsigned char>(line[i - 1])) == 0) return false;
  char next = line[i + 1];
  if (next != 't' && next != 's') return false;
  return i + 2 == line.size() || std::isalnum(static_cast<unsigned char>(line[i + 2])) == 0;
}

// True when `text` ends with "line ", "Line: ", "row " and the like.
bool FollowsLineWord(const std::string& text) {
  std::string tail;
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == ':')) --end;
  size_t start = end;
  while (start > 0 && std::isalpha(static_cast<unsigned char>(text[start - 1]))) --start;
  for (size_t i = start; i < end; ++i) {
    tail += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  return end < text.size() && (tail == "line" || tail == "row");
}

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
  std::string position = PositionOf(message);
  std::string_view first_line = message.substr(0, message.find('\n'));
  std::string out;
  out.reserve(first_line.size());
  size_t i = 0;
  while (i < first_line.size()) {
    char c = first_line[i];
    if (c == '\'' && IsContraction(first_line, i)) {
      out += c;  // "can't", "DuckDB's": an apostrophe of the message, not a quote
      ++i;
      continue;
    }
    if (c == '\'' || c == '"') {
      // A quoted value runs to the LAST quote of its kind on the line (DuckDB does not escape a
      // quote inside a value, so the first closing quote may be part of the value); an
      // unterminated one runs to the end of the line. None of it is kept.
      size_t last = first_line.rfind(c);
      size_t j = last != std::string_view::npos && last > i ? last : first_line.size();
      out += kRedacted;
      i = j + 1;
      continue;
    }
    bool number_start = std::isdigit(static_cast<unsigned char>(c)) != 0 &&
                        (i == 0 || !IsWordChar(first_line[i - 1]));
    if (number_start && FollowsLineWord(out)) {
      // A line or row number of the input is a position, not a value: keep it.
      while (i < first_line.size() && std::isdigit(static_cast<unsigned char>(first_line[i]))) {
        out += first_line[i++];
      }
      continue;
    }
    if (number_start) {
      size_t j = i;
      while (j < first_line.size() && (IsWordChar(first_line[j]) ||
                                      ((first_line[j] == '+' || first_line[j] == '-') &&
                                       (first_line[j - 1] == 'e' || first_line[j - 1] == 'E')))) {
        ++j;
      }
      // A trailing '.' ends the sentence, not the number.
      if (j > i + 1 && first_line[j - 1] == '.') --j;
      out += "<n>";
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\r')) out.pop_back();
  return out + position;
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
