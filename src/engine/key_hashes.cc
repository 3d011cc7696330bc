#include "engine/key_hashes.h"

#include <cstring>
#include <string>

#include "base/bytes.h"

namespace cleanroom::engine {
namespace {

// FNV-1a, then a final mix so short keys spread over all 64 bits; 0 is kept for NULL.
uint64_t Hash(const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}

size_t FixedWidth(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_UTINYINT:
      return 1;
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_USMALLINT:
      return 2;
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_DATE:
      return 4;
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_TIMESTAMP:
      return 8;
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UUID:
      return 16;
    default:
      return 0;
  }
}

}  // namespace

void HashKeys(const Chunk& chunk, idx_t column, duckdb_logical_type type, uint64_t* out) {
  duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.raw(), column);
  void* data = duckdb_vector_get_data(vector);
  uint64_t* validity = duckdb_vector_get_validity(vector);
  const idx_t rows = chunk.size();
  const duckdb_type id = duckdb_get_type_id(type);
  auto valid = [validity](idx_t r) {
    return validity == nullptr || duckdb_validity_row_is_valid(validity, r);
  };
  if (id == DUCKDB_TYPE_VARCHAR || id == DUCKDB_TYPE_BLOB) {
    auto* strings = static_cast<duckdb_string_t*>(data);
    for (idx_t r = 0; r < rows; ++r) {
      out[r] = valid(r)
                   ? Hash(duckdb_string_t_data(&strings[r]), duckdb_string_t_length(strings[r]))
                   : 0;
    }
    return;
  }
  if (const size_t width = FixedWidth(id); width > 0) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (idx_t r = 0; r < rows; ++r) out[r] = valid(r) ? Hash(bytes + r * width, width) : 0;
    return;
  }
  std::string text;
  for (idx_t r = 0; r < rows; ++r) {
    if (chunk.IsNull(column, r)) {
      out[r] = 0;
      continue;
    }
    text.clear();
    chunk.AppendCell(column, r, CellStyle::kText, text);
    out[r] = Hash(text.data(), text.size());
  }
  SecureWipe(text.data(), text.size());
}

}  // namespace cleanroom::engine
