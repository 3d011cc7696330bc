#include "formats/tests/duckdb_session.h"

namespace cleanroom::formats::testing {

DuckDbSession::DuckDbSession() {
  duckdb_open(nullptr, &db_);
  duckdb_connect(db_, &con_);
}

DuckDbSession::~DuckDbSession() {
  duckdb_disconnect(&con_);
  duckdb_close(&db_);
}

bool DuckDbSession::Run(const std::string& sql, Table* rows, std::string* error) {
  duckdb_result result;
  if (duckdb_query(con_, sql.c_str(), &result) == DuckDBError) {
    if (error != nullptr) error->assign(duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return false;
  }
  if (rows != nullptr) {
    rows->clear();
    idx_t n = duckdb_row_count(&result), cols = duckdb_column_count(&result);
    for (idx_t r = 0; r < n; ++r) {
      std::vector<std::string> row;
      for (idx_t c = 0; c < cols; ++c) {
        char* v = duckdb_value_varchar(&result, c, r);
        row.push_back(v != nullptr ? v : "NULL");
        if (v != nullptr) duckdb_free(v);
      }
      rows->push_back(std::move(row));
    }
  }
  duckdb_destroy_result(&result);
  return true;
}

}  // namespace cleanroom::formats::testing
