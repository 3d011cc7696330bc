#include "engine/numeric_cells.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace cleanroom::engine {
namespace {

template <typename T>
double ToDouble(T value) {
  return static_cast<double>(value);
}

// Exact in 128 bits first: upper * 2^64 + lower in doubles cancels small negative values.
double ToDouble(duckdb_hugeint value) {
  const __int128 exact =
      static_cast<__int128>(static_cast<unsigned __int128>(value.upper) << 64 | value.lower);
  return static_cast<double>(exact);
}

template <typename T>
void Put(const void* data, const uint64_t* validity, idx_t rows, double scale, float* out,
         size_t stride) {
  const T* values = static_cast<const T*>(data);
  for (idx_t r = 0; r < rows; ++r) {
    const bool valid =
        validity == nullptr || duckdb_validity_row_is_valid(const_cast<uint64_t*>(validity), r);
    out[r * stride] = valid ? static_cast<float>(ToDouble(values[r]) / scale) : std::nanf("");
  }
}

}  // namespace

Status ReadFloats(const Chunk& chunk, idx_t column, duckdb_logical_type type, float* out,
                  size_t stride) {
  duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.raw(), column);
  const void* data = duckdb_vector_get_data(vector);
  const uint64_t* validity = duckdb_vector_get_validity(vector);
  const idx_t rows = chunk.size();
  duckdb_type id = duckdb_get_type_id(type);
  double scale = 1;
  if (id == DUCKDB_TYPE_DECIMAL) {
    // A decimal is an integer of its internal type, scaled.
    scale = std::pow(10.0, duckdb_decimal_scale(type));
    id = duckdb_decimal_internal_type(type);
  }
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      Put<bool>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_TINYINT:
      Put<int8_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_SMALLINT:
      Put<int16_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_INTEGER:
      Put<int32_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_BIGINT:
      Put<int64_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_UTINYINT:
      Put<uint8_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_USMALLINT:
      Put<uint16_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_UINTEGER:
      Put<uint32_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_UBIGINT:
      Put<uint64_t>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_FLOAT:
      Put<float>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_DOUBLE:
      Put<double>(data, validity, rows, scale, out, stride);
      return Status::OK();
    case DUCKDB_TYPE_HUGEINT:
      Put<duckdb_hugeint>(data, validity, rows, scale, out, stride);
      return Status::OK();
    default:
      break;
  }
  return Status::InvalidArgument("result column " + std::to_string(column) + " is not numeric");
}

}  // namespace cleanroom::engine
