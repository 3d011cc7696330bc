// Feeds arbitrary bytes to the Parquet reader: open (footer, schema), verify every row group,
// write the validated image (parquet_image.h), whole and of its first field, uncompressed and in
// place, and read every row group. Any input must end in a value or a Status; an image is written
// exactly when verification of what it holds passes, and it verifies.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "formats/column_vector.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cleanroom::formats::ParquetReader;
  auto reader =
      ParquetReader::OpenBuffer(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!reader.ok()) return 0;
  // An image is written exactly when verification of what it holds passes, and it verifies:
  // of the whole file, and of the first field alone (what a query reading one column validates).
  auto check_image = [&](const std::vector<int>& fields, bool verified) {
    auto plan = cleanroom::formats::PlanUncompressedImage(**reader, 0, fields);
    if (!plan.ok() || plan->size() > (size_t{64} << 20)) return;
    cleanroom::Bytes image(plan->size());
    bool filled = cleanroom::formats::FillUncompressedImage(**reader, *plan, 1, image).ok();
    if (filled != verified) __builtin_trap();
    if (!filled) return;
    auto again = ParquetReader::OpenBuffer(
        std::string(reinterpret_cast<const char*>(image.data()), image.size()), "image");
    if (!again.ok() || !(*again)->Verify(1).ok()) __builtin_trap();
    if (!fields.empty() && (*again)->fields().size() != fields.size()) __builtin_trap();
  };
  // An in-place image (the held fields' pages as stored, under a rewritten footer) is validated
  // as a file of its own once sealed: it must verify exactly when the original's held fields do.
  // With an uncompressed ratio, some leaves are validated as they are written instead and only
  // the rest once sealed: the image exists exactly when both pass, and then verifies whole.
  auto check_in_place = [&](const std::vector<int>& fields, bool verified, double ratio) {
    auto plan = cleanroom::formats::PlanInPlaceImage(**reader, fields, ratio);
    if (!plan.ok() || plan->size() > (size_t{64} << 20)) return;
    std::string image(plan->size(), '\0');
    bool written = cleanroom::formats::WriteInPlaceImage(
                       **reader, *plan,
                       [&](uint64_t offset, cleanroom::ByteSpan bytes) {
                         if (offset > image.size() || bytes.size() > image.size() - offset) {
                           __builtin_trap();
                         }
                         std::copy(bytes.begin(), bytes.end(), image.begin() + offset);
                         return cleanroom::Status::OK();
                       })
                       .ok();
    if (ratio == 0 && !written) __builtin_trap();  // nothing is validated while writing
    if (!written) {
      if (verified) __builtin_trap();
      return;
    }
    auto opened = ParquetReader::OpenBuffer(std::move(image), "in place");
    if (!opened.ok()) __builtin_trap();
    const std::vector<bool> in_place = plan->ImageLeavesInPlace();
    if ((*opened)->Verify(1, &in_place).ok() != verified) __builtin_trap();
    if (verified && !(*opened)->Verify(1).ok()) __builtin_trap();
  };
  const bool whole = (*reader)->Verify(1).ok();
  check_image({}, whole);
  for (double ratio : {0.0, 1.5, 1e9}) check_in_place({}, whole, ratio);
  if ((*reader)->fields().size() > 1) {
    std::vector<bool> leaves((*reader)->schema().leaves().size(), false);
    for (int leaf : (*reader)->schema().FieldLeaves(0)) leaves[static_cast<size_t>(leaf)] = true;
    const bool first = (*reader)->Verify(1, &leaves).ok();
    check_image({0}, first);
    for (double ratio : {0.0, 1.5, 1e9}) check_in_place({0}, first, ratio);
  }
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
