#include "engine/parquet_output.h"

#include "engine/duckdb_error.h"
#include "engine/sql_quoting.h"
#include "engine/type_mapping.h"

namespace cleanroom::engine {
namespace {

// A private database for one Parquet file.
class Sidecar {
 public:
  ~Sidecar() {
    if (appender_ != nullptr) duckdb_appender_destroy(&appender_);
    if (connection_ != nullptr) duckdb_disconnect(&connection_);
    if (database_ != nullptr) duckdb_close(&database_);
  }

  Status Open() {
    duckdb_config config = nullptr;
    if (duckdb_create_config(&config) == DuckDBError) {
      return Status::Internal("cannot create a DuckDB configuration");
    }
    duckdb_set_config(config, "autoinstall_known_extensions", "false");
    duckdb_set_config(config, "autoload_known_extensions", "false");
    char* error = nullptr;
    duckdb_state state = duckdb_open_ext(nullptr, &database_, config, &error);
    duckdb_destroy_config(&config);
    duckdb_free(error);
    if (state == DuckDBError || duckdb_connect(database_, &connection_) == DuckDBError) {
      return Status::Internal("cannot open the DuckDB that writes Parquet");
    }
    return Status::OK();
  }

  Status Run(const std::string& sql, std::string_view context) {
    duckdb_result result;
    if (duckdb_query(connection_, sql.c_str(), &result) == DuckDBError) {
      Status status = DuckDbErrorStatus(duckdb_result_error_type(&result),
                                        duckdb_result_error(&result), context);
      duckdb_destroy_result(&result);
      return status;
    }
    duckdb_destroy_result(&result);
    return Status::OK();
  }

  Status StartAppending() {
    if (duckdb_appender_create(connection_, nullptr, "result", &appender_) == DuckDBError) {
      return Status::Internal("cannot create the Parquet appender");
    }
    return Status::OK();
  }

  Status Append(duckdb_data_chunk chunk) {
    if (duckdb_append_data_chunk(appender_, chunk) == DuckDBError) {
      return AppenderError();
    }
    return Status::OK();
  }

  Status FinishAppending() {
    if (duckdb_appender_close(appender_) == DuckDBError) return AppenderError();
    return Status::OK();
  }

 private:
  Status AppenderError() {
    const char* error = duckdb_appender_error(appender_);
    return Status::Internal("writing Parquet failed: " +
                            SanitizeDuckDbError(error != nullptr ? error : "unknown error"));
  }

  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
  duckdb_appender appender_ = nullptr;
};

}  // namespace

Status WriteParquet(QueryResult& result, const std::string& path, uint64_t* rows) {
  Sidecar sidecar;
  CR_RETURN_IF_ERROR(sidecar.Open());
  std::string create = "CREATE TABLE result (";
  for (size_t i = 0; i < result.columns().size(); ++i) {
    CR_ASSIGN_OR_RETURN(std::string type, DuckDbTypeName(result.duckdb_type(i)));
    if (i > 0) create += ", ";
    create += QuoteIdentifier(result.columns()[i].name) + " " + type;
  }
  if (result.columns().empty()) return Status::InvalidArgument("the result has no columns");
  CR_RETURN_IF_ERROR(sidecar.Run(create + ")", "cannot prepare the Parquet output"));
  CR_RETURN_IF_ERROR(sidecar.StartAppending());
  uint64_t count = 0;
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    count += result.chunk().size();
    CR_RETURN_IF_ERROR(sidecar.Append(result.chunk().raw()));
  }
  CR_RETURN_IF_ERROR(sidecar.FinishAppending());
  CR_RETURN_IF_ERROR(sidecar.Run("COPY result TO " + QuoteLiteral(path) +
                                     " (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)",
                                 "cannot write the Parquet output"));
  if (rows != nullptr) *rows = count;
  return Status::OK();
}

}  // namespace cleanroom::engine
