#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::formats {

// Element and field types of the Thrift compact protocol (the low nibble of a field header).
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// A bounds-checked reader of the Thrift compact protocol over a byte span. Every length and
// count is checked against the bytes that remain before anything is allocated, and nesting is
// limited, so any input ends in a value or an error, never a crash. Errors are DataLoss and
// name the byte offset and `what` (the structure being read). Not thread-safe.
class ThriftReader {
 public:
  ThriftReader(ByteSpan data, std::string what) : data_(data), what_(std::move(what)) {}

  size_t position() const { return pos_; }

  // Reads the next field header of the current struct. Sets *type to kStop at the end.
  Status ReadFieldHeader(int16_t* field_id, ThriftType* type);
  // Enters and leaves a nested struct (field ids are relative per struct).
  Status BeginStruct();
  void EndStruct();

  // Values. A bool field carries its value in the header type: pass it to ReadBool.
  Result<bool> ReadBool(ThriftType type);
  Result<int8_t> ReadByte();
  Result<int32_t> ReadI32();
  Result<int64_t> ReadI64();
  Result<double> ReadDouble();
  Result<std::string> ReadBinary();
  // Reads a list header; the count is checked against the remaining bytes (each element takes
  // at least one byte).
  Status ReadListHeader(ThriftType* element_type, uint32_t* count);
  // Skips a value of any type, nested structures included.
  Status Skip(ThriftType type);

  // DataLoss naming the offset and the structure being read.
  Status Corrupt(std::string_view why) const;

 private:
  Result<uint64_t> ReadVarint();
  Status SkipDepth(ThriftType type, int depth);

  ByteSpan data_;
  std::string what_;
  size_t pos_ = 0;
  std::vector<int16_t> last_field_ids_;
  int16_t last_field_id_ = 0;
};

// A writer of the Thrift compact protocol into a growing byte buffer.
class ThriftWriter {
 public:
  void BeginStruct();
  void EndStruct();  // Writes the stop byte and restores the enclosing struct's field ids.
  void FieldHeader(int16_t field_id, ThriftType type);
  void FieldBool(int16_t field_id, bool value);
  void FieldI32(int16_t field_id, int32_t value);
  void FieldI64(int16_t field_id, int64_t value);
  void FieldBinary(int16_t field_id, std::string_view value);
  void ListHeader(ThriftType element_type, uint32_t count);
  void WriteI32(int32_t value);
  void WriteI64(int64_t value);
  void WriteBinary(std::string_view value);
  void WriteVarint(uint64_t value);
  // Appends bytes that already are one encoded value (copied from a reader's input).
  void WriteRaw(ByteSpan encoded) { out_.insert(out_.end(), encoded.begin(), encoded.end()); }

  Bytes& bytes() { return out_; }

 private:
  Bytes out_;
  std::vector<int16_t> last_field_ids_;
  int16_t last_field_id_ = 0;
};

}  // namespace cleanroom::formats
