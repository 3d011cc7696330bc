// Engine: loading inputs by path by fixed statements of ours, and enforcing declared schemas
// (inputs held in memory and Parquet images: memory_input_loader.cc).
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "base/file.h"
#include "engine/csv_rows.h"
#include "engine/duckdb_error.h"
#include "engine/engine.h"
#include "engine/json_validation.h"
#include "engine/parquet_scan.h"
#include "engine/sql_quoting.h"
#include "engine/table_loading.h"
#include "formats/parquet_reader.h"

namespace cleanroom::engine {
namespace {

bool HasGlobCharacters(std::string_view path) {
  return path.find_first_of("*?[") != std::string_view::npos;
}

// The files a path names: itself, every regular file of a directory (of `format`, when known),
// or a glob's matches. Sorted, so that the row order is stable.
Result<std::vector<std::string>> ExpandPath(const std::string& path, Format& format) {
  std::vector<std::string> files;
  struct stat info;
  if (!HasGlobCharacters(path)) {
    if (::stat(path.c_str(), &info) != 0) {
      return Status::NotFound("input " + path + ": " + ErrnoText(errno));
    }
    if (!S_ISDIR(info.st_mode)) {
      files.push_back(path);
    } else {
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (!entry.is_regular_file()) continue;
        std::string name = entry.path().string();
        if (entry.path().filename().string().starts_with(".")) continue;
        Format file_format = FormatFromPath(name);
        if (format != Format::kAuto && file_format != Format::kAuto && file_format != format &&
            !(format == Format::kJson && file_format == Format::kNdjson)) {
          continue;
        }
        files.push_back(name);
      }
      if (ec) return Status::InvalidArgument("input " + path + ": cannot list the directory");
    }
  } else {
    glob_t matches;
    int rc = ::glob(path.c_str(), 0, nullptr, &matches);
    if (rc == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) {
        if (::stat(matches.gl_pathv[i], &info) == 0 && S_ISREG(info.st_mode)) {
          files.push_back(matches.gl_pathv[i]);
        }
      }
    }
    globfree(&matches);
  }
  if (files.empty()) return Status::NotFound("input " + path + ": no file matches");
  std::sort(files.begin(), files.end());
  if (format == Format::kAuto) format = FormatFromPath(files.front());
  if (format == Format::kAuto) {
    return Status::InvalidArgument("input " + path +
                                   ": cannot tell the format from the name; give one "
                                   "(csv, parquet, json, ndjson)");
  }
  return files;
}

std::string CsvReader(const std::string& paths, const CsvOptions& csv, bool all_varchar) {
  std::string sql = "read_csv(" + paths + ", header=" + (csv.header ? "true" : "false") +
                    ", delim=" + QuoteLiteral(std::string(1, csv.delimiter)) +
                    ", quote=" + QuoteLiteral(std::string(1, csv.quote)) +
                    ", escape=" + QuoteLiteral(std::string(1, csv.escape)) +
                    ", strict_mode=true, allow_quoted_nulls=false";
  if (!csv.null_strings.empty()) {
    sql += ", nullstr=[";
    for (size_t i = 0; i < csv.null_strings.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += QuoteLiteral(csv.null_strings[i]);
    }
    sql += "]";
  }
  if (all_varchar) sql += ", all_varchar=true";
  return sql + ")";
}

std::string JsonObjectsReader(Format format, const std::string& paths) {
  return "read_json_objects(" + paths +
         ", format=" + (format == Format::kNdjson ? "'newline_delimited'" : "'auto'") + ")";
}

std::string PathList(const std::vector<std::string>& files) {
  std::string out = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteLiteral(files[i]);
  }
  return out + "]";
}

bool IsIntegral(const sql::DataType& type) { return type.IsIntegral(); }

// The hidden unit columns (TableSource::unit_hash_of): the top 63 bits of DuckDB's 64-bit
// hash of the value, so that it is a BIGINT (a collision can only merge two people: counts
// never exceed the true ones), and that hash's bit among 63 (hash mod 63), which the threshold
// bounds OR together.
std::string UnitHashSelect(const std::string& value_sql) {
  std::string hash = "CAST(hash(" + value_sql + ") >> 1 AS BIGINT)";
  return ", " + hash + " AS " + QuoteIdentifier(sql::kUnitHashColumn) + ", CAST(1 AS BIGINT) << (" +
         hash + " % 63) AS " + QuoteIdentifier(sql::kUnitBitColumn);
}

Status UnitHashColumnMissing(const TableSource& source) {
  return Status::InvalidArgument("table " + source.name + ": the privacy unit column " +
                                 source.unit_hash_of + " is not in the input");
}

}  // namespace

std::string ReaderSql(Format format, const std::string& paths, const CsvOptions& csv,
                      bool all_varchar) {
  switch (format) {
    case Format::kCsv:
      return CsvReader(paths, csv, all_varchar);
    case Format::kParquet:
      return "read_parquet(" + paths + ")";
    case Format::kNdjson:
      return "read_json(" + paths + ", format='newline_delimited')";
    default:
      return "read_json(" + paths + ", format='auto')";
  }
}

// Runs `load` (a CREATE TABLE AS over cleanroom_parquet_scan) with DuckDB on one thread, then
// restores its thread count. DuckDB runs such a statement as one pipeline on one thread anyway
// (a C API table function gives no batch indices for an ordered parallel insert); with more
// threads its other workers spin waiting and take the core that the scan's read-ahead decodes
// on (measured: 1.70 s -> 0.97 s for the 10,000,000-row BYTE_STREAM_SPLIT file).
Status WithOneDuckDbThread(duckdb_connection connection, const std::function<Status()>& load) {
  duckdb_result result;
  if (duckdb_query(connection, "SELECT current_setting('threads')", &result) == DuckDBError) {
    duckdb_destroy_result(&result);
    return Status::Internal("cannot read DuckDB's thread count");
  }
  int64_t threads = duckdb_value_int64(&result, 0, 0);
  duckdb_destroy_result(&result);
  auto set_threads = [&](int64_t count) {
    duckdb_result ignored;
    bool ok = duckdb_query(connection, ("SET threads=" + std::to_string(count)).c_str(),
                           &ignored) != DuckDBError;
    duckdb_destroy_result(&ignored);
    return ok ? Status::OK() : Status::Internal("cannot set DuckDB's thread count");
  };
  if (threads <= 1) return load();
  CR_RETURN_IF_ERROR(set_threads(1));
  Status status = load();
  Status restored = set_threads(threads);
  return status.ok() ? restored : status;
}

Status Engine::LoadTable(const TableSource& source) {
  if (file_access_locked_) {
    return Status::FailedPrecondition("tables are loaded before the engine is locked");
  }
  Format format = source.format;
  CR_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandPath(source.path, format));
  if (format == Format::kJson || format == Format::kNdjson) {
    for (const std::string& file : files) {
      CR_RETURN_IF_ERROR(ValidateJsonFile(file, format));
    }
  }
  TableSource resolved = source;
  resolved.format = format;
  size_t verify_threads = options_.threads > 0 ? static_cast<size_t>(options_.threads) : 0;
  // Loads one Parquet file through cleanroom_parquet_scan: our validating reader feeds DuckDB,
  // each row group decoded once. A failed load leaves no table (CREATE TABLE AS is one
  // statement). When the reader found corruption, DuckDB's copy of the message has lost its
  // numbers to sanitizing, so the file is verified again for the DataLoss naming row group,
  // column and page.
  auto load_through_scan = [&](const std::string& file) -> Status {
    if (!parquet_scan_registered_) {
      CR_RETURN_IF_ERROR(RegisterParquetScan(connection_));
      parquet_scan_registered_ = true;
    }
    Status loaded = WithOneDuckDbThread(connection_, [&] {
      return LoadFromReader(
          resolved, "cleanroom_parquet_scan(" + QuoteLiteral(file) + ", read_ahead := true)");
    });
    if (loaded.ok() || loaded.code() == StatusCode::kAlreadyExists) return loaded;
    CR_RETURN_IF_ERROR(
        VerifyParquetInput(file, verify_threads).WithContext("table " + source.name));
    return loaded.WithContext("table " + source.name);
  };
  // One memory file per image: an input of very many files is copied instead, so that the
  // images never exhaust the process's file descriptors.
  constexpr size_t kMaxImagesPerInput = 256;
  if (format == Format::kParquet && options_.parquet_inputs == ParquetInputs::kImageViews &&
      files.size() <= kMaxImagesPerInput) {
    // The table is a view that DuckDB's reader reads at query time. With validation, what it
    // reads is each file's validated, uncompressed image in a sealed memory file, never the
    // file itself (docs/engine.md, "Parquet inputs").
    std::vector<std::string> read;
    if (options_.verify_parquet) {
      if (files.size() == 1) {
        // A file whose encodings DuckDB's reader refuses even uncompressed loads in one pass
        // through ours (it validates every page it hands to DuckDB).
        Result<ParquetLoadChoice> choice = ChooseParquetLoad(files[0], /*image=*/true);
        if (!choice.ok()) return choice.status().WithContext("table " + source.name);
        if (choice->path == ParquetLoadPath::kScan) return load_through_scan(files[0]);
      }
      if (options_.validate_columns_read && !source.schema.has_value()) {
        // Validated for the query by PrepareInputs: only the footer is read now.
        Status deferred = DeferParquetInput(resolved, files);
        if (deferred.ok() || deferred.code() == StatusCode::kAlreadyExists || files.size() != 1) {
          return deferred.WithContext("table " + source.name);
        }
        // A schema DuckDB's reader refuses (a MAP without values): through our reader.
        Status fallback = load_through_scan(files[0]);
        return fallback.ok() ? fallback : deferred.WithContext("table " + source.name);
      }
      for (const std::string& file : files) {
        auto reader = formats::ParquetReader::Open(file, /*read_all=*/true);
        if (!reader.ok()) return reader.status().WithContext("table " + source.name);
        Result<std::string> image = WriteParquetImage(**reader);
        if (!image.ok()) return image.status().WithContext("table " + source.name);
        read.push_back(*image);
      }
    } else {
      for (const std::string& file : files) CR_RETURN_IF_ERROR(AllowPath(file));
      read = files;
    }
    Status status = LoadFromReader(resolved, "read_parquet(" + PathList(read) + ")", true);
    if (!status.ok() && status.code() != StatusCode::kAlreadyExists && files.size() == 1) {
      // A valid file DuckDB's reader refuses that the footer did not give away (a MAP without
      // values): our reader feeds it to DuckDB through the table function.
      Status fallback = load_through_scan(files[0]);
      if (fallback.ok()) return fallback;
    }
    return status.WithContext("table " + source.name);
  }
  if (format == Format::kParquet && options_.verify_parquet) {
    if (files.size() == 1) {
      // A file DuckDB's reader refuses loads in one pass through ours (it validates every page
      // it hands to DuckDB), instead of a validation pass and then a failed DuckDB read. Files
      // DuckDB reads are verified, then read by DuckDB on every core (see ChooseParquetLoad).
      Result<ParquetLoadChoice> choice = ChooseParquetLoad(files[0]);
      if (!choice.ok()) return choice.status().WithContext("table " + source.name);
      if (choice->path == ParquetLoadPath::kScan) return load_through_scan(files[0]);
    }
    for (const std::string& file : files) {
      CR_RETURN_IF_ERROR(
          VerifyParquetInput(file, verify_threads).WithContext("table " + source.name));
    }
  }
  std::string paths = PathList(files);
  Status status = format == Format::kParquet
                      ? LoadFromReader(resolved, ReaderSql(format, paths, source.csv, false))
                      : LoadFromTextReader(resolved, paths);
  if (!status.ok() && status.code() != StatusCode::kAlreadyExists && format == Format::kParquet &&
      files.size() == 1) {
    // A valid file DuckDB's reader refuses that the footer did not give away: our reader feeds
    // it to DuckDB through the table function.
    Status fallback = load_through_scan(files[0]);
    if (fallback.ok()) return fallback;
  }
  if (!status.ok() && status.code() != StatusCode::kAlreadyExists && format == Format::kCsv) {
    // DuckDB's sniffer fails on a malformed record without saying where: find it ourselves,
    // by line number (never a value).
    for (const std::string& file : files) {
      Status found = FindMalformedCsvRecord(file, source.csv);
      if (found.code() == StatusCode::kInvalidArgument) {
        return Status::InvalidArgument("table " + source.name + ": input " + file + ", " +
                                       found.message());
      }
    }
  }
  if (!status.ok() && status.code() != StatusCode::kAlreadyExists &&
      (format == Format::kJson || format == Format::kNdjson)) {
    // Valid JSON that DuckDB cannot turn into columns (an object with a duplicated key, mixed
    // top-level values) still loads: one JSON value per row in a column named json.
    Status fallback = LoadFromReader(resolved, JsonObjectsReader(format, paths));
    if (fallback.ok()) return fallback;
  }
  return status.WithContext("table " + source.name);
}

bool ExactlyDeclared(const std::vector<sql::Column>& input,
                     const std::vector<sql::Column>& declared) {
  for (const sql::Column& column : declared) {
    bool found = false;
    for (const sql::Column& c : input) {
      if (sql::ToLowerAscii(c.name) == sql::ToLowerAscii(column.name)) {
        found = c.type == column.type;
      }
    }
    if (!found) return false;
  }
  return true;
}

Status Engine::LoadFromReader(const TableSource& source, const std::string& reader_sql,
                              bool as_view) {
  if (catalog_.FindTable(source.name) != nullptr) {
    return Status::AlreadyExists("a table of this name is already loaded");
  }
  std::string table = QuoteIdentifier(source.name);
  if (source.schema.has_value() && source.format == Format::kParquet) {
    // When the input already has every declared column with exactly the declared type (a
    // Parquet file written with the document's schema), no value can fail to convert: load the
    // declared columns straight from the reader, without the staged copy and its checks.
    // (Only Parquet carries types; text formats are read as strings and staged.)
    auto input = DescribeRelation(reader_sql);
    if (input.ok()) {
      std::string select;
      std::string hash_of;
      bool exact = true;
      for (const sql::Column& declared : *source.schema) {
        const sql::Column* found = nullptr;
        for (const sql::Column& c : *input) {
          if (sql::ToLowerAscii(c.name) == sql::ToLowerAscii(declared.name)) found = &c;
        }
        exact = exact && found != nullptr && found->type == declared.type;
        if (!exact) break;
        select += (select.empty() ? "" : ", ") + QuoteIdentifier(found->name) + " AS " +
                  QuoteIdentifier(declared.name);
        if (sql::ToLowerAscii(declared.name) == sql::ToLowerAscii(source.unit_hash_of)) {
          hash_of = QuoteIdentifier(found->name);
        }
      }
      if (exact && !source.unit_hash_of.empty()) {
        if (hash_of.empty()) return UnitHashColumnMissing(source);
        select += UnitHashSelect(hash_of);
      }
      if (exact) {
        // A view computes hidden unit columns in each query that reads them (a run is one
        // query; a table would cost a whole copy to save one hash per row).
        const char* kind = as_view ? "CREATE VIEW " : "CREATE TABLE ";
        CR_RETURN_IF_ERROR(
            RunInternal(kind + table + " AS SELECT " + select + " FROM " + reader_sql,
                        "cannot load the input", nullptr));
        CR_ASSIGN_OR_RETURN(std::vector<sql::Column> columns, DescribeRelation(table));
        return catalog_.AddTable(sql::TableDef{source.name, std::move(columns), false});
      }
    }
  }
  if (!source.schema.has_value()) {
    std::string select = "*";
    if (!source.unit_hash_of.empty()) {
      CR_ASSIGN_OR_RETURN(std::vector<sql::Column> input, DescribeRelation(reader_sql));
      std::string hash_of;
      for (const sql::Column& c : input) {
        if (sql::ToLowerAscii(c.name) == sql::ToLowerAscii(source.unit_hash_of)) {
          hash_of = QuoteIdentifier(c.name);
        }
      }
      if (hash_of.empty()) return UnitHashColumnMissing(source);
      select += UnitHashSelect(hash_of);
    }
    const char* kind = as_view ? "CREATE VIEW " : "CREATE TABLE ";
    CR_RETURN_IF_ERROR(RunInternal(kind + table + " AS SELECT " + select + " FROM " + reader_sql,
                                   "cannot load the input", nullptr));
  } else {
    std::string staged = "__cleanroom_stage_" + std::to_string(++staging_counter_);
    CR_RETURN_IF_ERROR(RunInternal(
        "CREATE TEMP TABLE " + QuoteIdentifier(staged) + " AS SELECT * FROM " + reader_sql,
        "cannot load the input", nullptr));
    Status status = EnforceSchema(source, staged);
    RunInternal("DROP TABLE IF EXISTS " + QuoteIdentifier(staged), "cleanup", nullptr)
        .IgnoreError();
    if (!status.ok()) {
      RunInternal("DROP TABLE IF EXISTS " + table, "cleanup", nullptr).IgnoreError();
      return status;
    }
  }
  CR_ASSIGN_OR_RETURN(std::vector<sql::Column> columns, DescribeRelation(table));
  return catalog_.AddTable(sql::TableDef{source.name, std::move(columns), false});
}

Status Engine::EnforceSchema(const TableSource& source, const std::string& staged) {
  std::string staged_table = QuoteIdentifier(staged);
  CR_ASSIGN_OR_RETURN(std::vector<sql::Column> input, DescribeRelation(staged_table));
  const std::vector<sql::Column>& declared = *source.schema;
  bool by_position = source.format == Format::kCsv && !source.csv.header;
  std::vector<std::string> sources;  // the staged column for each declared one
  for (size_t i = 0; i < declared.size(); ++i) {
    const sql::Column* found = nullptr;
    if (by_position) {
      if (i < input.size()) found = &input[i];
    } else {
      std::string wanted = sql::ToLowerAscii(declared[i].name);
      for (const sql::Column& column : input) {
        if (sql::ToLowerAscii(column.name) == wanted) found = &column;
      }
    }
    if (found == nullptr) {
      return Status::InvalidArgument(
          "column " + declared[i].name + " of the declared schema is missing from the input" +
          (by_position ? " (the input has " + std::to_string(input.size()) + " columns)" : ""));
    }
    sources.push_back(found->name);
  }
  // One pass finds, for every column, the first row whose value does not convert.
  std::string check = "SELECT ";
  for (size_t i = 0; i < declared.size(); ++i) {
    std::string column = QuoteIdentifier(sources[i]);
    std::string bad = column + " IS NOT NULL AND (TRY_CAST(" + column + " AS " +
                      declared[i].type.ToDuckDb() + ") IS NULL";
    const sql::Column* input_column = nullptr;
    for (const sql::Column& c : input) {
      if (c.name == sources[i]) input_column = &c;
    }
    // DuckDB rounds '1.5' to 2 when casting to an integer; a declared integer column takes
    // only integer text.
    if (IsIntegral(declared[i].type) && input_column != nullptr &&
        input_column->type.id == sql::TypeId::kString) {
      bad += " OR NOT regexp_full_match(trim(" + column + "), '[+-]?[0-9]+')";
    }
    if (IsIntegral(declared[i].type) && input_column != nullptr &&
        (input_column->type.id == sql::TypeId::kDouble ||
         input_column->type.id == sql::TypeId::kFloat ||
         input_column->type.id == sql::TypeId::kDecimal)) {
      bad += " OR " + column + " <> trunc(" + column + ")";
    }
    bad += ")";
    if (i > 0) check += ", ";
    check += "min(rowid) FILTER (WHERE " + bad + ")";
  }
  check += " FROM " + staged_table;
  duckdb_result result;
  CR_RETURN_IF_ERROR(RunInternal(check, "cannot check the declared schema", &result));
  int64_t worst_row = -1;
  size_t worst_column = 0;
  for (size_t i = 0; i < declared.size(); ++i) {
    if (duckdb_value_is_null(&result, i, 0)) continue;
    int64_t row = duckdb_value_int64(&result, i, 0);
    if (worst_row < 0 || row < worst_row) {
      worst_row = row;
      worst_column = i;
    }
  }
  duckdb_destroy_result(&result);
  if (worst_row >= 0) {
    // rowid counts the staged rows from 0 in input order; people count data rows from 1.
    return Status::InvalidArgument("column " + declared[worst_column].name + ": the value in row " +
                                   std::to_string(worst_row + 1) + " does not convert to " +
                                   declared[worst_column].type.ToString());
  }
  std::string create = "CREATE TABLE " + QuoteIdentifier(source.name) + " AS SELECT ";
  for (size_t i = 0; i < declared.size(); ++i) {
    if (i > 0) create += ", ";
    create += "CAST(" + QuoteIdentifier(sources[i]) + " AS " + declared[i].type.ToDuckDb() +
              ") AS " + QuoteIdentifier(declared[i].name);
  }
  if (!source.unit_hash_of.empty()) {
    // The hash of the loaded (converted) value, as a query would compute it.
    std::string hash_of;
    for (size_t i = 0; i < declared.size(); ++i) {
      if (sql::ToLowerAscii(declared[i].name) == sql::ToLowerAscii(source.unit_hash_of)) {
        hash_of =
            "CAST(" + QuoteIdentifier(sources[i]) + " AS " + declared[i].type.ToDuckDb() + ")";
      }
    }
    if (hash_of.empty()) return UnitHashColumnMissing(source);
    create += UnitHashSelect(hash_of);
  }
  create += " FROM " + staged_table + " ORDER BY rowid";
  return RunInternal(create, "cannot load the input", nullptr);
}

Status Engine::AllowPath(const std::string& path) {
  allowed_paths_.push_back(path);
  std::string list = "[";
  for (size_t i = 0; i < allowed_paths_.size(); ++i) {
    list += (i > 0 ? ", " : "") + QuoteLiteral(allowed_paths_[i]);
  }
  Status status = RunInternal("SET allowed_paths=" + list + "]", "cannot allow an input", nullptr);
  if (!status.ok()) allowed_paths_.pop_back();
  return status;
}

std::function<Result<sql::TableDef>(std::string_view)> Engine::FileResolver() {
  return [this](std::string_view path) -> Result<sql::TableDef> {
    if (const sql::TableDef* table = catalog_.FindTable(path)) return *table;
    TableSource source;
    source.name = std::string(path);
    source.path = std::string(path);
    CR_RETURN_IF_ERROR(LoadTable(source));
    return *catalog_.FindTable(path);
  };
}

}  // namespace cleanroom::engine
