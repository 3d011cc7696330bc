#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/catalog.h"

namespace cleanroom::engine {

// The file formats the engine reads and writes.
enum class Format { kAuto, kCsv, kParquet, kJson, kNdjson };

// "csv", "parquet", "json", "ndjson"; "auto" for kAuto.
std::string_view FormatName(Format format);
// Parses a format name (case-insensitive; "jsonl" is NDJSON, "tsv" is CSV). InvalidArgument
// names the text.
Result<Format> ParseFormat(std::string_view name);
// The format a path's extension implies (.csv .tsv .txt .parquet .json .ndjson .jsonl, also
// under a trailing .gz/.zst compression suffix). kAuto when the extension says nothing.
Format FormatFromPath(std::string_view path);

// How a CSV file is read. Defaults follow RFC 4180 with a header row.
struct CsvOptions {
  bool header = true;
  char delimiter = ',';
  char quote = '"';
  char escape = '"';
  // Field texts read as NULL. The empty unquoted field is NULL by default.
  std::vector<std::string> null_strings = {""};
};

// Where one table's rows come from and how to read them.
struct TableSource {
  std::string name;  // the table name queries use
  // A file, a directory (every file in it of the format) or a glob: all one table.
  std::string path;
  Format format = Format::kAuto;  // kAuto: by the path's extension
  // When set, the table has exactly these columns and types: a column missing from the input is
  // an error, and a value that does not convert is an error naming the column and the row.
  // Input columns that are not declared are not loaded.
  std::optional<std::vector<sql::Column>> schema;
  CsvOptions csv;
  // When set (a privacy unit column), the table also gets the hidden column
  // sql::kUnitHashColumn: the value's 64-bit hash, computed once at load so that threshold
  // checks need not hash the unit in every query (docs/privacy.md, "Thresholds").
  std::string unit_hash_of;
};

// Parses NAME=PATH[:FORMAT] (the --table syntax). The suffix counts as a format only when it
// names one, so paths with colons still work. InvalidArgument names the spec.
Result<TableSource> ParseTableSpec(std::string_view spec);

// A declared schema and CSV options from a JSON document:
//   {"columns": [{"name": "id", "type": "bigint"}, ...],
//    "csv": {"header": true, "delimiter": ",", "quote": "\"", "escape": "\"", "null": [""]}}
// A bare array of columns is accepted too. Types use Spark's names (sql::ParseTypeName).
// InvalidArgument says what is wrong and where.
Status ParseSchemaDocument(std::string_view json_text, TableSource& source);

}  // namespace cleanroom::engine
