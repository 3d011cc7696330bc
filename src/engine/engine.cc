#include "engine/engine.h"

#include <unistd.h>

#include <cctype>

#include "engine/deferred_parquet.h"
#include "engine/duckdb_error.h"
#include "engine/sql_quoting.h"

namespace cleanroom::engine {
namespace {

// Owns a duckdb_prepared_statement.
class Prepared {
 public:
  Prepared() = default;
  ~Prepared() { duckdb_destroy_prepare(&statement_); }
  Prepared(const Prepared&) = delete;
  Prepared& operator=(const Prepared&) = delete;
  duckdb_prepared_statement* out() { return &statement_; }
  duckdb_prepared_statement get() const { return statement_; }

 private:
  duckdb_prepared_statement statement_ = nullptr;
};

bool StartsWithKeyword(std::string_view sql, std::string_view keyword) {
  size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  if (sql.size() - i < keyword.size()) return false;
  for (size_t k = 0; k < keyword.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(sql[i + k])) != keyword[k]) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  std::unique_ptr<Engine> engine(new Engine());
  engine->options_ = options;
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Status::Internal("cannot create a DuckDB configuration");
  }
  // Extensions are never installed or loaded behind our back; json and parquet are built in.
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  duckdb_set_config(config, "autoload_known_extensions", "false");
  if (options.threads > 0) {
    duckdb_set_config(config, "threads", std::to_string(options.threads).c_str());
  }
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(nullptr, &engine->database_, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error != nullptr ? error : "unknown error";
    duckdb_free(error);
    return Status::Internal("cannot open DuckDB: " + SanitizeDuckDbError(message));
  }
  if (duckdb_connect(engine->database_, &engine->connection_) == DuckDBError) {
    return Status::Internal("cannot connect to DuckDB");
  }
  // A TIMESTAMP (an instant, TIMESTAMPTZ here) is read and written with its wall time in UTC,
  // the clean room's session time zone, whatever the host's zone (DuckDB's default). The
  // setting belongs to the ICU extension, so it is set once connected.
  CR_RETURN_IF_ERROR(
      engine->RunInternal("SET TimeZone = 'UTC'", "cannot set the engine's time zone", nullptr));
  return engine;
}

Engine::~Engine() {
  if (connection_ != nullptr) duckdb_disconnect(&connection_);
  if (database_ != nullptr) duckdb_close(&database_);
  // The last reference to a memory file frees its pages (the kernel zero-fills them before
  // any reuse).
  for (int fd : image_fds_) ::close(fd);
}

Status Engine::RunInternal(const std::string& sql, std::string_view context, duckdb_result* out) {
  duckdb_result result;
  if (duckdb_query(connection_, sql.c_str(), &result) == DuckDBError) {
    const char* raw = duckdb_result_error(&result);
    last_raw_error_ = raw != nullptr ? raw : "";
    Status status =
        DuckDbErrorStatus(duckdb_result_error_type(&result), duckdb_result_error(&result), context);
    duckdb_destroy_result(&result);
    return status;
  }
  if (out != nullptr) {
    *out = result;
  } else {
    duckdb_destroy_result(&result);
  }
  return Status::OK();
}

Status Engine::Execute(std::string_view sql) {
  return RunInternal(std::string(sql), "statement failed", nullptr);
}

Status Engine::LockFileAccess() {
  if (file_access_locked_) return Status::OK();
  // An input whose validation waited for a query that never said what it reads: all of it.
  for (const std::shared_ptr<DeferredParquetInput>& input : deferred_) {
    if (input->imaged) continue;
    CR_RETURN_IF_ERROR(
        ImageDeferred(*input, nullptr, /*read=*/true).WithContext("table " + input->source.name));
  }
  CR_RETURN_IF_ERROR(
      RunInternal("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false; "
                  "SET enable_external_access=false",
                  "cannot lock the engine", nullptr));
  file_access_locked_ = true;
  return Status::OK();
}

Status Engine::Lock() {
  if (locked_) return Status::OK();
  CR_RETURN_IF_ERROR(LockFileAccess());
  CR_RETURN_IF_ERROR(RunInternal("SET lock_configuration=true", "cannot lock the engine", nullptr));
  locked_ = true;
  return Status::OK();
}

Result<std::unique_ptr<QueryResult>> Engine::QueryRaw(std::string_view sql) {
  Prepared prepared;
  std::string text(sql);
  if (duckdb_prepare(connection_, text.c_str(), prepared.out()) == DuckDBError) {
    const char* error = duckdb_prepare_error(prepared.get());
    return DuckDbErrorStatus(-1, error != nullptr ? error : "unknown error", "query failed");
  }
  duckdb_result result;
  if (duckdb_execute_prepared_streaming(prepared.get(), &result) == DuckDBError) {
    Status status = DuckDbErrorStatus(duckdb_result_error_type(&result),
                                      duckdb_result_error(&result), "query failed");
    duckdb_destroy_result(&result);
    return status;
  }
  return QueryResult::Wrap(result);
}

Result<std::unique_ptr<QueryResult>> Engine::Query(std::string_view duckdb_sql) {
  if (!file_access_locked_) {
    return Status::FailedPrecondition("the engine must be locked before a generated query runs");
  }
  return QueryRaw(duckdb_sql);
}

Result<std::unique_ptr<QueryResult>> Engine::RunCompiled(
    const std::vector<sql::CompiledStatement>& statements) {
  if (!file_access_locked_) {
    return Status::FailedPrecondition("the engine must be locked before a generated query runs");
  }
  std::unique_ptr<QueryResult> last;
  for (const sql::CompiledStatement& statement : statements) {
    last.reset();
    if (statement.kind == sql::CompiledStatement::Kind::kCreateView) {
      std::string sql = StartsWithKeyword(statement.duckdb_sql, "CREATE")
                            ? statement.duckdb_sql
                            : "CREATE OR REPLACE TEMP VIEW " +
                                  QuoteIdentifier(statement.view_name) + " AS " +
                                  statement.duckdb_sql;
      CR_RETURN_IF_ERROR(RunInternal(sql, "view " + statement.view_name + " failed", nullptr));
      continue;
    }
    CR_ASSIGN_OR_RETURN(last, Query(statement.duckdb_sql));
  }
  return last;
}

Result<std::vector<sql::Column>> Engine::DescribeRelation(const std::string& relation_sql) {
  Prepared prepared;
  std::string sql = "SELECT * FROM " + relation_sql;
  if (duckdb_prepare(connection_, sql.c_str(), prepared.out()) == DuckDBError) {
    const char* error = duckdb_prepare_error(prepared.get());
    return DuckDbErrorStatus(-1, error != nullptr ? error : "unknown error",
                             "cannot read the columns");
  }
  std::vector<sql::Column> columns;
  idx_t count = duckdb_prepared_statement_column_count(prepared.get());
  for (idx_t i = 0; i < count; ++i) {
    LogicalType type(duckdb_prepared_statement_column_logical_type(prepared.get(), i));
    // The C API allocates the name; the caller frees it.
    const char* raw = duckdb_prepared_statement_column_name(prepared.get(), i);
    std::string name = raw != nullptr ? raw : "";
    if (raw != nullptr) duckdb_free(const_cast<char*>(raw));
    auto mapped = ToSqlType(type.get());
    if (!mapped.ok()) return mapped.status().WithContext("column " + name);
    columns.push_back(sql::Column{std::move(name), std::move(mapped).value()});
  }
  return columns;
}

Status Engine::RefreshCatalog() {
  duckdb_result result;
  CR_RETURN_IF_ERROR(
      RunInternal("SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal "
                  "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal",
                  "cannot list tables", &result));
  std::vector<std::pair<std::string, std::string>> names;
  idx_t rows = duckdb_row_count(&result);
  for (idx_t r = 0; r < rows; ++r) {
    char* schema = duckdb_value_varchar(&result, 0, r);
    char* table = duckdb_value_varchar(&result, 1, r);
    names.emplace_back(schema != nullptr ? schema : "", table != nullptr ? table : "");
    duckdb_free(schema);
    duckdb_free(table);
  }
  duckdb_destroy_result(&result);
  sql::Catalog fresh;
  for (const auto& [schema, table] : names) {
    CR_ASSIGN_OR_RETURN(std::vector<sql::Column> columns,
                        DescribeRelation(QuoteIdentifier(schema) + "." + QuoteIdentifier(table)));
    fresh.PutTable(sql::TableDef{table, std::move(columns), false});
  }
  catalog_ = std::move(fresh);
  return Status::OK();
}

}  // namespace cleanroom::engine
