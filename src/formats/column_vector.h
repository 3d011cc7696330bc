#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "sql/types.h"

namespace cleanroom::formats {

// One column of a batch, in a simple columnar layout of our own:
// - `validity[i]` is 1 when row i is not NULL (an empty validity means no NULLs);
// - fixed-width types keep their values back to back in `data`: BOOLEAN and TINYINT 1 byte,
//   SMALLINT 2, INT / DATE (days since 1970) / FLOAT 4, BIGINT / DOUBLE / TIMESTAMP
//   (microseconds since 1970 UTC) 8, DECIMAL 8 bytes (int64) up to precision 18 and 16 bytes
//   (int128, little-endian) above; a NULL row holds zeros;
// - STRING / BINARY: `offsets` (length + 1 entries) into `data`;
// - ARRAY: `offsets` (length + 1) into children[0]; MAP: `offsets` into children[0] (keys)
//   and children[1] (values); STRUCT: one child per field, each of `length` rows.
struct ColumnVector {
  sql::DataType type;
  size_t length = 0;
  std::vector<uint8_t> validity;
  Bytes data;
  std::vector<int64_t> offsets;
  std::vector<ColumnVector> children;

  bool IsNull(size_t i) const { return !validity.empty() && validity[i] == 0; }
  template <typename T>
  T Value(size_t i) const {
    T v;
    std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
    return v;
  }
  std::string_view String(size_t i) const {
    return std::string_view(reinterpret_cast<const char*>(data.data()) + offsets[i],
                            static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
};

// Bytes per value of a fixed-width type in a ColumnVector (0 for variable or nested types).
size_t FixedWidthOf(const sql::DataType& type);

// A named, typed top-level column of a file.
struct Field {
  std::string name;
  sql::DataType type;
};

// The rows of one row group (or part of one): one vector per projected column.
struct RecordBatch {
  size_t num_rows = 0;
  std::vector<Field> fields;
  std::vector<ColumnVector> columns;
};

// Renders one value the way DuckDB prints it (decimals with their scale, timestamps as
// "YYYY-MM-DD HH:MM:SS[.ffffff]", lists "[a, b]", structs "{'a': 1}", maps "{k=v}", NULL as
// "NULL"). For tests and debugging: never put its output in an error message.
std::string RenderValue(const ColumnVector& column, size_t row);

}  // namespace cleanroom::formats
