#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "formats/parquet_encoding.h"
#include "formats/parquet_metadata.h"
#include "formats/parquet_schema.h"

namespace cleanroom::formats {

// What a column chunk read produces: one definition and repetition level per level entry
// (empty when the column's maximum is 0, and `def` of a flat column also empty when every
// value is defined) and the defined values, densely.
struct ColumnChunkData {
  size_t num_levels = 0;
  size_t num_rows = 0;
  std::vector<uint8_t> def;
  std::vector<uint8_t> rep;
  ValueBuffer values;
};

enum class ReadMode {
  kMaterialize,  // decode levels and values
  kVerify,       // decode and check everything, but do not gather dictionary values
};

// Where a chunk is, for error messages: "file F, row group G, column C".
struct ImageChunk;

struct ChunkLocation {
  std::string file;
  int row_group = 0;
  std::string column;
  std::string ToString() const;
};

// Reads and validates one column chunk of `file` (the whole file's bytes): page CRCs,
// decompressed sizes, level counts and ranges, dictionary indices, value counts against the
// metadata, the row count against `expected_rows`, and the chunk statistics against the
// values. Failures are DataLoss naming the location and the page; limits exceeded are
// ResourceExhausted. `*out` is replaced, but the capacity of its value buffers is reused.
// Thread-safe (no shared state). With `image` set, each page is also appended to it,
// uncompressed, once it has been validated (parquet_image.h).
Status ReadColumnChunk(ByteSpan file, const ColumnChunk& chunk, const LeafColumn& leaf,
                       int64_t expected_rows, ReadMode mode, const ChunkLocation& where,
                       ColumnChunkData* out, ImageChunk* image = nullptr);

}  // namespace cleanroom::formats
