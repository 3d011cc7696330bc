// Feeds arbitrary bytes to the Parquet reader: open (footer, schema), verify every row group,
// and read every row group. Any input must end in a value or a Status.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "formats/column_vector.h"
#include "formats/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cleanroom::formats::ParquetReader;
  auto reader =
      ParquetReader::OpenBuffer(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!reader.ok()) return 0;
  (void)(*reader)->Verify(1);
  cleanroom::formats::RecordBatch previous;  // its buffers are reused, as the scan does
  for (int g = 0; g < (*reader)->num_row_groups() && g < 64; ++g) {
    auto batch = (*reader)->ReadRowGroup(g, {}, std::move(previous));
    previous = cleanroom::formats::RecordBatch{};
    if (!batch.ok()) continue;
    // Render a few values so that assembled vectors are walked too.
    for (const auto& column : batch->columns) {
      for (size_t row = 0; row < column.length && row < 16; ++row)
        (void)cleanroom::formats::RenderValue(column, row);
    }
    previous = std::move(*batch);
  }
  return 0;
}
