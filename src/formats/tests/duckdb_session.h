#pragma once

#include <string>
#include <vector>

#include "duckdb.h"
#include "formats/tests/parquet_test_util.h"

namespace cleanroom::formats::testing {

// An in-memory DuckDB for tests: runs SQL and returns rows rendered as DuckDB's VARCHAR.
class DuckDbSession {
 public:
  DuckDbSession();
  ~DuckDbSession();
  // Runs `sql`; *error receives DuckDB's message on failure.
  bool Run(const std::string& sql, Table* rows, std::string* error);
  duckdb_connection connection() const { return con_; }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
};

}  // namespace cleanroom::formats::testing
