#include "sql/parser/source_error.h"

namespace cleanroom::sql {

Status SqlErrorWithCode(StatusCode code, std::string_view text, SourcePos pos,
                        const std::string& message) {
  std::string out =
      message + " at line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
  // The line that holds the position.
  size_t start = pos.offset <= text.size() ? pos.offset : text.size();
  while (start > 0 && text[start - 1] != '\n') --start;
  size_t end = start;
  while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
  size_t caret = pos.offset >= start ? pos.offset - start : 0;
  constexpr size_t kWidth = 120;
  if (end - start > kWidth) {
    size_t from = caret > kWidth / 2 ? caret - kWidth / 2 : 0;
    if (from + kWidth > end - start) from = end - start - kWidth;
    start += from;
    caret -= from;
    end = start + kWidth;
  }
  std::string line(text.substr(start, end - start));
  for (char& c : line) {
    if (c == '\t') c = ' ';
  }
  out += "\n" + line + "\n" + std::string(caret, ' ') + "^";
  return Status(code, std::move(out));
}

Status SqlError(std::string_view text, SourcePos pos, const std::string& message) {
  return SqlErrorWithCode(StatusCode::kInvalidArgument, text, pos, message);
}

}  // namespace cleanroom::sql
