// Engine: text inputs (CSV, JSON) loaded by DuckDB's reader, and the checks on the column types
// DuckDB's sniffer infers for a CSV input without a declared schema (docs/engine.md, "Inputs").
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/sql_quoting.h"
#include "engine/table_loading.h"

namespace cleanroom::engine {
namespace {

// The digits after `marker` in `text`, or -1.
int64_t NumberAfter(std::string_view text, std::string_view marker) {
  size_t at = text.find(marker);
  if (at == std::string_view::npos) return -1;
  int64_t value = -1;
  for (size_t i = at + marker.size(); i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (INT64_MAX - 9) / 10) return -1;
    value = (value < 0 ? 0 : value * 10) + (text[i] - '0');
  }
  return value;
}

// The column DuckDB's CSV conversion error names ("Column NAME is being converted as type ..."),
// only when it is exactly one of `columns` (nothing else of DuckDB's text is ever reported).
const sql::Column* ConvertedColumn(std::string_view text, const std::vector<sql::Column>& columns) {
  constexpr std::string_view kStart = "\nColumn ";
  constexpr std::string_view kEnd = " is being converted as type ";
  size_t start = text.find(kStart);
  if (start == std::string_view::npos) return nullptr;
  start += kStart.size();
  size_t end = text.find(kEnd, start);
  if (end == std::string_view::npos) return nullptr;
  std::string_view name = text.substr(start, end - start);
  for (const sql::Column& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

}  // namespace

Status Engine::LoadFromTextReader(const TableSource& source, const std::string& paths) {
  const bool inferred = source.format == Format::kCsv && !source.schema.has_value();
  const std::string reader = ReaderSql(source.format, paths, source.csv, source.schema.has_value());
  last_raw_error_.clear();
  Status status = LoadFromReader(source, reader);
  if (!inferred || status.code() == StatusCode::kAlreadyExists) return status;
  if (!status.ok()) {
    // DuckDB's sniffer infers the types from a sample of rows; a value past the sample that does
    // not convert fails the load. DuckDB's message names the line and column: report those two,
    // checked against the columns the sniffer gives (never DuckDB's text, which quotes the value).
    const std::string raw = last_raw_error_;
    int64_t line = NumberAfter(raw, "CSV Error on Line: ");
    Result<std::vector<sql::Column>> sniffed = DescribeRelation(reader);
    const sql::Column* column = sniffed.ok() ? ConvertedColumn(raw, *sniffed) : nullptr;
    if (line < 0 || column == nullptr) return status;
    return Status::InvalidArgument(
        "column " + column->name + ": the value on line " + std::to_string(line) +
        " does not convert to " + column->type.ToString() +
        ", the type inferred from the rows before it (declare the column's type to read it "
        "otherwise)");
  }
  return CheckInferredColumns(source);
}

// A number column with one malformed value (a typo, a unit, a stray letter) is inferred as text by
// DuckDB's sniffer when the value is in its sample: aggregates over it would then convert it at
// query time, where the bad value fails the query or (with a forgiving cast) vanishes. A text
// column whose non-null values are mostly numbers is refused, naming the column and the first row
// that is not a number; a declared schema says what the column is.
Status Engine::CheckInferredColumns(const TableSource& source) {
  CR_ASSIGN_OR_RETURN(std::vector<sql::Column> columns,
                      DescribeRelation(QuoteIdentifier(source.name)));
  std::vector<const sql::Column*> text;
  std::string check;
  for (const sql::Column& column : columns) {
    if (column.type.id != sql::TypeId::kString) continue;
    std::string name = QuoteIdentifier(column.name);
    std::string number = "TRY_CAST(" + name + " AS DOUBLE) IS NOT NULL";
    std::string other = name + " IS NOT NULL AND TRY_CAST(" + name + " AS DOUBLE) IS NULL";
    check += std::string(check.empty() ? "" : ", ") + "count(*) FILTER (WHERE " + number +
             "), count(*) FILTER (WHERE " + other + "), min(rowid) FILTER (WHERE " + other + ")";
    text.push_back(&column);
  }
  if (text.empty()) return Status::OK();
  duckdb_result result;
  CR_RETURN_IF_ERROR(RunInternal("SELECT " + check + " FROM " + QuoteIdentifier(source.name),
                                 "cannot check the inferred types", &result));
  const sql::Column* bad_column = nullptr;
  int64_t bad_row = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    int64_t numbers = duckdb_value_int64(&result, 3 * i, 0);
    int64_t others = duckdb_value_int64(&result, 3 * i + 1, 0);
    if (others == 0 || numbers <= others) continue;
    int64_t row = duckdb_value_int64(&result, 3 * i + 2, 0);
    if (bad_row < 0 || row < bad_row) {
      bad_row = row;
      bad_column = text[i];
    }
  }
  duckdb_destroy_result(&result);
  if (bad_column == nullptr) return Status::OK();
  // Nothing of the refused input stays loaded.
  RunInternal("DROP TABLE IF EXISTS " + QuoteIdentifier(source.name), "cleanup", nullptr)
      .IgnoreError();
  catalog_.DropTable(source.name).IgnoreError();
  // rowid counts the rows from 0 in input order; people count data rows from 1.
  return Status::InvalidArgument(
      "column " + bad_column->name + ": the value in row " + std::to_string(bad_row + 1) +
      " is not a number, while most of the column's values are (declare the column's type: "
      "string keeps it as text)");
}

}  // namespace cleanroom::engine
