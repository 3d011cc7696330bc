#include "engine/query_result.h"

#include "engine/duckdb_error.h"

namespace cleanroom::engine {

Chunk::Chunk(duckdb_data_chunk chunk, const std::vector<std::unique_ptr<LogicalType>>* types)
    : chunk_(chunk), types_(types), size_(duckdb_data_chunk_get_size(chunk)) {
  idx_t count = duckdb_data_chunk_get_column_count(chunk);
  vectors_.reserve(count);
  for (idx_t i = 0; i < count; ++i) vectors_.push_back(duckdb_data_chunk_get_vector(chunk, i));
}

Chunk::~Chunk() { duckdb_destroy_data_chunk(&chunk_); }

void Chunk::AppendCell(idx_t column, idx_t row, CellStyle style, std::string& out) const {
  engine::AppendCell(vectors_[column], (*types_)[column]->get(), row, style, out);
}

Result<std::unique_ptr<QueryResult>> QueryResult::Wrap(duckdb_result result) {
  std::unique_ptr<QueryResult> wrapped(new QueryResult(result));
  idx_t count = duckdb_column_count(&wrapped->result_);
  for (idx_t i = 0; i < count; ++i) {
    wrapped->types_.push_back(
        std::make_unique<LogicalType>(duckdb_column_logical_type(&wrapped->result_, i)));
    CR_ASSIGN_OR_RETURN(sql::DataType type, ToSqlType(wrapped->types_.back()->get()));
    const char* name = duckdb_column_name(&wrapped->result_, i);
    wrapped->columns_.push_back(ResultColumn{name != nullptr ? name : "", std::move(type)});
  }
  return wrapped;
}

QueryResult::~QueryResult() {
  current_.reset();
  duckdb_destroy_result(&result_);
}

Result<bool> QueryResult::Next() {
  current_.reset();
  while (true) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result_);
    if (chunk == nullptr) {
      const char* error = duckdb_result_error(&result_);
      if (error != nullptr) {
        return DuckDbErrorStatus(duckdb_result_error_type(&result_), error, "query failed");
      }
      return false;
    }
    if (duckdb_data_chunk_get_size(chunk) > 0) {
      current_ = std::make_unique<Chunk>(chunk, &types_);
      return true;
    }
    duckdb_destroy_data_chunk(&chunk);
  }
}

}  // namespace cleanroom::engine
