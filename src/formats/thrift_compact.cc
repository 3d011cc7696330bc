#include "formats/thrift_compact.h"

#include <cstring>

namespace cleanroom::formats {
namespace {

constexpr int kMaxDepth = 64;

int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

}  // namespace

Status ThriftReader::Corrupt(std::string_view why) const {
  return Status::DataLoss(what_ + ": " + std::string(why) + " at byte " + std::to_string(pos_));
}

Result<uint64_t> ThriftReader::ReadVarint() {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return Corrupt("truncated varint");
    uint8_t byte = data_[pos_++];
    if (shift == 63 && (byte & 0x7e) != 0) return Corrupt("varint overflows 64 bits");
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return result;
  }
  return Corrupt("varint longer than 10 bytes");
}

Status ThriftReader::ReadFieldHeader(int16_t* field_id, ThriftType* type) {
  if (pos_ >= data_.size()) return Corrupt("truncated struct");
  uint8_t byte = data_[pos_++];
  *type = static_cast<ThriftType>(byte & 0x0f);
  if (*type == ThriftType::kStop) return Status::OK();
  if (static_cast<uint8_t>(*type) > static_cast<uint8_t>(ThriftType::kStruct)) {
    return Corrupt("unknown field type");
  }
  int delta = byte >> 4;
  if (delta != 0) {
    *field_id = static_cast<int16_t>(last_field_id_ + delta);
  } else {
    CR_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
    int64_t id = ZigZagDecode(raw);
    if (id < INT16_MIN || id > INT16_MAX) return Corrupt("field id out of range");
    *field_id = static_cast<int16_t>(id);
  }
  last_field_id_ = *field_id;
  return Status::OK();
}

Status ThriftReader::BeginStruct() {
  if (last_field_ids_.size() >= kMaxDepth) return Corrupt("structures nested too deeply");
  last_field_ids_.push_back(last_field_id_);
  last_field_id_ = 0;
  return Status::OK();
}

void ThriftReader::EndStruct() {
  if (!last_field_ids_.empty()) {
    last_field_id_ = last_field_ids_.back();
    last_field_ids_.pop_back();
  }
}

Result<bool> ThriftReader::ReadBool(ThriftType type) {
  if (type == ThriftType::kBoolTrue) return true;
  if (type == ThriftType::kBoolFalse) return false;
  return Corrupt("expected a boolean field");
}

Result<int8_t> ThriftReader::ReadByte() {
  if (pos_ >= data_.size()) return Corrupt("truncated byte");
  return static_cast<int8_t>(data_[pos_++]);
}

Result<int32_t> ThriftReader::ReadI32() {
  CR_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  int64_t v = ZigZagDecode(raw);
  if (v < INT32_MIN || v > INT32_MAX) return Corrupt("i32 out of range");
  return static_cast<int32_t>(v);
}

Result<int64_t> ThriftReader::ReadI64() {
  CR_ASSIGN_OR_RETURN(uint64_t raw, ReadVarint());
  return ZigZagDecode(raw);
}

Result<double> ThriftReader::ReadDouble() {
  if (data_.size() - pos_ < 8) return Corrupt("truncated double");
  uint64_t bits = GetU64LE(data_.data() + pos_);
  pos_ += 8;
  double d;
  static_assert(sizeof(d) == sizeof(bits));
  std::memcpy(&d, &bits, sizeof(d));
  return d;
}

Result<std::string> ThriftReader::ReadBinary() {
  CR_ASSIGN_OR_RETURN(uint64_t length, ReadVarint());
  if (length > data_.size() - pos_) return Corrupt("binary length exceeds the remaining bytes");
  std::string out(reinterpret_cast<const char*>(data_.data() + pos_), length);
  pos_ += length;
  return out;
}

Status ThriftReader::ReadListHeader(ThriftType* element_type, uint32_t* count) {
  if (pos_ >= data_.size()) return Corrupt("truncated list header");
  uint8_t byte = data_[pos_++];
  *element_type = static_cast<ThriftType>(byte & 0x0f);
  uint64_t n = byte >> 4;
  if (n == 15) {
    CR_ASSIGN_OR_RETURN(n, ReadVarint());
  }
  if (n > data_.size() - pos_) return Corrupt("list count exceeds the remaining bytes");
  *count = static_cast<uint32_t>(n);
  return Status::OK();
}

Status ThriftReader::Skip(ThriftType type) { return SkipDepth(type, 0); }

Status ThriftReader::SkipDepth(ThriftType type, int depth) {
  if (depth > kMaxDepth) return Corrupt("structures nested too deeply");
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return Status::OK();
    case ThriftType::kByte:
      if (pos_ >= data_.size()) return Corrupt("truncated byte");
      ++pos_;
      return Status::OK();
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      return ReadVarint().status();
    case ThriftType::kDouble:
      return ReadDouble().status();
    case ThriftType::kBinary: {
      CR_ASSIGN_OR_RETURN(uint64_t length, ReadVarint());
      if (length > data_.size() - pos_) return Corrupt("binary length exceeds the remaining bytes");
      pos_ += length;
      return Status::OK();
    }
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType element;
      uint32_t count;
      CR_RETURN_IF_ERROR(ReadListHeader(&element, &count));
      for (uint32_t i = 0; i < count; ++i) {
        // Booleans inside collections take one byte each.
        if (element == ThriftType::kBoolTrue || element == ThriftType::kBoolFalse) {
          CR_RETURN_IF_ERROR(SkipDepth(ThriftType::kByte, depth + 1));
        } else {
          CR_RETURN_IF_ERROR(SkipDepth(element, depth + 1));
        }
      }
      return Status::OK();
    }
    case ThriftType::kMap: {
      CR_ASSIGN_OR_RETURN(uint64_t count, ReadVarint());
      if (count == 0) return Status::OK();
      if (count > data_.size() - pos_) return Corrupt("map count exceeds the remaining bytes");
      if (pos_ >= data_.size()) return Corrupt("truncated map header");
      uint8_t types = data_[pos_++];
      auto key = static_cast<ThriftType>(types >> 4);
      auto value = static_cast<ThriftType>(types & 0x0f);
      // Booleans inside collections take one byte each, map keys and values too.
      auto is_bool = [](ThriftType t) {
        return t == ThriftType::kBoolTrue || t == ThriftType::kBoolFalse;
      };
      if (is_bool(key)) key = ThriftType::kByte;
      if (is_bool(value)) value = ThriftType::kByte;
      for (uint64_t i = 0; i < count; ++i) {
        CR_RETURN_IF_ERROR(SkipDepth(key, depth + 1));
        CR_RETURN_IF_ERROR(SkipDepth(value, depth + 1));
      }
      return Status::OK();
    }
    case ThriftType::kStruct: {
      CR_RETURN_IF_ERROR(BeginStruct());
      while (true) {
        int16_t id;
        ThriftType field_type;
        CR_RETURN_IF_ERROR(ReadFieldHeader(&id, &field_type));
        if (field_type == ThriftType::kStop) break;
        CR_RETURN_IF_ERROR(SkipDepth(field_type, depth + 1));
      }
      EndStruct();
      return Status::OK();
    }
    default:
      return Corrupt("unknown value type");
  }
}

void ThriftWriter::BeginStruct() {
  last_field_ids_.push_back(last_field_id_);
  last_field_id_ = 0;
}

void ThriftWriter::EndStruct() {
  out_.push_back(0);
  last_field_id_ = last_field_ids_.back();
  last_field_ids_.pop_back();
}

void ThriftWriter::FieldHeader(int16_t field_id, ThriftType type) {
  int delta = field_id - last_field_id_;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<uint8_t>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_.push_back(static_cast<uint8_t>(type));
    WriteVarint(ZigZagEncode(field_id));
  }
  last_field_id_ = field_id;
}

void ThriftWriter::FieldBool(int16_t field_id, bool value) {
  FieldHeader(field_id, value ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}
void ThriftWriter::FieldI32(int16_t field_id, int32_t value) {
  FieldHeader(field_id, ThriftType::kI32);
  WriteI32(value);
}
void ThriftWriter::FieldI64(int16_t field_id, int64_t value) {
  FieldHeader(field_id, ThriftType::kI64);
  WriteI64(value);
}
void ThriftWriter::FieldBinary(int16_t field_id, std::string_view value) {
  FieldHeader(field_id, ThriftType::kBinary);
  WriteBinary(value);
}
void ThriftWriter::ListHeader(ThriftType element_type, uint32_t count) {
  if (count < 15) {
    out_.push_back(static_cast<uint8_t>((count << 4) | static_cast<uint8_t>(element_type)));
  } else {
    out_.push_back(static_cast<uint8_t>(0xf0 | static_cast<uint8_t>(element_type)));
    WriteVarint(count);
  }
}
void ThriftWriter::WriteI32(int32_t value) { WriteVarint(ZigZagEncode(value)); }
void ThriftWriter::WriteI64(int64_t value) { WriteVarint(ZigZagEncode(value)); }
void ThriftWriter::WriteBinary(std::string_view value) {
  WriteVarint(value.size());
  out_.insert(out_.end(), value.begin(), value.end());
}
void ThriftWriter::WriteVarint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<uint8_t>(value));
}

}  // namespace cleanroom::formats
