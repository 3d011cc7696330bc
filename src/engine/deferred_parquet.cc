// Engine: Parquet inputs validated for the query (EngineOptions::validate_columns_read). At
// load, only the footer is read: the table is a view over schema-only images (the footer with
// its row groups removed), so that the front end can bind the query. PrepareInputs then
// validates and images, per file, only the top-level fields the compiled query reads, and
// replaces the view's source: the fields it holds are read from the image, every other column
// is an expression that fails the query if evaluated. DuckDB removes unused projections before
// it runs, so such a column costs nothing when unused and cannot be read when it would be.
#include "engine/deferred_parquet.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"
#include "engine/columns_read.h"
#include "engine/engine.h"
#include "engine/sql_quoting.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"

namespace cleanroom::engine {

namespace {

// A sealed memory file holding `bytes` (a schema-only image: a few kilobytes).
Result<int> SealedMemoryFile(ByteSpan bytes) {
  int fd = ::memfd_create("cleanroom-parquet-schema", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Status::ResourceExhausted("memfd_create failed: " + ErrnoText(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (done != bytes.size() ||
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Internal("writing the schema image failed: " + ErrnoText(err));
  }
  return fd;
}

std::string FdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// An expression of `type` that fails the query when evaluated.
std::string NotValidated(const std::string& what, const std::string& type) {
  return "CAST(error(" + QuoteLiteral(what + " was not validated for this query") + ") AS " + type +
         ")";
}

// The top-level field whose column chunks take the fewest bytes in the file.
size_t SmallestField(const formats::ParquetReader& reader) {
  size_t best = 0;
  int64_t best_bytes = -1;
  for (size_t f = 0; f < reader.fields().size(); ++f) {
    int64_t bytes = 0;
    for (const formats::RowGroup& group : reader.metadata().row_groups) {
      for (int leaf : reader.schema().FieldLeaves(f)) {
        const auto& chunk = group.columns[static_cast<size_t>(leaf)];
        if (chunk.meta_data) bytes += chunk.meta_data->total_compressed_size;
      }
    }
    if (best_bytes < 0 || bytes < best_bytes) {
      best = f;
      best_bytes = bytes;
    }
  }
  return best;
}

}  // namespace

Status Engine::DeferParquetInput(const TableSource& source, const std::vector<std::string>& files) {
  std::vector<std::unique_ptr<formats::ParquetReader>> readers;
  for (const std::string& file : files) {
    // The footer and schema are checked here; no page is read.
    CR_ASSIGN_OR_RETURN(std::unique_ptr<formats::ParquetReader> reader,
                        formats::ParquetReader::Open(file));
    readers.push_back(std::move(reader));
  }
  return DeferParquetReaders(source, std::move(readers), nullptr);
}

Status Engine::DeferParquetReaders(const TableSource& source,
                                   std::vector<std::unique_ptr<formats::ParquetReader>> readers,
                                   std::shared_ptr<void> memory) {
  auto input = std::make_shared<DeferredParquetInput>();
  input->source = source;
  input->memory = std::move(memory);
  auto close_all = [&] {
    for (int fd : input->schema_fds) ::close(fd);
    input->schema_fds.clear();
  };
  std::vector<std::string> schemas;
  for (std::unique_ptr<formats::ParquetReader>& reader : readers) {
    Result<Bytes> schema = formats::SchemaOnlyImage(*reader);
    if (!schema.ok()) {
      close_all();
      return schema.status();
    }
    Result<int> fd = SealedMemoryFile(*schema);
    if (!fd.ok()) {
      close_all();
      return fd.status();
    }
    input->schema_fds.push_back(*fd);
    schemas.push_back(FdPath(*fd));
    input->readers.push_back(std::move(reader));
  }
  input->inner = "__cleanroom_input_" + std::to_string(++staging_counter_);
  std::string list = "[";
  for (size_t i = 0; i < schemas.size(); ++i)
    list += (i > 0 ? ", " : "") + QuoteLiteral(schemas[i]);
  Status status = RunInternal("CREATE VIEW " + QuoteIdentifier(input->inner) +
                                  " AS SELECT * FROM read_parquet(" + list + "])",
                              "cannot load the input", nullptr);
  duckdb_result result;
  if (status.ok()) {
    status = RunInternal(
        "SELECT column_name, column_type FROM (DESCRIBE " + QuoteIdentifier(input->inner) + ")",
        "cannot load the input", &result);
    if (status.ok()) {
      for (idx_t r = 0; r < duckdb_row_count(&result); ++r) {
        char* name = duckdb_value_varchar(&result, 0, r);
        char* type = duckdb_value_varchar(&result, 1, r);
        input->columns.emplace_back(name != nullptr ? name : "", type != nullptr ? type : "");
        duckdb_free(name);
        duckdb_free(type);
      }
      duckdb_destroy_result(&result);
    }
  }
  if (status.ok() && source.schema.has_value()) {
    // A declared schema is enforced by converting the loaded values, which a view over an
    // image yet to be written cannot do: only exactly declared columns are deferred.
    Result<std::vector<sql::Column>> found = DescribeRelation(QuoteIdentifier(input->inner));
    if (!found.ok() || !ExactlyDeclared(*found, *source.schema)) {
      status = Status::FailedPrecondition("the input's types are not exactly the declared ones");
    }
  }
  if (status.ok()) status = LoadFromReader(source, QuoteIdentifier(input->inner), /*as_view=*/true);
  if (!status.ok()) {
    RunInternal("DROP VIEW IF EXISTS " + QuoteIdentifier(input->inner), "cleanup", nullptr)
        .IgnoreError();
    close_all();
    return status;
  }
  deferred_.push_back(std::move(input));
  return Status::OK();
}

Status Engine::PrepareInputs(const std::vector<sql::CompiledStatement>& statements,
                             const std::map<std::string, std::set<std::string>>& also_read) {
  if (file_access_locked_) {
    return Status::FailedPrecondition("inputs are prepared before the engine is locked");
  }
  ColumnsRead read = ColumnsReadBy(statements);
  for (const auto& [table, columns] : also_read) {
    if (read.find(table) == read.end()) continue;  // a table the statements never read
    read[table].insert(columns.begin(), columns.end());
  }
  for (const std::shared_ptr<DeferredParquetInput>& input : deferred_) {
    if (input->imaged) continue;
    auto found = read.find(sql::ToLowerAscii(input->source.name));
    std::set<std::string> columns;
    if (found != read.end()) columns = found->second;
    // The hidden unit columns are computed from the unit column by the table's view.
    if (!input->source.unit_hash_of.empty() &&
        (columns.count(sql::kUnitHashColumn) > 0 || columns.count(sql::kUnitBitColumn) > 0)) {
      columns.insert(sql::ToLowerAscii(input->source.unit_hash_of));
    }
    CR_RETURN_IF_ERROR(ImageDeferred(*input, &columns, found != read.end())
                           .WithContext("table " + input->source.name));
  }
  return Status::OK();
}

Status Engine::ImageDeferred(DeferredParquetInput& input, const std::set<std::string>* columns,
                             bool read) {
  std::string select;
  std::string from;
  if (!read) {
    // No query reads the table: nothing of it is validated, and reading it fails.
    for (const auto& [name, type] : input.columns) {
      select += (select.empty() ? "" : ", ") + NotValidated("table", type) + " AS " +
                QuoteIdentifier(name);
    }
    from = "range(1) WHERE " + NotValidated("table", "BOOLEAN");
  } else {
    const formats::ParquetReader& first = *input.readers.front();
    // The view's columns are the first file's top-level fields, in order; when DuckDB named
    // them otherwise (a repeated name), every field is validated.
    bool by_field = columns != nullptr && first.fields().size() == input.columns.size();
    for (size_t i = 0; by_field && i < input.columns.size(); ++i) {
      by_field =
          sql::ToLowerAscii(first.fields()[i].name) == sql::ToLowerAscii(input.columns[i].first);
    }
    std::set<std::string> kept;
    if (by_field) {
      for (const auto& [name, type] : input.columns) {
        if (columns->count(sql::ToLowerAscii(name)) > 0) kept.insert(sql::ToLowerAscii(name));
      }
      // count(*) reads no column, but a file's rows are trusted only through a validated
      // column: the field of fewest stored bytes.
      if (kept.empty() && !input.columns.empty()) {
        kept.insert(sql::ToLowerAscii(input.columns[SmallestField(first)].first));
      }
    }
    std::vector<std::string> images;
    for (const std::unique_ptr<formats::ParquetReader>& reader : input.readers) {
      std::vector<int> fields;
      for (size_t f = 0; by_field && f < reader->fields().size(); ++f) {
        if (kept.count(sql::ToLowerAscii(reader->fields()[f].name)) > 0) {
          fields.push_back(static_cast<int>(f));
        }
      }
      if (by_field && fields.size() == reader->fields().size()) fields.clear();  // all of them
      CR_ASSIGN_OR_RETURN(std::string image, WriteParquetImage(*reader, fields));
      images.push_back(image);
    }
    for (const auto& [name, type] : input.columns) {
      std::string column = QuoteIdentifier(name);
      bool held = !by_field || kept.count(sql::ToLowerAscii(name)) > 0;
      select += (select.empty() ? "" : ", ") +
                (held ? column : NotValidated("column " + name, type) + " AS " + column);
    }
    from = "read_parquet([";
    for (size_t i = 0; i < images.size(); ++i)
      from += (i > 0 ? ", " : "") + QuoteLiteral(images[i]);
    from += "])";
  }
  if (select.empty()) select = "*";
  CR_RETURN_IF_ERROR(RunInternal("CREATE OR REPLACE VIEW " + QuoteIdentifier(input.inner) +
                                     " AS SELECT " + select + " FROM " + from,
                                 "cannot load the input", nullptr));
  input.imaged = true;
  input.readers.clear();  // the file's mapping (or the input's memory) is no longer needed
  input.memory.reset();
  for (int fd : input.schema_fds) ::close(fd);
  input.schema_fds.clear();
  return Status::OK();
}

}  // namespace cleanroom::engine
