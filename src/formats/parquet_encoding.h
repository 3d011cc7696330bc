#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "formats/parquet_metadata.h"

namespace cleanroom::formats {

// Decoded leaf values of one physical type, in the physical representation: fixed-width values
// back to back in `fixed` (BOOLEAN one byte each, INT96 12 bytes, FIXED_LEN_BYTE_ARRAY its type
// length), BYTE_ARRAY values as `offsets` (size()+1 entries) into `heap`.
struct ValueBuffer {
  size_t width = 0;  // bytes per fixed-width value; 0 for BYTE_ARRAY
  size_t count = 0;
  Bytes fixed;
  std::vector<uint64_t> offsets{0};
  Bytes heap;

  bool is_binary() const { return width == 0; }
  ByteSpan Binary(size_t i) const {
    return ByteSpan(heap.data() + offsets[i], offsets[i + 1] - offsets[i]);
  }
  void AppendBinary(ByteSpan value) {
    heap.insert(heap.end(), value.begin(), value.end());
    offsets.push_back(heap.size());
    ++count;
  }
  // Drops the values, keeping the width.
  void Clear() {
    count = 0;
    fixed.clear();
    offsets.assign(1, 0);
    heap.clear();
  }
  // Appends value `index` of `from` (same physical type).
  void AppendFrom(const ValueBuffer& from, size_t index);
};

// Width in bytes of a fixed-width physical type (0 for BYTE_ARRAY).
size_t PhysicalWidth(PhysicalType type, int32_t type_length);

// Decoders. Each appends exactly `n` values to `out` or returns DataLoss saying what is short
// or malformed; `data` is the whole encoded value section of a page.
Status DecodePlain(PhysicalType type, ByteSpan data, size_t n, ValueBuffer* out);
Status DecodeRleBoolean(ByteSpan data, size_t n, ValueBuffer* out);
Status DecodeDeltaBinaryPacked(PhysicalType type, ByteSpan data, size_t n, ValueBuffer* out);
Status DecodeDeltaLengthByteArray(ByteSpan data, size_t n, ValueBuffer* out);
Status DecodeDeltaByteArray(PhysicalType type, ByteSpan data, size_t n, ValueBuffer* out);
Status DecodeByteStreamSplit(ByteSpan data, size_t n, ValueBuffer* out);

// The RLE / bit-packing hybrid with a known bit width (0..32); decodes exactly `n` values.
Status DecodeRleHybrid(ByteSpan data, int bit_width, size_t n, uint32_t* out);
// Checks `n` hybrid-encoded values against `max_value` without storing them and counts those
// equal to `target` (the verify path's definition levels). DataLoss like DecodeRleHybrid, or
// when a value exceeds max_value.
Status CountRleHybrid(ByteSpan data, int bit_width, size_t n, uint32_t max_value, uint32_t target,
                      size_t* count);
// The deprecated BIT_PACKED level encoding (most significant bit first).
Status DecodeBitPackedLevels(ByteSpan data, int bit_width, size_t n, uint32_t* out);
// Dictionary indices: a bit-width byte, then the hybrid.
Status DecodeDictionaryIndices(ByteSpan data, size_t n, std::vector<uint32_t>* out);

// DELTA_BINARY_PACKED values as 64-bit integers; *consumed receives the bytes used. At most
// `max_values` values are accepted (the header's count is checked against it).
Status DecodeDeltaInts(ByteSpan data, size_t max_values, std::vector<int64_t>* out,
                       size_t* consumed);

// Encoders for the writer.
void EncodeRleHybrid(const uint32_t* values, size_t n, int bit_width, Bytes* out);
int BitWidth(uint64_t max_value);

}  // namespace cleanroom::formats
