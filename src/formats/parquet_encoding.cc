#include "formats/parquet_encoding.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

namespace cleanroom::formats {
namespace {

Status Short(const char* what) {
  return Status::DataLoss(std::string(what) + " data is truncated");
}

// Reads `bits` (<= 64) bits starting at bit `bit` of `data`, least significant bit first.
// REQUIRES: bit + bits <= data.size() * 8.
inline uint64_t ReadBitsLsb(const uint8_t* data, size_t size, uint64_t bit, int bits) {
  if (bits == 0) return 0;
  size_t byte = bit >> 3;
  int shift = static_cast<int>(bit & 7);
  uint64_t lo = 0;
  size_t avail = size - byte;
  if (avail >= 8) {
    std::memcpy(&lo, data + byte, 8);  // little-endian host (checked in CMake)
  } else {
    for (size_t i = 0; i < avail; ++i) lo |= static_cast<uint64_t>(data[byte + i]) << (8 * i);
  }
  uint64_t v = lo >> shift;
  if (shift + bits > 64) {
    uint64_t hi = byte + 8 < size ? data[byte + 8] : 0;
    v |= hi << (64 - shift);
  }
  return bits == 64 ? v : v & ((uint64_t{1} << bits) - 1);
}

// Unpacks `take` values of `bit_width` bits (least significant bit first) from `base`, which
// holds `avail` bytes, calling sink(i, value). When 8 bytes past the last value's start are
// readable every value is one unaligned 64-bit load and a shift (the hot loop of levels and
// dictionary indices); near the end of the buffer the careful reader is used.
template <typename Sink>
inline void UnpackBits(const uint8_t* base, size_t avail, size_t take, int bit_width, Sink sink) {
  if (bit_width == 0) {
    for (size_t i = 0; i < take; ++i) sink(i, 0u);
    return;
  }
  const uint64_t mask = (uint64_t{1} << bit_width) - 1;  // bit_width <= 32
  size_t fast = 0;
  if (avail >= 8) {
    // Value i may use the fast load when its byte offset + 8 <= avail.
    uint64_t last_byte = avail - 8;
    fast = std::min<uint64_t>(take, last_byte * 8 / static_cast<uint64_t>(bit_width) + 1);
    while (fast > 0 && (uint64_t{fast - 1} * bit_width >> 3) > last_byte) --fast;
  }
  for (size_t i = 0; i < fast; ++i) {
    uint64_t bit = uint64_t{i} * bit_width;
    uint64_t word;
    std::memcpy(&word, base + (bit >> 3), 8);  // little-endian host (checked in CMake)
    sink(i, static_cast<uint32_t>((word >> (bit & 7)) & mask));
  }
  for (size_t i = fast; i < take; ++i) {
    sink(i, static_cast<uint32_t>(ReadBitsLsb(base, avail, uint64_t{i} * bit_width, bit_width)));
  }
}

Status ReadUleb(ByteSpan data, size_t* pos, uint64_t* out) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return Short("varint");
    uint8_t byte = data[(*pos)++];
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = result;
      return Status::OK();
    }
  }
  return Status::DataLoss("varint longer than 64 bits");
}

}  // namespace

void ValueBuffer::AppendFrom(const ValueBuffer& from, size_t index) {
  if (is_binary()) {
    AppendBinary(from.Binary(index));
  } else {
    const uint8_t* p = from.fixed.data() + index * width;
    fixed.insert(fixed.end(), p, p + width);
    ++count;
  }
}

size_t PhysicalWidth(PhysicalType type, int32_t type_length) {
  switch (type) {
    case PhysicalType::kBoolean:
      return 1;
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kByteArray:
      return 0;
    case PhysicalType::kFixedLenByteArray:
      return static_cast<size_t>(type_length);
  }
  return 0;
}

Status DecodePlain(PhysicalType type, ByteSpan data, size_t n, ValueBuffer* out) {
  if (type == PhysicalType::kBoolean) {
    if ((n + 7) / 8 > data.size()) return Short("PLAIN BOOLEAN");
    size_t base = out->fixed.size();
    out->fixed.resize(base + n);
    for (size_t i = 0; i < n; ++i) out->fixed[base + i] = (data[i >> 3] >> (i & 7)) & 1;
    out->count += n;
    return Status::OK();
  }
  if (type == PhysicalType::kByteArray) {
    size_t pos = 0;
    for (size_t i = 0; i < n; ++i) {
      if (data.size() - pos < 4) return Short("PLAIN BYTE_ARRAY");
      uint32_t length = GetU32LE(data.data() + pos);
      pos += 4;
      if (length > data.size() - pos) return Short("PLAIN BYTE_ARRAY");
      out->AppendBinary(data.subspan(pos, length));
      pos += length;
    }
    return Status::OK();
  }
  size_t width = out->width;
  if (width == 0) return Status::DataLoss("fixed-length column with zero length");
  if (n > data.size() / width) return Short("PLAIN");
  out->fixed.insert(out->fixed.end(), data.begin(), data.begin() + n * width);
  out->count += n;
  return Status::OK();
}

Status DecodeRleHybrid(ByteSpan data, int bit_width, size_t n, uint32_t* out) {
  if (bit_width < 0 || bit_width > 32) return Status::DataLoss("RLE bit width above 32");
  size_t pos = 0, produced = 0;
  const size_t value_bytes = (bit_width + 7) / 8;
  while (produced < n) {
    uint64_t header = 0;
    CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &header));
    if (header & 1) {
      uint64_t groups = header >> 1;
      if (groups == 0) return Status::DataLoss("RLE bit-packed run of length zero");
      if (groups > (uint64_t{1} << 40)) return Status::DataLoss("RLE bit-packed run too long");
      uint64_t count = groups * 8;
      uint64_t bytes = groups * bit_width;
      size_t take = static_cast<size_t>(std::min<uint64_t>(count, n - produced));
      size_t avail = data.size() - pos;
      // The last run may be cut short after the bytes its wanted values need.
      if (static_cast<uint64_t>(take) * bit_width > avail * 8) return Short("RLE bit-packed");
      const uint8_t* base = data.data() + pos;
      uint32_t* dst = out + produced;
      UnpackBits(base, avail, take, bit_width, [dst](size_t i, uint32_t v) { dst[i] = v; });
      produced += take;
      pos += static_cast<size_t>(std::min<uint64_t>(bytes, avail));
    } else {
      uint64_t count = header >> 1;
      if (count == 0) return Status::DataLoss("RLE run of length zero");
      if (data.size() - pos < value_bytes) return Short("RLE");
      uint32_t value = 0;
      for (size_t i = 0; i < value_bytes; ++i)
        value |= static_cast<uint32_t>(data[pos + i]) << (8 * i);
      pos += value_bytes;
      if (bit_width < 32 && (value >> bit_width) != 0) {
        return Status::DataLoss("RLE run value wider than the bit width");
      }
      size_t take = static_cast<size_t>(std::min<uint64_t>(count, n - produced));
      std::fill(out + produced, out + produced + take, value);
      produced += take;
    }
  }
  return Status::OK();
}

Status CountRleHybrid(ByteSpan data, int bit_width, size_t n, uint32_t max_value, uint32_t target,
                      size_t* count) {
  if (bit_width < 0 || bit_width > 32) return Status::DataLoss("RLE bit width above 32");
  size_t pos = 0, seen = 0, hits = 0;
  const size_t value_bytes = (bit_width + 7) / 8;
  while (seen < n) {
    uint64_t header = 0;
    CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &header));
    if (header & 1) {
      uint64_t groups = header >> 1;
      if (groups == 0) return Status::DataLoss("RLE bit-packed run of length zero");
      if (groups > (uint64_t{1} << 40)) return Status::DataLoss("RLE bit-packed run too long");
      size_t take = static_cast<size_t>(std::min<uint64_t>(groups * 8, n - seen));
      size_t avail = data.size() - pos;
      if (static_cast<uint64_t>(take) * bit_width > avail * 8) return Short("RLE bit-packed");
      const uint8_t* base = data.data() + pos;
      // Branch-free over the run; the maximum is compared once.
      uint32_t largest = 0;
      size_t run_hits = 0;
      UnpackBits(base, avail, take, bit_width, [&](size_t, uint32_t v) {
        largest = std::max(largest, v);
        run_hits += v == target;
      });
      if (largest > max_value) {
        return Status::DataLoss(
            "value above its maximum (a level or dictionary index out of range)");
      }
      hits += run_hits;
      seen += take;
      pos += static_cast<size_t>(std::min<uint64_t>(groups * bit_width, avail));
    } else {
      uint64_t run = header >> 1;
      if (run == 0) return Status::DataLoss("RLE run of length zero");
      if (data.size() - pos < value_bytes) return Short("RLE");
      uint32_t value = 0;
      for (size_t i = 0; i < value_bytes; ++i)
        value |= static_cast<uint32_t>(data[pos + i]) << (8 * i);
      pos += value_bytes;
      if (value > max_value) {
        return Status::DataLoss(
            "value above its maximum (a level or dictionary index out of range)");
      }
      size_t take = static_cast<size_t>(std::min<uint64_t>(run, n - seen));
      if (value == target) hits += take;
      seen += take;
    }
  }
  *count = hits;
  return Status::OK();
}

Status DecodeBitPackedLevels(ByteSpan data, int bit_width, size_t n, uint32_t* out) {
  if (bit_width < 0 || bit_width > 16) return Status::DataLoss("BIT_PACKED level width too large");
  if (static_cast<uint64_t>(n) * bit_width > static_cast<uint64_t>(data.size()) * 8) {
    return Short("BIT_PACKED levels");
  }
  for (size_t i = 0; i < n; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < bit_width; ++b) {
      uint64_t bit = uint64_t{i} * bit_width + b;
      v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    out[i] = v;
  }
  return Status::OK();
}

Status DecodeDictionaryIndices(ByteSpan data, size_t n, std::vector<uint32_t>* out) {
  out->resize(n);
  if (n == 0) return Status::OK();
  if (data.empty()) return Short("dictionary index");
  int bit_width = data[0];
  if (bit_width > 32) return Status::DataLoss("dictionary index bit width above 32");
  return DecodeRleHybrid(data.subspan(1), bit_width, n, out->data());
}

Status DecodeRleBoolean(ByteSpan data, size_t n, ValueBuffer* out) {
  if (data.size() < 4) return Short("RLE BOOLEAN");
  uint32_t length = GetU32LE(data.data());
  if (length > data.size() - 4) return Short("RLE BOOLEAN");
  std::vector<uint32_t> values(n);
  CR_RETURN_IF_ERROR(DecodeRleHybrid(data.subspan(4, length), 1, n, values.data()));
  for (uint32_t v : values) out->fixed.push_back(static_cast<uint8_t>(v));
  out->count += n;
  return Status::OK();
}

Status DecodeDeltaInts(ByteSpan data, size_t max_values, std::vector<int64_t>* out,
                       size_t* consumed) {
  size_t pos = 0;
  uint64_t block_size, miniblocks, total, first_raw;
  CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &block_size));
  CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &miniblocks));
  CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &total));
  CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &first_raw));
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::DataLoss("DELTA_BINARY_PACKED header has an invalid block layout");
  }
  if (total > max_values) {
    return Status::DataLoss("DELTA_BINARY_PACKED declares more values than the page holds");
  }
  const uint64_t per_mini = block_size / miniblocks;
  out->clear();
  out->reserve(total);
  uint64_t value = static_cast<uint64_t>(static_cast<int64_t>(first_raw >> 1) ^
                                         -static_cast<int64_t>(first_raw & 1));
  if (total > 0) out->push_back(static_cast<int64_t>(value));
  std::vector<uint8_t> widths(miniblocks);
  while (out->size() < total) {
    uint64_t min_raw;
    CR_RETURN_IF_ERROR(ReadUleb(data, &pos, &min_raw));
    uint64_t min_delta = static_cast<uint64_t>(static_cast<int64_t>(min_raw >> 1) ^
                                               -static_cast<int64_t>(min_raw & 1));
    if (data.size() - pos < miniblocks) return Short("DELTA_BINARY_PACKED");
    std::memcpy(widths.data(), data.data() + pos, miniblocks);
    pos += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out->size() < total; ++m) {
      int bw = widths[m];
      if (bw > 64) return Status::DataLoss("DELTA_BINARY_PACKED miniblock bit width above 64");
      uint64_t bytes = per_mini * bw / 8;
      size_t avail = data.size() - pos;
      size_t take = static_cast<size_t>(std::min<uint64_t>(per_mini, total - out->size()));
      if (static_cast<uint64_t>(take) * bw > static_cast<uint64_t>(avail) * 8) {
        return Short("DELTA_BINARY_PACKED");
      }
      const uint8_t* base = data.data() + pos;
      for (size_t i = 0; i < take; ++i) {
        value += min_delta + ReadBitsLsb(base, avail, uint64_t{i} * bw, bw);
        out->push_back(static_cast<int64_t>(value));
      }
      pos += static_cast<size_t>(std::min<uint64_t>(bytes, avail));
    }
  }
  *consumed = pos;
  return Status::OK();
}

Status DecodeDeltaBinaryPacked(PhysicalType type, ByteSpan data, size_t n, ValueBuffer* out) {
  std::vector<int64_t> values;
  size_t consumed = 0;
  CR_RETURN_IF_ERROR(DecodeDeltaInts(data, n, &values, &consumed));
  if (values.size() != n) {
    return Status::DataLoss("DELTA_BINARY_PACKED value count differs from the page's");
  }
  size_t base = out->fixed.size();
  if (type == PhysicalType::kInt32) {
    out->fixed.resize(base + 4 * n);
    for (size_t i = 0; i < n; ++i)
      PutU32LE(out->fixed.data() + base + 4 * i, static_cast<uint32_t>(values[i]));
  } else if (type == PhysicalType::kInt64) {
    out->fixed.resize(base + 8 * n);
    for (size_t i = 0; i < n; ++i)
      PutU64LE(out->fixed.data() + base + 8 * i, static_cast<uint64_t>(values[i]));
  } else {
    return Status::DataLoss("DELTA_BINARY_PACKED on a type other than INT32 or INT64");
  }
  out->count += n;
  return Status::OK();
}

namespace {

// Lengths then concatenated bytes; calls emit(i, span) for each value.
template <typename F>
Status ForEachDeltaLengthValue(ByteSpan data, size_t n, size_t* consumed, F&& emit) {
  std::vector<int64_t> lengths;
  size_t pos = 0;
  CR_RETURN_IF_ERROR(DecodeDeltaInts(data, n, &lengths, &pos));
  if (lengths.size() != n)
    return Status::DataLoss("DELTA_LENGTH_BYTE_ARRAY count differs from the page's");
  for (size_t i = 0; i < n; ++i) {
    if (lengths[i] < 0 || static_cast<uint64_t>(lengths[i]) > data.size() - pos) {
      return Short("DELTA_LENGTH_BYTE_ARRAY");
    }
    CR_RETURN_IF_ERROR(emit(i, data.subspan(pos, static_cast<size_t>(lengths[i]))));
    pos += static_cast<size_t>(lengths[i]);
  }
  *consumed = pos;
  return Status::OK();
}

}  // namespace

Status DecodeDeltaLengthByteArray(ByteSpan data, size_t n, ValueBuffer* out) {
  size_t consumed = 0;
  return ForEachDeltaLengthValue(data, n, &consumed, [&](size_t, ByteSpan v) {
    out->AppendBinary(v);
    return Status::OK();
  });
}

Status DecodeDeltaByteArray(PhysicalType type, ByteSpan data, size_t n, ValueBuffer* out) {
  std::vector<int64_t> prefixes;
  size_t pos = 0;
  CR_RETURN_IF_ERROR(DecodeDeltaInts(data, n, &prefixes, &pos));
  if (prefixes.size() != n)
    return Status::DataLoss("DELTA_BYTE_ARRAY count differs from the page's");
  Bytes previous, current;
  size_t consumed = 0;
  return ForEachDeltaLengthValue(
      data.subspan(pos), n, &consumed, [&](size_t i, ByteSpan suffix) -> Status {
        if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > previous.size()) {
          return Status::DataLoss("DELTA_BYTE_ARRAY prefix longer than the previous value");
        }
        current.assign(previous.begin(), previous.begin() + prefixes[i]);
        current.insert(current.end(), suffix.begin(), suffix.end());
        if (type == PhysicalType::kFixedLenByteArray) {
          if (current.size() != out->width)
            return Status::DataLoss("DELTA_BYTE_ARRAY value of the wrong fixed length");
          out->fixed.insert(out->fixed.end(), current.begin(), current.end());
          ++out->count;
        } else {
          out->AppendBinary(current);
        }
        previous.swap(current);
        return Status::OK();
      });
}

Status DecodeByteStreamSplit(ByteSpan data, size_t n, ValueBuffer* out) {
  size_t width = out->width;
  if (width == 0) return Status::DataLoss("BYTE_STREAM_SPLIT on a variable-length type");
  if (n > data.size() / width) return Short("BYTE_STREAM_SPLIT");
  if (data.size() != n * width)
    return Status::DataLoss("BYTE_STREAM_SPLIT size is not values x width");
  size_t base = out->fixed.size();
  out->fixed.resize(base + n * width);
  uint8_t* dst = out->fixed.data() + base;
  // Fixed-width loops for the common widths let the compiler unroll the gather.
  auto gather = [&](auto width_constant) {
    constexpr size_t w = decltype(width_constant)::value;
    const uint8_t* src = data.data();
    for (size_t i = 0; i < n; ++i) {
      for (size_t stream = 0; stream < w; ++stream) dst[i * w + stream] = src[stream * n + i];
    }
  };
  if (width == 4) {
    gather(std::integral_constant<size_t, 4>{});
  } else if (width == 8) {
    gather(std::integral_constant<size_t, 8>{});
  } else {
    for (size_t stream = 0; stream < width; ++stream) {
      const uint8_t* src = data.data() + stream * n;
      for (size_t i = 0; i < n; ++i) dst[i * width + stream] = src[i];
    }
  }
  out->count += n;
  return Status::OK();
}

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void EncodeRleHybrid(const uint32_t* values, size_t n, int bit_width, Bytes* out) {
  auto put_varint = [&](uint64_t v) {
    while (v >= 0x80) {
      out->push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out->push_back(static_cast<uint8_t>(v));
  };
  const size_t value_bytes = (bit_width + 7) / 8;
  size_t i = 0;
  while (i < n) {
    size_t run = 1;
    while (i + run < n && values[i + run] == values[i]) ++run;
    if (run >= 8 || bit_width == 0) {
      put_varint(static_cast<uint64_t>(run) << 1);
      for (size_t b = 0; b < value_bytes; ++b)
        out->push_back(static_cast<uint8_t>(values[i] >> (8 * b)));
      i += run;
      continue;
    }
    // A bit-packed run of whole groups of 8 (only the last run of the data is padded), ended
    // where a repeat of 8 or more begins so that it becomes an RLE run.
    size_t start = i, end = i;
    while (end < n && end - start < size_t{63} * 8) {
      if (end > start) {
        size_t r = 1;
        while (end + r < n && values[end + r] == values[end]) ++r;
        if (r >= 8) break;
      }
      end = std::min(end + 8, n);
    }
    size_t groups = (end - start + 7) / 8;
    put_varint((groups << 1) | 1);
    size_t base = out->size();
    out->resize(base + groups * bit_width, 0);
    for (size_t k = 0; k < groups * 8; ++k) {
      uint64_t v = start + k < end ? values[start + k] : 0;
      for (int b = 0; b < bit_width; ++b) {
        if ((v >> b) & 1) {
          uint64_t bit = static_cast<uint64_t>(k) * bit_width + b;
          (*out)[base + (bit >> 3)] |= static_cast<uint8_t>(1u << (bit & 7));
        }
      }
    }
    i = end;
  }
}

}  // namespace cleanroom::formats
