#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/query_result.h"

namespace cleanroom::engine {

// How a result leaves the engine.
//   kTable:   aligned columns and a row count, for a person.
//   kCsv:     RFC 4180 with a header row; NULL is an empty field, an empty string is "".
//   kJson:    an array of objects, one per row.
//   kNdjson:  one object per line.
//   kParquet: a Parquet file (files only).
enum class OutputFormat { kTable, kCsv, kJson, kNdjson, kParquet };

// Parses "table", "csv", "json", "ndjson" / "jsonl", "parquet". InvalidArgument names the text.
Result<OutputFormat> ParseOutputFormat(std::string_view name);
// The format a path's extension implies: .csv, .json, .ndjson / .jsonl, .parquet; otherwise
// InvalidArgument (give --output-format).
Result<OutputFormat> OutputFormatFromPath(std::string_view path);

// Receives the output text piece by piece.
using OutputSink = std::function<Status(std::string_view)>;

// Streams `result` to `sink` in a text format (not kParquet), chunk by chunk; memory stays
// bounded by a chunk (kTable also keeps the first rows to size its columns). `rows`, when
// given, receives the number of rows written.
Status WriteResult(QueryResult& result, OutputFormat format, const OutputSink& sink,
                   uint64_t* rows = nullptr);

// Writes `result` to the file `path` atomically: a temporary file beside it, renamed into place
// when complete; on any error nothing is left at `path` (an earlier file there is kept).
// kParquet goes through a second, private in-memory DuckDB that receives only the result's
// chunks (the query's own engine is locked and cannot write files).
Status WriteResultToFile(QueryResult& result, OutputFormat format, const std::string& path,
                         uint64_t* rows = nullptr);

}  // namespace cleanroom::engine
