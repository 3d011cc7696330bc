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
  if (rest.starts_with(' ') && rest.size() > 1 &&
      std::isdigit(static_cast<unsigned char>(rest[1]))) {
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
  // Fields are `name:type`. A generated name may hold commas, colons and comparison signs
  // inside parentheses ("percentile_cont(0.25) ... FILTER (WHERE (k > 0))"), so a name ends at
  // the first ':' outside parentheses (or back quotes); a type ends at the first ',' outside
  // its <...> and (...).
  std::string_view body(schema);
  body = body.substr(7, body.size() - 8);
  size_t columns = 0;
  size_t i = 0;
  while (i < body.size()) {
    int depth = 0;
    bool quoted = false;
    for (; i < body.size(); ++i) {
      char c = body[i];
      if (c == '`') quoted = !quoted;
      if (quoted) continue;
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c == ':' && depth <= 0) break;
    }
    ++columns;
    depth = 0;
    for (++i; i < body.size(); ++i) {
      char c = body[i];
      if (c == '<' || c == '(') ++depth;
      if (c == '>' || c == ')') --depth;
      if (c == ',' && depth == 0) break;
    }
    ++i;
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
      case Header::kQuery:
        block.sql = TrimTrailing(body);
        break;
      case Header::kSchema:
        block.schema = TrimTrailing(body);
        break;
      case Header::kOutput:
        block.output = TrimTrailing(body);
        break;
      case Header::kNone:
        break;
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
