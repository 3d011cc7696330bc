#include "crypto/cbor.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "crypto/cbor_float.h"

namespace cleanroom::crypto::cbor {
namespace {

enum Major : uint8_t {
  kMajorUnsigned = 0,
  kMajorNegative = 1,
  kMajorBytes = 2,
  kMajorText = 3,
  kMajorArray = 4,
  kMajorMap = 5,
  kMajorTag = 6,
  kMajorSimple = 7,
};

void AppendHead(uint8_t major, uint64_t arg, cleanroom::Bytes& out) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(m | static_cast<uint8_t>(arg));
  } else if (arg <= 0xff) {
    out.push_back(m | 24);
    out.push_back(static_cast<uint8_t>(arg));
  } else if (arg <= 0xffff) {
    out.push_back(m | 25);
    out.push_back(static_cast<uint8_t>(arg >> 8));
    out.push_back(static_cast<uint8_t>(arg));
  } else if (arg <= 0xffffffffULL) {
    out.push_back(m | 26);
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(arg >> (8 * i)));
  } else {
    out.push_back(m | 27);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(arg >> (8 * i)));
  }
}

// IEEE 754 half precision <-> double, for the shortest-float rule.
using internal::HalfToDouble;

// The half-precision encoding of `v` when it is exact, else -1.
int32_t ExactHalf(double v) {
  if (std::isnan(v)) return 0x7e00;
  uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  double a = std::fabs(v);
  if (std::isinf(a)) return sign | 0x7c00;
  if (a == 0) return sign;
  int exp = 0;
  double frac = std::frexp(a, &exp);  // a = frac * 2^exp, frac in [0.5, 1)
  // Normal halves: exponent field 1..30 means a in [2^-14, 65504].
  int e = exp - 1;  // a = 1.m * 2^e
  if (e >= -14 && e <= 15) {
    double mant = (frac * 2 - 1) * 1024;
    if (mant != std::floor(mant)) return -1;
    return sign | static_cast<uint16_t>((e + 15) << 10) | static_cast<uint16_t>(mant);
  }
  // Subnormal halves: a = m * 2^-24 with m < 1024.
  double m = std::ldexp(a, 24);
  if (m < 1024 && m == std::floor(m)) return sign | static_cast<uint16_t>(m);
  return -1;
}

void AppendFloat(double v, cleanroom::Bytes& out) {
  int32_t half = ExactHalf(v);
  if (half >= 0 && (std::isnan(v) || HalfToDouble(static_cast<uint16_t>(half)) == v)) {
    out.push_back(0xf9);
    out.push_back(static_cast<uint8_t>(half >> 8));
    out.push_back(static_cast<uint8_t>(half));
    return;
  }
  float f = static_cast<float>(v);
  if (static_cast<double>(f) == v) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    out.push_back(0xfa);
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return;
  }
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  out.push_back(0xfb);
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

}  // namespace

// ---------------------------------------------------------------- Value

Value Value::Int(int64_t v) {
  return v >= 0 ? Unsigned(static_cast<uint64_t>(v))
                : NegativeArgument(static_cast<uint64_t>(-(v + 1)));
}
Value Value::Unsigned(uint64_t v) {
  Value r;
  r.type_ = Type::kUnsigned;
  r.uint_ = v;
  return r;
}
Value Value::NegativeArgument(uint64_t n) {
  Value r;
  r.type_ = Type::kNegative;
  r.uint_ = n;
  return r;
}
Value Value::Bytes(ByteSpan b) {
  Value r;
  r.type_ = Type::kBytes;
  r.bytes_.assign(b.begin(), b.end());
  return r;
}
Value Value::Bytes(cleanroom::Bytes&& b) {
  Value r;
  r.type_ = Type::kBytes;
  r.bytes_ = std::move(b);
  return r;
}
Value Value::Text(std::string_view s) {
  Value r;
  r.type_ = Type::kText;
  r.bytes_.assign(s.begin(), s.end());
  return r;
}
Value Value::MakeArray(Array items) {
  Value r;
  r.type_ = Type::kArray;
  r.items_ = std::move(items);
  return r;
}
Value Value::MakeMap(MapEntries entries) {
  Value r;
  r.type_ = Type::kMap;
  r.entries_ = std::move(entries);
  return r;
}
Value Value::Tag(uint64_t tag, Value content) {
  Value r;
  r.type_ = Type::kTag;
  r.uint_ = tag;
  r.items_.push_back(std::move(content));
  return r;
}
Value Value::Bool(bool b) { return Simple(b ? 21 : 20); }
Value Value::Null() { return Value(); }
Value Value::Undefined() { return Simple(23); }
Value Value::Simple(uint8_t v) {
  Value r;
  r.type_ = Type::kSimple;
  r.simple_ = v;
  return r;
}
Value Value::Float(double v) {
  Value r;
  r.type_ = Type::kFloat;
  r.float_ = v;
  return r;
}

std::optional<int64_t> Value::AsInt64() const {
  if (type_ == Type::kUnsigned) {
    if (uint_ > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(uint_);
  }
  if (type_ == Type::kNegative) {
    if (uint_ > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return -1 - static_cast<int64_t>(uint_);
  }
  return std::nullopt;
}

const Value* Value::Find(const Value& key) const {
  if (type_ != Type::kMap) return nullptr;
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}
const Value* Value::Find(int64_t key) const { return Find(Value::Int(key)); }
const Value* Value::Find(std::string_view text_key) const { return Find(Value::Text(text_key)); }

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Value::Type::kUnsigned:
    case Value::Type::kNegative:
      return a.uint_ == b.uint_;
    case Value::Type::kBytes:
    case Value::Type::kText:
      return a.bytes_ == b.bytes_;
    case Value::Type::kArray:
      return a.items_ == b.items_;
    case Value::Type::kMap: {
      // Maps are unordered: equal when they hold the same keys with equal values.
      if (a.entries_.size() != b.entries_.size()) return false;
      for (const auto& [key, value] : a.entries_) {
        const Value* other = b.Find(key);
        if (other == nullptr || !(*other == value)) return false;
      }
      return true;
    }
    case Value::Type::kTag:
      return a.uint_ == b.uint_ && a.items_ == b.items_;
    case Value::Type::kSimple:
      return a.simple_ == b.simple_;
    case Value::Type::kFloat:
      // By bits, so that 0.0 and -0.0 differ (they are distinct CBOR values); all NaNs are one.
      return std::bit_cast<std::uint64_t>(a.float_) == std::bit_cast<std::uint64_t>(b.float_) ||
             (std::isnan(a.float_) && std::isnan(b.float_));
  }
  return false;
}

// ---------------------------------------------------------------- Encoder

Status EncodeTo(const Value& value, cleanroom::Bytes& out) {
  switch (value.type()) {
    case Value::Type::kUnsigned:
      AppendHead(kMajorUnsigned, value.int_argument(), out);
      break;
    case Value::Type::kNegative:
      AppendHead(kMajorNegative, value.int_argument(), out);
      break;
    case Value::Type::kBytes:
    case Value::Type::kText:
      AppendHead(value.is_bytes() ? kMajorBytes : kMajorText, value.bytes().size(), out);
      out.insert(out.end(), value.bytes().begin(), value.bytes().end());
      break;
    case Value::Type::kArray:
      AppendHead(kMajorArray, value.array().size(), out);
      for (const Value& item : value.array()) CR_RETURN_IF_ERROR(EncodeTo(item, out));
      break;
    case Value::Type::kMap: {
      // RFC 8949 section 4.2.1: keys sorted by the bytewise order of their encodings.
      std::vector<std::pair<cleanroom::Bytes, const Value*>> encoded;
      encoded.reserve(value.map().size());
      for (const auto& [k, v] : value.map()) {
        cleanroom::Bytes key_bytes;
        CR_RETURN_IF_ERROR(EncodeTo(k, key_bytes));
        encoded.emplace_back(std::move(key_bytes), &v);
      }
      std::sort(encoded.begin(), encoded.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 1; i < encoded.size(); ++i) {
        if (encoded[i].first == encoded[i - 1].first) {
          return Status::InvalidArgument("cbor: map has a duplicate key");
        }
      }
      AppendHead(kMajorMap, encoded.size(), out);
      for (const auto& [key_bytes, v] : encoded) {
        out.insert(out.end(), key_bytes.begin(), key_bytes.end());
        CR_RETURN_IF_ERROR(EncodeTo(*v, out));
      }
      break;
    }
    case Value::Type::kTag:
      AppendHead(kMajorTag, value.tag(), out);
      CR_RETURN_IF_ERROR(EncodeTo(value.tag_content(), out));
      break;
    case Value::Type::kSimple:
      if (value.simple() >= 24 && value.simple() < 32) {
        return Status::InvalidArgument("cbor: simple values 24..31 are reserved");
      }
      AppendHead(kMajorSimple, value.simple(), out);
      break;
    case Value::Type::kFloat:
      AppendFloat(value.float_value(), out);
      break;
  }
  return Status::OK();
}

Result<cleanroom::Bytes> Encode(const Value& value) {
  cleanroom::Bytes out;
  CR_RETURN_IF_ERROR(EncodeTo(value, out));
  return out;
}

}  // namespace cleanroom::crypto::cbor
