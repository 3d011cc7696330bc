#pragma once

#include <duckdb.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "engine/input_source.h"
#include "engine/query_result.h"
#include "sql/catalog.h"
#include "sql/frontend.h"

namespace cleanroom::formats {
class ParquetReader;
}  // namespace cleanroom::formats

namespace cleanroom::engine {

// How Parquet inputs reach DuckDB.
enum class ParquetInputs {
  // Validated, then copied into a DuckDB table by DuckDB's reader before Lock() (the default).
  kTables,
  // Each file validated into an uncompressed image in a sealed memory file; the table is a view
  // that DuckDB's reader reads at query time from that image alone (formats/parquet_image.h).
  // Experimental: measured in bench/parquet, not yet the product's path (docs/engine.md).
  kImageViews,
};

struct EngineOptions {
  int threads = 0;  // 0: every core
  // Every Parquet input is validated page by page by our own reader before DuckDB reads it.
  // false only for a person's own trusted local files (`cleanroom sql --no-verify`).
  bool verify_parquet = true;
  ParquetInputs parquet_inputs = ParquetInputs::kImageViews;
  // With kImageViews and validation: LoadTable reads only the footer of a Parquet file input
  // (its schema, for the catalog); PrepareInputs validates and images only the columns the
  // compiled query reads (LockFileAccess images whatever is left, every column). Inputs with a
  // declared schema are validated whole at LoadTable, as without this.
  bool validate_columns_read = false;
  // With kImageViews: a file whose pages DuckDB reads as ours do is imaged in place (its
  // compressed pages, validated once sealed; DuckDB decompresses them itself), not
  // uncompressed. Less memory (the compressed bytes of what is read) for a second
  // decompression (docs/engine.md, "What is validated when").
  bool in_place_images = true;
  // In an in-place image, a column whose chunks declare at most this ratio of uncompressed to
  // compressed bytes is held uncompressed instead, validated as written: DuckDB then reads it
  // without decompressing it again, for at most this much more memory than its compressed
  // bytes (0: every column compressed; docs/engine.md, "What is validated when").
  double uncompressed_image_ratio = 1.5;
  // Then, per file, the read columns that grow least when decompressed are held uncompressed
  // too while their growth adds up to at most this many bytes: a small input's strings (a
  // customers file's hashes: 35 MB ZSTD, 68 MB PLAIN) are decompressed once, a large one's
  // (impressions' 352 MB) stay in place.
  uint64_t uncompressed_image_allowance = uint64_t{64} << 20;
};

// A Parquet input whose validation waits for the query (EngineOptions::validate_columns_read).
struct DeferredParquetInput;

// One in-memory DuckDB database and its connection. The life of an engine:
//   1. Open().
//   2. LoadTable / LoadTableFromMemory for every input (fixed statements of ours); each table's
//      columns are registered in catalog().
//   3. Lock(): file access, network and extension loading off, configuration locked.
//   4. Query() / RunCompiled() on SQL the front end emitted.
// Query() refuses to run before Lock(), so no generated SQL ever runs with file access on.
// Not thread-safe: one engine per thread. Raw statements (Execute) are for fixed SQL of ours,
// set-up statements of test scripts and the benchmark's DuckDB baseline, never user text.
class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads a file, a directory or a glob as table `source.name` (see TableSource).
  // REQUIRES: not locked (nor LockFileAccess()). AlreadyExists when the name is taken.
  Status LoadTable(const TableSource& source);
  // Loads `data` (the whole content of one file, e.g. decrypted plaintext) as a table. The
  // bytes reach DuckDB through an anonymous memory file (memfd), never a file on disk; the
  // memory file is closed before this returns. REQUIRES: not locked; source.format set (not
  // kAuto); source.path is ignored.
  Status LoadTableFromMemory(const TableSource& source, ByteSpan data);
  // As LoadTableFromMemory, for bytes produced straight into the memory file: `fill` receives
  // a writable mapping of `size` bytes and must fill all of it (e.g. decrypt into it, without
  // another plaintext copy). After validation and before DuckDB reads anything, `before_load`
  // (when set) runs; its error aborts the load. The memory file's pages are released to the
  // kernel (hole punched; it zero-fills them before any reuse) before this returns.
  Status LoadTableFromMemoryFill(const TableSource& source, uint64_t size,
                                 const std::function<Status(std::span<uint8_t>)>& fill,
                                 const std::function<Status()>& before_load = nullptr);

  // With EngineOptions::validate_columns_read: validates and images, of every input whose
  // validation waits, only the columns `statements` read (engine/columns_read.h); a column left
  // out is not in the image at all, and the table's view fails a query that reads it. A table
  // the statements do not read is not validated, and any query reading it fails.
  // REQUIRES: not locked. Idempotent per input (an input imaged once keeps its image).
  // `also_read`: columns (lower-case) of tables (lower-case) read besides the statements' own,
  // e.g. by a privacy-checked program (each dataset's privacy unit and its hidden unit columns).
  Status PrepareInputs(const std::vector<sql::CompiledStatement>& statements,
                       const std::map<std::string, std::set<std::string>>& also_read = {});

  // Switches enable_external_access off, disables extension auto-loading and locks the
  // configuration. Idempotent. After it no statement can read or write a file, reach the
  // network, load an extension or change a setting.
  Status Lock();
  bool locked() const { return locked_; }
  // Only the first half of Lock(): file access, network and extension loading off for good
  // (DuckDB refuses to switch them back on), other settings still changeable. For the
  // sqllogictest runner, whose scripts SET options such as default_null_order.
  Status LockFileAccess();

  // The tables loaded so far (and views compiled by RunCompiled's caller).
  sql::Catalog& catalog() { return catalog_; }
  const sql::Catalog& catalog() const { return catalog_; }
  // Rebuilds catalog() from every table and view DuckDB holds (after raw set-up statements).
  Status RefreshCatalog();

  // Runs one SELECT emitted by the front end and streams its result.
  // REQUIRES: locked, or at least LockFileAccess() (FailedPrecondition otherwise).
  Result<std::unique_ptr<QueryResult>> Query(std::string_view duckdb_sql);
  // Runs compiled statements in order: a kCreateView step becomes a temp view in DuckDB, the
  // final kQuery is streamed. nullptr when the script has no final query. REQUIRES: locked.
  Result<std::unique_ptr<QueryResult>> RunCompiled(
      const std::vector<sql::CompiledStatement>& statements);

  // Runs raw SQL (one or more statements) for its effect; errors are sanitized.
  Status Execute(std::string_view sql);
  // Runs one raw statement and streams its result (the benchmark's DuckDB baseline, tests).
  Result<std::unique_ptr<QueryResult>> QueryRaw(std::string_view sql);

  // A resolver for CompileOptions::resolve_file: loads an inline file reference (FROM
  // 'x.parquet') as a table named by its path, once, and returns its definition. Fails once
  // the engine is locked. The engine must outlive the returned function.
  std::function<Result<sql::TableDef>(std::string_view)> FileResolver();

  // The raw connection, for modules that register DuckDB table functions (the validating
  // Parquet reader). REQUIRES: not locked.
  duckdb_connection connection() const { return connection_; }

 private:
  Engine() = default;

  // Runs one internal statement and returns its materialized result; errors say `context`.
  Status RunInternal(const std::string& sql, std::string_view context, duckdb_result* out);
  // Reads the columns DuckDB reports for `relation_sql` (a table name or query).
  Result<std::vector<sql::Column>> DescribeRelation(const std::string& relation_sql);
  // The body of LoadTable once the reader expression is known. With `as_view`, a source that
  // needs no conversion and no hidden columns becomes a view over the reader (read by each
  // query) instead of a copy.
  Status LoadFromReader(const TableSource& source, const std::string& reader_sql,
                        bool as_view = false);
  // LoadFromReader for a CSV or JSON input over `paths` (a SQL list literal) through DuckDB's
  // reader (csv_inference.cc). A CSV input without a declared schema has the types DuckDB's
  // sniffer infers checked: a value that does not convert is an error naming its column and
  // line, and a text column of mostly numbers is refused naming its first non-number row.
  Status LoadFromTextReader(const TableSource& source, const std::string& paths);
  // The check on the text columns of an inferred CSV input, loaded as `source.name`; a refused
  // input is dropped.
  Status CheckInferredColumns(const TableSource& source);
  // LoadTableFromMemoryFill for Parquet with kImageViews: plaintext in anonymous memory,
  // validated into an image; LoadThroughMemoryFile: the bytes in a memory file DuckDB reads.
  Status LoadParquetImageFromMemory(const TableSource& source, uint64_t size,
                                    const std::function<Status(std::span<uint8_t>)>& fill,
                                    const std::function<Status()>& before_load);
  Status LoadThroughMemoryFile(const TableSource& source, uint64_t size,
                               const std::function<Status(std::span<uint8_t>)>& fill,
                               const std::function<Status()>& before_load);
  // Validates the Parquet file `reader` reads and writes its uncompressed image into a sealed
  // memory file that DuckDB may read after Lock() (formats/parquet_image.h); returns its path.
  // `fields`: the top-level fields the image holds (ascending indices; empty: all).
  Result<std::string> WriteParquetImage(const formats::ParquetReader& reader,
                                        const std::vector<int>& fields = {});
  // The deferred load (EngineOptions::validate_columns_read) of a Parquet input of `files`:
  // a view over schema-only images, the table registered in the catalog.
  Status DeferParquetInput(const TableSource& source, const std::vector<std::string>& files);
  // The same for files already open (`memory`: the bytes readers of memory read, held until
  // the input is imaged). With a declared schema, only an input whose columns have exactly the
  // declared types is deferred (FailedPrecondition otherwise: the caller loads it whole).
  Status DeferParquetReaders(const TableSource& source,
                             std::vector<std::unique_ptr<formats::ParquetReader>> readers,
                             std::shared_ptr<void> memory);
  // Images one deferred input: the columns `columns` names (lower case; null: every column).
  // `read`: whether any query reads the table at all.
  Status ImageDeferred(DeferredParquetInput& input, const std::set<std::string>* columns,
                       bool read);
  // Lets DuckDB read `path` after Lock() (allowed_paths), and only the paths given so far.
  Status AllowPath(const std::string& path);
  Status EnforceSchema(const TableSource& source, const std::string& staged_table);

  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
  EngineOptions options_;
  bool parquet_scan_registered_ = false;
  // Sealed memory files holding validated Parquet images (closed with the engine), and every
  // path DuckDB may read after Lock().
  std::vector<int> image_fds_;
  std::vector<std::shared_ptr<DeferredParquetInput>> deferred_;
  std::vector<std::string> allowed_paths_;
  bool locked_ = false;
  bool file_access_locked_ = false;
  sql::Catalog catalog_;
  int staging_counter_ = 0;
  // DuckDB's own text of the last internal statement that failed. Never reported: only a line
  // number and a column name checked against the schema are read from it (csv_inference.cc).
  std::string last_raw_error_;
};

}  // namespace cleanroom::engine
