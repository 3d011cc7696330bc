// The CBOR decoder: strict (deterministic encodings only) or lenient (any well-formed input).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "crypto/cbor.h"
#include "crypto/cbor_float.h"

namespace cleanroom::crypto::cbor {
namespace {

bool ValidUtf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      return false;
    }
    i += len;
  }
  return true;
}

using internal::HalfToDouble;

class Decoder {
 public:
  Decoder(ByteSpan data, const DecodeOptions& options) : data_(data), options_(options) {}

  Result<Value> DecodeTop() {
    if (data_.size() > options_.max_input_size) {
      return Status::InvalidArgument("cbor: input of " + std::to_string(data_.size()) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(options_.max_input_size));
    }
    if (data_.empty()) return Error(0, "empty input");
    CR_ASSIGN_OR_RETURN(Value v, DecodeItem(0));
    if (pos_ != data_.size()) return Error(pos_, "trailing bytes after the top-level item");
    return v;
  }

 private:
  Status Error(size_t offset, std::string_view what) const {
    return Status::InvalidArgument("cbor: at offset " + std::to_string(offset) + ": " +
                                   std::string(what));
  }

  // Reads an item head. `indefinite` is set for additional information 31.
  Status ReadHead(uint8_t& major, uint8_t& ai, uint64_t& arg, bool& indefinite) {
    size_t start = pos_;
    if (pos_ >= data_.size()) return Error(pos_, "unexpected end of input");
    uint8_t ib = data_[pos_++];
    major = ib >> 5;
    ai = ib & 0x1f;
    indefinite = false;
    if (ai < 24) {
      arg = ai;
      return Status::OK();
    }
    if (ai == 31) {
      indefinite = true;
      arg = 0;
      return Status::OK();
    }
    if (ai > 27) return Error(start, "reserved additional information value");
    size_t len = size_t{1} << (ai - 24);
    if (data_.size() - pos_ < len) return Error(start, "item head runs past the end of input");
    arg = 0;
    for (size_t i = 0; i < len; ++i) arg = (arg << 8) | data_[pos_ + i];
    pos_ += len;
    // Floats (major 7, ai 25..27) are checked separately: their argument is not an integer.
    if (options_.strict && major != 7) {
      uint64_t min = ai == 24 ? 24 : ai == 25 ? 0x100 : ai == 26 ? 0x10000 : 0x100000000ULL;
      if (arg < min) return Error(start, "non-shortest integer or length encoding");
    }
    return Status::OK();
  }

  Status CountItems(size_t offset, uint64_t n) {
    if (n > options_.max_items || items_ + n > options_.max_items) {
      return Error(offset, "too many array or map elements");
    }
    items_ += n;
    return Status::OK();
  }

  Result<Value> DecodeString(size_t start, uint8_t major, uint64_t arg, bool indefinite) {
    cleanroom::Bytes content;
    if (!indefinite) {
      if (arg > data_.size() - pos_)
        return Error(start, "string length runs past the end of input");
      content.assign(data_.begin() + pos_, data_.begin() + pos_ + arg);
      pos_ += arg;
    } else {
      if (options_.strict) return Error(start, "indefinite-length string in strict mode");
      // Chunks of the same major type, definite length each, until a break.
      while (true) {
        if (pos_ >= data_.size()) return Error(pos_, "unterminated indefinite-length string");
        if (data_[pos_] == 0xff) {
          ++pos_;
          break;
        }
        size_t chunk_start = pos_;
        uint8_t m, ai;
        uint64_t len;
        bool ind;
        CR_RETURN_IF_ERROR(ReadHead(m, ai, len, ind));
        if (m != major || ind) return Error(chunk_start, "bad chunk in indefinite-length string");
        if (len > data_.size() - pos_) return Error(chunk_start, "string chunk runs past the end");
        if (major == 3 && !ValidUtf8(data_.data() + pos_, len)) {
          return Error(chunk_start, "text string chunk is not valid UTF-8");
        }
        content.insert(content.end(), data_.begin() + pos_, data_.begin() + pos_ + len);
        pos_ += len;
      }
    }
    if (major == 3) {
      if (!ValidUtf8(content.data(), content.size()))
        return Error(start, "text string is not valid UTF-8");
      Value v = Value::Text(AsStringView(content));
      return v;
    }
    return Value::Bytes(std::move(content));
  }

  Result<Value> DecodeItem(size_t depth) {
    if (depth > options_.max_depth) return Error(pos_, "nesting deeper than the limit");
    size_t start = pos_;
    uint8_t major, ai;
    uint64_t arg;
    bool indefinite;
    CR_RETURN_IF_ERROR(ReadHead(major, ai, arg, indefinite));
    switch (major) {
      case 0:
      case 1:
        if (indefinite) return Error(start, "indefinite length on an integer");
        return major == 0 ? Value::Unsigned(arg) : Value::NegativeArgument(arg);
      case 2:
      case 3:
        return DecodeString(start, major, arg, indefinite);
      case 4: {
        if (indefinite && options_.strict)
          return Error(start, "indefinite-length array in strict mode");
        Array items;
        if (!indefinite) {
          // Every element takes at least one byte: a count beyond the input is malformed.
          if (arg > data_.size() - pos_)
            return Error(start, "array length runs past the end of input");
          CR_RETURN_IF_ERROR(CountItems(start, arg));
          items.reserve(arg);
          for (uint64_t i = 0; i < arg; ++i) {
            CR_ASSIGN_OR_RETURN(Value item, DecodeItem(depth + 1));
            items.push_back(std::move(item));
          }
        } else {
          while (true) {
            if (pos_ >= data_.size()) return Error(pos_, "unterminated indefinite-length array");
            if (data_[pos_] == 0xff) {
              ++pos_;
              break;
            }
            CR_RETURN_IF_ERROR(CountItems(pos_, 1));
            CR_ASSIGN_OR_RETURN(Value item, DecodeItem(depth + 1));
            items.push_back(std::move(item));
          }
        }
        return Value::MakeArray(std::move(items));
      }
      case 5: {
        if (indefinite && options_.strict)
          return Error(start, "indefinite-length map in strict mode");
        MapEntries entries;
        size_t previous_key_start = 0, previous_key_end = 0;
        auto read_entry = [&]() -> Status {
          size_t key_start = pos_;
          CR_ASSIGN_OR_RETURN(Value key, DecodeItem(depth + 1));
          size_t key_end = pos_;
          if (options_.strict && !entries.empty()) {
            ByteSpan prev(data_.data() + previous_key_start, previous_key_end - previous_key_start);
            ByteSpan cur(data_.data() + key_start, key_end - key_start);
            bool less =
                std::lexicographical_compare(prev.begin(), prev.end(), cur.begin(), cur.end());
            if (!less) {
              bool equal = std::equal(prev.begin(), prev.end(), cur.begin(), cur.end());
              return Error(key_start, equal ? "duplicate map key"
                                            : "map keys not in deterministic (bytewise) order");
            }
          } else {
            for (const auto& [k, v] : entries) {
              if (k == key) return Error(key_start, "duplicate map key");
            }
          }
          previous_key_start = key_start;
          previous_key_end = key_end;
          CR_ASSIGN_OR_RETURN(Value value, DecodeItem(depth + 1));
          entries.emplace_back(std::move(key), std::move(value));
          return Status::OK();
        };
        if (!indefinite) {
          if (arg > (data_.size() - pos_) / 2)
            return Error(start, "map length runs past the end of input");
          CR_RETURN_IF_ERROR(CountItems(start, arg));
          entries.reserve(arg);
          for (uint64_t i = 0; i < arg; ++i) CR_RETURN_IF_ERROR(read_entry());
        } else {
          while (true) {
            if (pos_ >= data_.size()) return Error(pos_, "unterminated indefinite-length map");
            if (data_[pos_] == 0xff) {
              ++pos_;
              break;
            }
            CR_RETURN_IF_ERROR(CountItems(pos_, 1));
            CR_RETURN_IF_ERROR(read_entry());
          }
        }
        return Value::MakeMap(std::move(entries));
      }
      case 6: {
        if (indefinite) return Error(start, "indefinite length on a tag");
        CR_ASSIGN_OR_RETURN(Value content, DecodeItem(depth + 1));
        return Value::Tag(arg, std::move(content));
      }
      default:
        break;
    }
    // Major type 7: simple values and floats.
    if (indefinite) return Error(start, "unexpected break");
    if (ai < 24) return Value::Simple(static_cast<uint8_t>(arg));
    if (ai == 24) {
      if (arg < 32) return Error(start, "simple value below 32 in two-byte form");
      return Value::Simple(static_cast<uint8_t>(arg));
    }
    double v;
    if (ai == 25) {
      v = HalfToDouble(static_cast<uint16_t>(arg));
    } else if (ai == 26) {
      uint32_t bits = static_cast<uint32_t>(arg);
      float f;
      std::memcpy(&f, &bits, 4);
      v = f;
    } else {
      std::memcpy(&v, &arg, 8);
    }
    Value value = Value::Float(v);
    if (options_.strict) {
      // The input must be the deterministic encoding itself: the shortest exact width, and NaN
      // only as the canonical quiet NaN f97e00 (no payloads, no sign).
      cleanroom::Bytes canonical;
      CR_RETURN_IF_ERROR(EncodeTo(value, canonical));
      if (!std::equal(canonical.begin(), canonical.end(), data_.begin() + start,
                      data_.begin() + pos_)) {
        return Error(start, "non-deterministic float encoding");
      }
    }
    return value;
  }

  ByteSpan data_;
  const DecodeOptions& options_;
  size_t pos_ = 0;
  uint64_t items_ = 0;
};

}  // namespace

Result<Value> Decode(ByteSpan data, const DecodeOptions& options) {
  Decoder decoder(data, options);
  return decoder.DecodeTop();
}

}  // namespace cleanroom::crypto::cbor
