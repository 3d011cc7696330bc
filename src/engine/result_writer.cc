#include "engine/result_writer.h"

#include <algorithm>

#include "base/file.h"
#include "engine/parquet_output.h"
#include "engine/table_printer.h"
#include "sql/catalog.h"

namespace cleanroom::engine {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

void AppendCsvField(std::string_view text, bool is_null, std::string& out) {
  if (is_null) return;
  bool quote = text.empty() || text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Status WriteCsv(QueryResult& result, const OutputSink& sink, uint64_t& rows) {
  std::string buffer;
  const auto& columns = result.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) buffer += ',';
    AppendCsvField(columns[i].name, false, buffer);
  }
  buffer += '\n';
  std::string cell;
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    const Chunk& chunk = result.chunk();
    for (idx_t r = 0; r < chunk.size(); ++r) {
      for (idx_t c = 0; c < chunk.column_count(); ++c) {
        if (c > 0) buffer += ',';
        cell.clear();
        chunk.AppendCell(c, r, CellStyle::kText, cell);
        AppendCsvField(cell, chunk.IsNull(c, r), buffer);
      }
      buffer += '\n';
      ++rows;
    }
    if (buffer.size() >= kFlushBytes) {
      CR_RETURN_IF_ERROR(sink(buffer));
      buffer.clear();
    }
  }
  return sink(buffer);
}

Status WriteJson(QueryResult& result, bool ndjson, const OutputSink& sink, uint64_t& rows) {
  std::vector<std::string> keys;
  for (const ResultColumn& column : result.columns()) {
    std::string key;
    AppendJsonString(column.name, key);
    keys.push_back(key + ":");
  }
  std::string buffer = ndjson ? "" : "[";
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    const Chunk& chunk = result.chunk();
    for (idx_t r = 0; r < chunk.size(); ++r) {
      if (!ndjson) buffer += rows == 0 ? "\n" : ",\n";
      buffer += '{';
      for (idx_t c = 0; c < chunk.column_count(); ++c) {
        if (c > 0) buffer += ',';
        buffer += keys[c];
        chunk.AppendCell(c, r, CellStyle::kJson, buffer);
      }
      buffer += '}';
      if (ndjson) buffer += '\n';
      ++rows;
    }
    if (buffer.size() >= kFlushBytes) {
      CR_RETURN_IF_ERROR(sink(buffer));
      buffer.clear();
    }
  }
  if (!ndjson) buffer += rows == 0 ? "]\n" : "\n]\n";
  return sink(buffer);
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(std::string_view name) {
  std::string lower = sql::ToLowerAscii(name);
  if (lower == "table") return OutputFormat::kTable;
  if (lower == "csv") return OutputFormat::kCsv;
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "ndjson" || lower == "jsonl") return OutputFormat::kNdjson;
  if (lower == "parquet") return OutputFormat::kParquet;
  return Status::InvalidArgument("unknown output format '" + std::string(name) +
                                 "' (expected table, csv, json, ndjson or parquet)");
}

Result<OutputFormat> OutputFormatFromPath(std::string_view path) {
  std::string lower = sql::ToLowerAscii(path);
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".csv")) return OutputFormat::kCsv;
  if (ends_with(".ndjson") || ends_with(".jsonl")) return OutputFormat::kNdjson;
  if (ends_with(".json")) return OutputFormat::kJson;
  if (ends_with(".parquet")) return OutputFormat::kParquet;
  return Status::InvalidArgument("cannot tell the output format from " + std::string(path) +
                                 ": give --output-format");
}

Status WriteResult(QueryResult& result, OutputFormat format, const OutputSink& sink,
                   uint64_t* rows) {
  uint64_t count = 0;
  Status status;
  switch (format) {
    case OutputFormat::kTable:
      status = PrintTable(result, sink, count);
      break;
    case OutputFormat::kCsv:
      status = WriteCsv(result, sink, count);
      break;
    case OutputFormat::kJson:
      status = WriteJson(result, false, sink, count);
      break;
    case OutputFormat::kNdjson:
      status = WriteJson(result, true, sink, count);
      break;
    case OutputFormat::kParquet:
      return Status::InvalidArgument("Parquet output needs a file (--output)");
  }
  if (rows != nullptr) *rows = count;
  return status;
}

Status WriteResultToFile(QueryResult& result, OutputFormat format, const std::string& path,
                         uint64_t* rows) {
  AtomicFileWriter writer;
  CR_RETURN_IF_ERROR(writer.Open(path));
  if (format == OutputFormat::kParquet) {
    CR_RETURN_IF_ERROR(WriteParquet(result, writer.temp_path(), rows));
  } else {
    CR_RETURN_IF_ERROR(WriteResult(
        result, format, [&writer](std::string_view text) { return writer.Append(text); }, rows));
  }
  return writer.Commit();
}

}  // namespace cleanroom::engine
