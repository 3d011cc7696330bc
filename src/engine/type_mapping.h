#pragma once

#include <duckdb.h>

#include <string>

#include "base/status.h"
#include "sql/types.h"

namespace cleanroom::engine {

// The clean room's type for a DuckDB logical type. Unsigned and 128-bit integers widen to the
// next type that holds every value (UINTEGER -> bigint, UBIGINT / HUGEINT -> decimal(38,0)),
// VARCHAR / ENUM / UUID are string, TIMESTAMP_TZ is timestamp, the other timestamps are
// timestamp_ntz, TIME is string. Unimplemented names a type with no counterpart (UNION, BIT).
// Does not take ownership of `type`.
Result<sql::DataType> ToSqlType(duckdb_logical_type type);

// DuckDB's spelling of `type` ("DECIMAL(18,3)", "INTEGER[]", "STRUCT(\"a\" INTEGER)"), usable
// in CREATE TABLE so that a second database can hold values of exactly this type.
// Unimplemented for ENUM, UNION and BIT.
Result<std::string> DuckDbTypeName(duckdb_logical_type type);

// Owns a duckdb_logical_type.
class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type type) : type_(type) {}
  ~LogicalType() {
    if (type_ != nullptr) duckdb_destroy_logical_type(&type_);
  }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

}  // namespace cleanroom::engine
