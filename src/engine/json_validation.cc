#include "engine/json_validation.h"

#include <nlohmann/json.hpp>

#include "base/file.h"

namespace cleanroom::engine {
namespace {

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

Status ValidateLines(std::string_view text) {
  size_t line_number = 0;
  size_t start = 0;
  bool any = false;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_number;
    if (!IsBlank(line)) {
      any = true;
      if (!nlohmann::json::accept(line)) {
        return Status::InvalidArgument("invalid JSON on line " + std::to_string(line_number));
      }
    }
    start = end + 1;
  }
  if (!any) return Status::InvalidArgument("the JSON input is empty");
  return Status::OK();
}

}  // namespace

Status ValidateJsonText(std::string_view text, Format format) {
  if (format == Format::kJson) {
    if (nlohmann::json::accept(text)) return Status::OK();
    // A .json file may hold newline-delimited documents.
    Status lines = ValidateLines(text);
    if (lines.ok()) return lines;
    return Status::InvalidArgument("invalid JSON document");
  }
  return ValidateLines(text);
}

Status ValidateJsonFile(const std::string& path, Format format) {
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ValidateJsonText(text, format).WithContext(path);
}

}  // namespace cleanroom::engine
