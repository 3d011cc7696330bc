#include "formats/parquet_statistics.h"

#include <cmath>
#include <cstring>

namespace cleanroom::formats {

MinMaxTracker::MinMaxTracker(const LeafColumn& leaf) : leaf_(leaf) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      enabled_ = true;
      break;
    case PhysicalType::kByteArray:
      // Decimals stored as bytes sort as signed numbers; only plain strings are checked.
      enabled_ = leaf.type.id == sql::TypeId::kString || leaf.type.id == sql::TypeId::kBinary;
      break;
    default:
      enabled_ = false;
  }
}

bool MinMaxTracker::IsNaN(ByteSpan v) const {
  if (leaf_.physical == PhysicalType::kFloat && v.size() == 4) {
    float f;
    std::memcpy(&f, v.data(), 4);
    return std::isnan(f);
  }
  if (leaf_.physical == PhysicalType::kDouble && v.size() == 8) {
    double d;
    std::memcpy(&d, v.data(), 8);
    return std::isnan(d);
  }
  return false;
}

int MinMaxTracker::Compare(ByteSpan a, ByteSpan b) const {
  switch (leaf_.physical) {
    case PhysicalType::kBoolean:
      return static_cast<int>(a[0] != 0) - static_cast<int>(b[0] != 0);
    case PhysicalType::kInt32: {
      uint32_t x = GetU32LE(a.data()), y = GetU32LE(b.data());
      if (leaf_.is_unsigned) return x < y ? -1 : x > y;
      int32_t sx = static_cast<int32_t>(x), sy = static_cast<int32_t>(y);
      return sx < sy ? -1 : sx > sy;
    }
    case PhysicalType::kInt64: {
      uint64_t x = GetU64LE(a.data()), y = GetU64LE(b.data());
      if (leaf_.is_unsigned) return x < y ? -1 : x > y;
      int64_t sx = static_cast<int64_t>(x), sy = static_cast<int64_t>(y);
      return sx < sy ? -1 : sx > sy;
    }
    case PhysicalType::kFloat: {
      float x, y;
      std::memcpy(&x, a.data(), 4);
      std::memcpy(&y, b.data(), 4);
      return x < y ? -1 : x > y;
    }
    case PhysicalType::kDouble: {
      double x, y;
      std::memcpy(&x, a.data(), 8);
      std::memcpy(&y, b.data(), 8);
      return x < y ? -1 : x > y;
    }
    default: {
      size_t n = std::min(a.size(), b.size());
      int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
      if (c != 0) return c;
      return a.size() < b.size() ? -1 : a.size() > b.size();
    }
  }
}

void MinMaxTracker::Add(const ValueBuffer& values, size_t i) {
  if (!enabled_) return;
  ByteSpan v = values.is_binary() ? values.Binary(i)
                                  : ByteSpan(values.fixed.data() + i * values.width, values.width);
  if (IsNaN(v)) return;
  if (!have_) {
    min_.assign(v.begin(), v.end());
    max_.assign(v.begin(), v.end());
    have_ = true;
    return;
  }
  if (Compare(v, min_) < 0) min_.assign(v.begin(), v.end());
  if (Compare(v, max_) > 0) max_.assign(v.begin(), v.end());
}

void MinMaxTracker::AddAll(const ValueBuffer& values, size_t from) {
  if (!enabled_) return;
  for (size_t i = from; i < values.count; ++i) Add(values, i);
}

Status MinMaxTracker::Check(const Statistics& stats, int64_t null_count, bool flat) const {
  if (flat && stats.null_count && *stats.null_count != null_count) {
    return Status::DataLoss("statistics null_count contradicts the data");
  }
  if (!enabled_ || !have_) return Status::OK();
  // The deprecated fields used signed byte order for strings and unsigned integers: only the
  // new fields are trusted for those.
  bool old_ok = leaf_.physical != PhysicalType::kByteArray && !leaf_.is_unsigned;
  const std::optional<std::string>& min = stats.min_value ? stats.min_value : (old_ok ? stats.min : stats.min_value);
  const std::optional<std::string>& max = stats.max_value ? stats.max_value : (old_ok ? stats.max : stats.max_value);
  size_t width = leaf_.physical == PhysicalType::kByteArray ? 0 : min_.size();
  auto usable = [&](const std::optional<std::string>& s) {
    if (!s) return false;
    if (width != 0 && s->size() != width) return false;
    return !IsNaN(AsBytes(*s));
  };
  if (usable(min) && Compare(AsBytes(*min), min_) > 0) {
    return Status::DataLoss("statistics minimum is above the smallest value");
  }
  if (usable(max) && Compare(AsBytes(*max), max_) < 0) {
    return Status::DataLoss("statistics maximum is below the largest value");
  }
  return Status::OK();
}

}  // namespace cleanroom::formats
