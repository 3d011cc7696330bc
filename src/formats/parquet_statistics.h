#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "formats/parquet_encoding.h"
#include "formats/parquet_metadata.h"
#include "formats/parquet_schema.h"

namespace cleanroom::formats {

// Tracks the minimum and maximum of a column chunk's values in the Parquet sort order of the
// leaf (signed or unsigned integers, IEEE floats ignoring NaN, unsigned bytes for strings) and
// checks them against the chunk's statistics. Not thread-safe.
class MinMaxTracker {
 public:
  explicit MinMaxTracker(const LeafColumn& leaf);

  // Whether this leaf has an order the tracker checks (others are ignored).
  bool enabled() const { return enabled_; }
  // Adds value `i` of `values`.
  void Add(const ValueBuffer& values, size_t i);
  void AddAll(const ValueBuffer& values, size_t from);
  // Adds `count` fixed-width values of `width` bytes stored back to back at `data` (PLAIN).
  void AddFixed(const uint8_t* data, size_t count, size_t width);
  // Adds one value (its bytes as stored: little-endian numbers, or a byte array's content).
  void AddValue(ByteSpan v);
  // <0, 0, >0 in the leaf's order.
  int Compare(ByteSpan a, ByteSpan b) const;

  // DataLoss when the statistics contradict the data: a minimum above the smallest value, a
  // maximum below the largest, or (for flat columns) a null count other than the real one.
  Status Check(const Statistics& stats, int64_t null_count, bool flat) const;

 private:
  bool IsNaN(ByteSpan v) const;

  const LeafColumn& leaf_;
  bool enabled_ = false;
  bool have_ = false;
  Bytes min_, max_;
};

}  // namespace cleanroom::formats
