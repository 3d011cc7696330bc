#include "slt/golden_file.h"

#include <cctype>

namespace cleanroom::slt {
namespace {

enum class Header { kNone, kQuery, kSchema, kOutput };

// Which header `line` is: `-- !query`, optionally numbered, optionally ` schema` / ` output`.
Header ClassifyHeader(std::string_view line) {
  constexpr std::string_view kPrefix = "-- !query";
  if (!line.starts_with(kPrefix)) return Header::kNone;
  std::string_view rest = line.substr(kPrefix.size());
  if (rest.starts_with(' ') && rest.size() > 1 && std::isdigit(static_cast<unsigned char>(rest[1]))) {
    size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest = rest.substr(i);
  }
  if (rest.empty()) return Header::kQuery;
  if (rest == " schema") return Header::kSchema;
  if (rest == " output") return Header::kOutput;
  return Header::kNone;
}

std::string TrimTrailing(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

}  // namespace

bool GoldenBlock::ExpectsError() const { return schema == "struct<>" && !output.empty(); }

size_t GoldenBlock::ColumnCount() const {
  if (!schema.starts_with("struct<") || schema == "struct<>") return 0;
  // Top-level commas of the struct; nested types (<...>, (...)) and back-quoted names are
  // skipped.
  size_t columns = 1;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 7; i + 1 < schema.size(); ++i) {
    char c = schema[i];
    if (c == '`') quoted = !quoted;
    if (quoted) continue;
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ',' && depth == 0) ++columns;
  }
  return columns;
}

Result<std::vector<GoldenBlock>> ParseGoldenFile(std::string_view text) {
  std::vector<GoldenBlock> blocks;
  Header section = Header::kNone;
  std::string body;
  auto close_section = [&]() {
    if (blocks.empty()) return;
    GoldenBlock& block = blocks.back();
    switch (section) {
      case Header::kQuery: block.sql = TrimTrailing(body); break;
      case Header::kSchema: block.schema = TrimTrailing(body); break;
      case Header::kOutput: block.output = TrimTrailing(body); break;
      case Header::kNone: break;
    }
    body.clear();
  };
  int line_number = 0;
  std::vector<bool> has_output;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++line_number;
    Header header = ClassifyHeader(line);
    if (header != Header::kNone) {
      close_section();
      if (header == Header::kQuery) {
        blocks.push_back(GoldenBlock{});
        blocks.back().line = line_number;
        has_output.push_back(false);
      } else if (blocks.empty()) {
        return Status::InvalidArgument("line " + std::to_string(line_number) +
                                       ": a schema or output header before any query");
      } else if (header == Header::kOutput) {
        has_output.back() = true;
      }
      section = header;
      continue;
    }
    if (section == Header::kNone) continue;  // the file's own header comments
    body.append(line);
    body += '\n';
    if (end == text.size()) break;
  }
  close_section();
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].schema.empty() || !has_output[i]) {
      return Status::InvalidArgument("line " + std::to_string(blocks[i].line) +
                                     ": a query without its schema or output section");
    }
  }
  return blocks;
}

}  // namespace cleanroom::slt
