#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/status.h"
#include "formats/column_vector.h"
#include "formats/parquet_metadata.h"
#include "formats/parquet_shredding.h"

namespace cleanroom::formats {

// The Parquet layout of one primitive SQL type (writer internal).
struct PhysicalLayout {
  PhysicalType type;
  int32_t type_length = 0;
  ConvertedType converted = ConvertedType::kNone;
  LogicalType logical;
};

struct ParquetWriterOptions {
  Codec codec = Codec::kZstd;        // ZSTD or SNAPPY (any codec Compress supports)
  int64_t row_group_rows = 1 << 20;  // rows per row group
  int64_t page_rows = 1 << 14;       // rows per data page
  bool dictionary = true;            // dictionary-encode a column where it pays
  // Fixed-width columns that are not dictionary-encoded use BYTE_STREAM_SPLIT instead of PLAIN.
  bool byte_stream_split = false;
};

// Writes tables of BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, STRING,
// BINARY, DATE, TIMESTAMP, TIMESTAMP_NTZ and ARRAY, MAP and STRUCT of them, nested to any depth
// (every field and value OPTIONAL but map keys; see ShreddingPlan for the layout) as Parquet
// that DuckDB and ParquetReader read back identically: data pages v1 with CRCs, RLE repetition
// and definition levels, pages starting at a row, RLE_DICTIONARY where the dictionary is at
// most half the values, else PLAIN; chunk statistics (min, max, null count). The file appears
// at `path` only on Close() (written through AtomicFileWriter). Not thread-safe.
class ParquetWriter {
 public:
  static Result<std::unique_ptr<ParquetWriter>> Open(const std::string& path,
                                                     std::vector<Field> fields,
                                                     ParquetWriterOptions options = {});
  // Appends the batch's rows (its columns in the order of `fields`), as one or more row groups.
  Status Write(const RecordBatch& batch);
  // Writes the footer and moves the file into place.
  Status Close();

 private:
  ParquetWriter() = default;
  Status WriteRowGroup(const RecordBatch& batch, size_t begin, size_t end);
  Status WriteColumn(const ShreddedLeaf& leaf, const PhysicalLayout& layout, ColumnChunk* chunk);
  Status Emit(ByteSpan bytes);

  std::vector<Field> fields_;
  ParquetWriterOptions options_;
  AtomicFileWriter file_;
  int64_t offset_ = 0;
  FileMetaData meta_;
  ShreddingPlan plan_;
  std::vector<PhysicalLayout> layouts_;  // per leaf column
};

}  // namespace cleanroom::formats
