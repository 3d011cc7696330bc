#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/type_mapping.h"
#include "engine/value_format.h"
#include "sql/types.h"

namespace cleanroom::engine {

// One result column: DuckDB's name and the clean room's type.
struct ResultColumn {
  std::string name;
  sql::DataType type;
};

// A block of rows of a streamed result (up to DuckDB's vector size, 2048). Valid until the
// next QueryResult::Next() call.
class Chunk {
 public:
  Chunk(duckdb_data_chunk chunk, const std::vector<std::unique_ptr<LogicalType>>* types);
  ~Chunk();
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  idx_t size() const { return size_; }
  idx_t column_count() const { return vectors_.size(); }
  bool IsNull(idx_t column, idx_t row) const { return CellIsNull(vectors_[column], row); }
  // Appends the cell's spelling (see CellStyle); a NULL appends nothing in kText.
  void AppendCell(idx_t column, idx_t row, CellStyle style, std::string& out) const;
  duckdb_data_chunk raw() const { return chunk_; }

 private:
  duckdb_data_chunk chunk_;
  const std::vector<std::unique_ptr<LogicalType>>* types_;
  std::vector<duckdb_vector> vectors_;
  idx_t size_;
};

// The result of one query, streamed chunk by chunk: nothing is materialised beyond the chunk
// being read. Not thread-safe. The engine it came from must not run another statement until
// this object is destroyed.
class QueryResult {
 public:
  // Takes ownership of `result` (from a successful streaming execution).
  static Result<std::unique_ptr<QueryResult>> Wrap(duckdb_result result);
  ~QueryResult();
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;

  const std::vector<ResultColumn>& columns() const { return columns_; }
  // DuckDB's own type of column `i` (owned by this object).
  duckdb_logical_type duckdb_type(size_t i) const { return types_[i]->get(); }

  // Advances to the next chunk: true when there is one (see chunk()), false at the end.
  // An execution error is returned sanitized.
  Result<bool> Next();
  // REQUIRES: the last Next() returned true.
  const Chunk& chunk() const { return *current_; }

 private:
  explicit QueryResult(duckdb_result result) : result_(result) {}

  duckdb_result result_;
  std::vector<ResultColumn> columns_;
  std::vector<std::unique_ptr<LogicalType>> types_;
  std::unique_ptr<Chunk> current_;
};

}  // namespace cleanroom::engine
