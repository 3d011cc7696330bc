#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::sql {

// The SQL types of the clean room's language, named as Spark names them. Every bound
// expression and every catalog column carries one. Shared with `formats` (Parquet schemas map
// onto it) and `engine` (DuckDB result types map onto it).
enum class TypeId {
  kNull,  // the type of a bare NULL literal before coercion
  kBoolean,
  kTinyInt,   // 8-bit
  kSmallInt,  // 16-bit
  kInt,       // 32-bit
  kBigInt,    // 64-bit
  kFloat,     // 32-bit IEEE
  kDouble,    // 64-bit IEEE
  kDecimal,   // precision <= 38, scale <= precision
  kString,
  kBinary,
  kDate,
  kTimestamp,     // with local time zone semantics (Spark TIMESTAMP), stored as UTC micros
  kTimestampNtz,  // without time zone
  kInterval,
  kArray,   // children[0] is the element
  kMap,     // children[0] key, children[1] value
  kStruct,  // children are the fields, field_names their names
};

// The fields of Spark's ANSI interval types, in order: INTERVAL YEAR TO MONTH is (kYear,
// kMonth). kNoField is the untyped interval (Spark's CalendarIntervalType).
enum IntervalField { kNoField = 0, kYear, kMonth, kDay, kHour, kMinute, kSecond };

struct DataType {
  TypeId id = TypeId::kNull;
  int precision = 0;  // kDecimal; kInterval: the start field (IntervalField)
  int scale = 0;      // kDecimal; kInterval: the end field
  std::vector<DataType> children;
  std::vector<std::string> field_names;

  static DataType Of(TypeId id) { return DataType{id, 0, 0, {}, {}}; }
  static DataType Decimal(int precision, int scale) {
    return DataType{TypeId::kDecimal, precision, scale, {}, {}};
  }
  static DataType Interval(int start, int end) {
    return DataType{TypeId::kInterval, start, end, {}, {}};
  }
  bool IsYearMonthInterval() const {
    return id == TypeId::kInterval && precision >= kYear && precision <= kMonth;
  }
  bool IsDayTimeInterval() const { return id == TypeId::kInterval && precision >= kDay; }
  static DataType Array(DataType element);
  static DataType Map(DataType key, DataType value);
  static DataType Struct(std::vector<std::string> names, std::vector<DataType> fields);

  bool IsNumeric() const;
  bool IsIntegral() const;
  bool IsNested() const {
    return id == TypeId::kArray || id == TypeId::kMap || id == TypeId::kStruct;
  }

  // Spark's name: "int", "bigint", "decimal(10,2)", "array<string>", "struct<a:int>".
  std::string ToString() const;
  // DuckDB's name for the same type: "INTEGER", "DECIMAL(10,2)", "VARCHAR[]", ...
  std::string ToDuckDb() const;
};

bool operator==(const DataType& a, const DataType& b);
inline bool operator!=(const DataType& a, const DataType& b) { return !(a == b); }

// Parses a type name in Spark's spelling (case-insensitive): boolean, tinyint/byte,
// smallint/short, int/integer, bigint/long, float/real, double, decimal(p,s)/numeric,
// string/varchar(n)/char(n), binary, date, timestamp, timestamp_ntz, array<...>, map<...>,
// struct<...>. InvalidArgument names the offending text.
Result<DataType> ParseTypeName(std::string_view text);

}  // namespace cleanroom::sql
