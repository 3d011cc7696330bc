#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

// CBOR (RFC 8949): a value type, a deterministic encoder (section 4.2.1) and a strict decoder.
namespace cleanroom::crypto::cbor {

class Value;
using Array = std::vector<Value>;
using MapEntries = std::vector<std::pair<Value, Value>>;

// One CBOR data item. Integers cover the whole CBOR range: major type 0 holds 0..2^64-1 and
// major type 1 holds -1..-2^64 (stored as its argument n, the value being -1 - n).
class Value {
 public:
  enum class Type { kUnsigned, kNegative, kBytes, kText, kArray, kMap, kTag, kSimple, kFloat };

  Value() = default;  // null
  static Value Int(int64_t v);
  static Value Unsigned(uint64_t v);
  static Value NegativeArgument(uint64_t n);  // The value -1 - n.
  static Value Bytes(ByteSpan b);
  static Value Bytes(cleanroom::Bytes&& b);
  static Value Text(std::string_view s);
  static Value MakeArray(Array items);
  // Entries are kept in the given order; Encode sorts them canonically.
  static Value MakeMap(MapEntries entries);
  static Value Tag(uint64_t tag, Value content);
  static Value Bool(bool b);
  static Value Null();
  static Value Undefined();
  static Value Simple(uint8_t v);  // Other simple values (major type 7, 0..255 except 24..31).
  static Value Float(double v);    // Encoded in the shortest of half/single/double that is exact.

  Type type() const { return type_; }
  bool is_int() const { return type_ == Type::kUnsigned || type_ == Type::kNegative; }
  bool is_bytes() const { return type_ == Type::kBytes; }
  bool is_text() const { return type_ == Type::kText; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_tag() const { return type_ == Type::kTag; }
  bool is_bool() const { return type_ == Type::kSimple && (simple_ == 20 || simple_ == 21); }
  bool is_null() const { return type_ == Type::kSimple && simple_ == 22; }

  // The integer if it fits in int64_t.
  std::optional<int64_t> AsInt64() const;
  // REQUIRES: is_int(). The CBOR argument (for kNegative: n where the value is -1 - n).
  uint64_t int_argument() const { return uint_; }
  // REQUIRES: is_bytes() / is_text() (both hold their bytes here).
  const cleanroom::Bytes& bytes() const { return bytes_; }
  std::string_view text() const { return AsStringView(bytes_); }
  // REQUIRES: is_array().
  const Array& array() const { return items_; }
  // REQUIRES: is_map().
  const MapEntries& map() const { return entries_; }
  // REQUIRES: is_tag().
  uint64_t tag() const { return uint_; }
  const Value& tag_content() const { return items_.front(); }
  // REQUIRES: is_bool().
  bool boolean() const { return simple_ == 21; }
  uint8_t simple() const { return simple_; }
  double float_value() const { return float_; }

  // Map lookup by key (integer or text); null when absent or when this is not a map.
  const Value* Find(int64_t key) const;
  const Value* Find(std::string_view text_key) const;
  const Value* Find(const Value& key) const;

  // Structural equality; maps compare as unordered sets of entries.
  friend bool operator==(const Value& a, const Value& b);

 private:
  Type type_ = Type::kSimple;
  uint64_t uint_ = 0;
  uint8_t simple_ = 22;
  double float_ = 0;
  cleanroom::Bytes bytes_;
  Array items_;
  MapEntries entries_;
};

// Deterministic encoding (RFC 8949 section 4.2.1): shortest arguments, definite lengths, map
// keys sorted by the bytewise order of their encodings. InvalidArgument when a map holds two
// equal keys (the result would not be valid CBOR).
Result<cleanroom::Bytes> Encode(const Value& value);
// Appends the encoding to `out`.
Status EncodeTo(const Value& value, cleanroom::Bytes& out);

struct DecodeOptions {
  // Strict: the input must be deterministically encoded (shortest arguments, no indefinite
  // lengths, map keys in canonical order, floats shortest). Lenient accepts any well-formed
  // encoding (for third-party messages such as the COSE Examples); both modes reject malformed
  // input, duplicate map keys, excess depth, oversize lengths and trailing bytes.
  bool strict = true;
  size_t max_depth = 16;
  size_t max_input_size = size_t{16} << 20;  // 16 MiB
  size_t max_items = size_t{1} << 20;        // Array elements + map entries, in total.
};

// Decodes exactly one item that spans all of `data`. InvalidArgument with the byte offset
// ("cbor: at offset 12: ...") for malformed or disallowed input.
Result<Value> Decode(ByteSpan data, const DecodeOptions& options = {});

}  // namespace cleanroom::crypto::cbor
