#include "engine/table_printer.h"

#include <algorithm>
#include <string>
#include <vector>

namespace cleanroom::engine {
namespace {

constexpr size_t kSampleRows = 1000;

// Display width: UTF-8 code points (continuation bytes do not count).
size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

class Printer {
 public:
  Printer(const std::vector<ResultColumn>& columns, const OutputSink& sink) : sink_(sink) {
    for (const ResultColumn& column : columns) {
      widths_.push_back(DisplayWidth(column.name));
      names_.push_back(column.name);
      right_.push_back(column.type.IsNumeric());
    }
  }

  void Measure(const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths_[i] = std::max(widths_[i], DisplayWidth(row[i]));
    }
  }

  void Header() {
    std::string line;
    std::string rule;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (i > 0) {
        line += " |";
        rule += "-+";
      }
      line += ' ';
      Pad(names_[i], widths_[i], false, line);
      rule += std::string(widths_[i] + 1, '-');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    buffer_ += line + "\n" + rule + "-\n";
  }

  void Row(const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += " |";
      line += ' ';
      Pad(row[i], widths_[i], right_[i], line);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    buffer_ += line;
    buffer_ += '\n';
  }

  Status Flush(bool force) {
    if (!force && buffer_.size() < (1 << 16)) return Status::OK();
    Status status = sink_(buffer_);
    buffer_.clear();
    return status;
  }

  void Append(std::string_view text) { buffer_ += text; }

 private:
  static void Pad(const std::string& text, size_t width, bool right, std::string& out) {
    size_t fill = width > DisplayWidth(text) ? width - DisplayWidth(text) : 0;
    if (right) out.append(fill, ' ');
    out += text;
    if (!right) out.append(fill, ' ');
  }

  const OutputSink& sink_;
  std::vector<size_t> widths_;
  std::vector<std::string> names_;
  std::vector<bool> right_;
  std::string buffer_;
};

std::vector<std::string> RowText(const Chunk& chunk, idx_t r) {
  std::vector<std::string> row(chunk.column_count());
  for (idx_t c = 0; c < chunk.column_count(); ++c) {
    if (chunk.IsNull(c, r)) {
      row[c] = "NULL";
    } else {
      chunk.AppendCell(c, r, CellStyle::kText, row[c]);
    }
  }
  return row;
}

}  // namespace

Status PrintTable(QueryResult& result, const OutputSink& sink, uint64_t& rows) {
  Printer printer(result.columns(), sink);
  std::vector<std::vector<std::string>> sample;
  bool more = true;
  // Keep the first rows to size the columns.
  while (more && sample.size() < kSampleRows) {
    CR_ASSIGN_OR_RETURN(more, result.Next());
    if (!more) break;
    const Chunk& chunk = result.chunk();
    for (idx_t r = 0; r < chunk.size(); ++r) sample.push_back(RowText(chunk, r));
  }
  for (const auto& row : sample) printer.Measure(row);
  printer.Header();
  for (const auto& row : sample) printer.Row(row);
  rows = sample.size();
  sample.clear();
  CR_RETURN_IF_ERROR(printer.Flush(false));
  while (more) {
    CR_ASSIGN_OR_RETURN(more, result.Next());
    if (!more) break;
    const Chunk& chunk = result.chunk();
    for (idx_t r = 0; r < chunk.size(); ++r) {
      printer.Row(RowText(chunk, r));
      ++rows;
    }
    CR_RETURN_IF_ERROR(printer.Flush(false));
  }
  std::string footer = "(";  // Built in steps: GCC 12 misreports "(" + std::string.
  footer += std::to_string(rows);
  footer += rows == 1 ? " row)\n" : " rows)\n";
  printer.Append(footer);
  return printer.Flush(true);
}

}  // namespace cleanroom::engine
