#include "engine/type_mapping.h"

#include <vector>

#include "engine/sql_quoting.h"

namespace cleanroom::engine {
namespace {

std::string TakeString(char* text) {
  std::string out = text != nullptr ? text : "";
  duckdb_free(text);
  return out;
}

}  // namespace

Result<sql::DataType> ToSqlType(duckdb_logical_type type) {
  using sql::DataType;
  using sql::TypeId;
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return DataType::Of(TypeId::kBoolean);
    case DUCKDB_TYPE_TINYINT:
      return DataType::Of(TypeId::kTinyInt);
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_UTINYINT:
      return DataType::Of(TypeId::kSmallInt);
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_USMALLINT:
      return DataType::Of(TypeId::kInt);
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UINTEGER:
      return DataType::Of(TypeId::kBigInt);
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_BIGNUM:
      return DataType::Decimal(38, 0);
    case DUCKDB_TYPE_FLOAT:
      return DataType::Of(TypeId::kFloat);
    case DUCKDB_TYPE_DOUBLE:
      return DataType::Of(TypeId::kDouble);
    case DUCKDB_TYPE_DECIMAL:
      return DataType::Decimal(duckdb_decimal_width(type), duckdb_decimal_scale(type));
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_ENUM:
    case DUCKDB_TYPE_UUID:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIME_TZ:
    case DUCKDB_TYPE_TIME_NS:
      return DataType::Of(TypeId::kString);
    case DUCKDB_TYPE_BLOB:
      return DataType::Of(TypeId::kBinary);
    case DUCKDB_TYPE_DATE:
      return DataType::Of(TypeId::kDate);
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return DataType::Of(TypeId::kTimestamp);
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return DataType::Of(TypeId::kTimestampNtz);
    case DUCKDB_TYPE_INTERVAL:
      return DataType::Of(TypeId::kInterval);
    case DUCKDB_TYPE_SQLNULL:
      return DataType::Of(TypeId::kNull);
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      CR_ASSIGN_OR_RETURN(DataType element, ToSqlType(child.get()));
      return DataType::Array(std::move(element));
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      CR_ASSIGN_OR_RETURN(DataType element, ToSqlType(child.get()));
      return DataType::Array(std::move(element));
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      CR_ASSIGN_OR_RETURN(DataType key_type, ToSqlType(key.get()));
      CR_ASSIGN_OR_RETURN(DataType value_type, ToSqlType(value.get()));
      return DataType::Map(std::move(key_type), std::move(value_type));
    }
    case DUCKDB_TYPE_STRUCT: {
      std::vector<std::string> names;
      std::vector<DataType> fields;
      idx_t count = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < count; ++i) {
        names.push_back(TakeString(duckdb_struct_type_child_name(type, i)));
        LogicalType child(duckdb_struct_type_child_type(type, i));
        CR_ASSIGN_OR_RETURN(DataType field, ToSqlType(child.get()));
        fields.push_back(std::move(field));
      }
      return DataType::Struct(std::move(names), std::move(fields));
    }
    default:
      return Status::Unimplemented("DuckDB type id " +
                                   std::to_string(static_cast<int>(duckdb_get_type_id(type))) +
                                   " has no clean-room type");
  }
}

Result<std::string> DuckDbTypeName(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return std::string("BOOLEAN");
    case DUCKDB_TYPE_TINYINT:
      return std::string("TINYINT");
    case DUCKDB_TYPE_SMALLINT:
      return std::string("SMALLINT");
    case DUCKDB_TYPE_INTEGER:
      return std::string("INTEGER");
    case DUCKDB_TYPE_BIGINT:
      return std::string("BIGINT");
    case DUCKDB_TYPE_UTINYINT:
      return std::string("UTINYINT");
    case DUCKDB_TYPE_USMALLINT:
      return std::string("USMALLINT");
    case DUCKDB_TYPE_UINTEGER:
      return std::string("UINTEGER");
    case DUCKDB_TYPE_UBIGINT:
      return std::string("UBIGINT");
    case DUCKDB_TYPE_HUGEINT:
      return std::string("HUGEINT");
    case DUCKDB_TYPE_UHUGEINT:
      return std::string("UHUGEINT");
    case DUCKDB_TYPE_BIGNUM:
      return std::string("BIGNUM");
    case DUCKDB_TYPE_FLOAT:
      return std::string("FLOAT");
    case DUCKDB_TYPE_DOUBLE:
      return std::string("DOUBLE");
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
             std::to_string(duckdb_decimal_scale(type)) + ")";
    case DUCKDB_TYPE_VARCHAR:
      return std::string("VARCHAR");
    case DUCKDB_TYPE_BLOB:
      return std::string("BLOB");
    case DUCKDB_TYPE_UUID:
      return std::string("UUID");
    case DUCKDB_TYPE_DATE:
      return std::string("DATE");
    case DUCKDB_TYPE_TIME:
      return std::string("TIME");
    case DUCKDB_TYPE_TIME_TZ:
      return std::string("TIMETZ");
    case DUCKDB_TYPE_TIME_NS:
      return std::string("TIME_NS");
    case DUCKDB_TYPE_TIMESTAMP:
      return std::string("TIMESTAMP");
    case DUCKDB_TYPE_TIMESTAMP_S:
      return std::string("TIMESTAMP_S");
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return std::string("TIMESTAMP_MS");
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return std::string("TIMESTAMP_NS");
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return std::string("TIMESTAMPTZ");
    case DUCKDB_TYPE_INTERVAL:
      return std::string("INTERVAL");
    case DUCKDB_TYPE_SQLNULL:
      return std::string("INTEGER");  // a column of NULLs
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      CR_ASSIGN_OR_RETURN(std::string element, DuckDbTypeName(child.get()));
      return element + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      CR_ASSIGN_OR_RETURN(std::string element, DuckDbTypeName(child.get()));
      return element + "[" + std::to_string(duckdb_array_type_array_size(type)) + "]";
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type));
      LogicalType value(duckdb_map_type_value_type(type));
      CR_ASSIGN_OR_RETURN(std::string key_name, DuckDbTypeName(key.get()));
      CR_ASSIGN_OR_RETURN(std::string value_name, DuckDbTypeName(value.get()));
      return "MAP(" + key_name + ", " + value_name + ")";
    }
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "STRUCT(";
      idx_t count = duckdb_struct_type_child_count(type);
      for (idx_t i = 0; i < count; ++i) {
        if (i > 0) out += ", ";
        LogicalType child(duckdb_struct_type_child_type(type, i));
        CR_ASSIGN_OR_RETURN(std::string field, DuckDbTypeName(child.get()));
        out += QuoteIdentifier(TakeString(duckdb_struct_type_child_name(type, i))) + " " + field;
      }
      return out + ")";
    }
    default:
      return Status::Unimplemented("DuckDB type id " +
                                   std::to_string(static_cast<int>(duckdb_get_type_id(type))) +
                                   " cannot be written to another database");
  }
}

}  // namespace cleanroom::engine
