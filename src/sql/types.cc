#include "sql/types.h"

#include <cctype>

#include "sql/catalog.h"

namespace cleanroom::sql {

DataType DataType::Array(DataType element) {
  DataType t = Of(TypeId::kArray);
  t.children.push_back(std::move(element));
  return t;
}

DataType DataType::Map(DataType key, DataType value) {
  DataType t = Of(TypeId::kMap);
  t.children.push_back(std::move(key));
  t.children.push_back(std::move(value));
  return t;
}

DataType DataType::Struct(std::vector<std::string> names, std::vector<DataType> fields) {
  DataType t = Of(TypeId::kStruct);
  t.field_names = std::move(names);
  t.children = std::move(fields);
  return t;
}

bool DataType::IsIntegral() const {
  return id == TypeId::kTinyInt || id == TypeId::kSmallInt || id == TypeId::kInt ||
         id == TypeId::kBigInt;
}

bool DataType::IsNumeric() const {
  return IsIntegral() || id == TypeId::kFloat || id == TypeId::kDouble || id == TypeId::kDecimal;
}

bool operator==(const DataType& a, const DataType& b) {
  return a.id == b.id && a.precision == b.precision && a.scale == b.scale &&
         a.children == b.children && a.field_names == b.field_names;
}

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kNull:
      return "void";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kTinyInt:
      return "tinyint";
    case TypeId::kSmallInt:
      return "smallint";
    case TypeId::kInt:
      return "int";
    case TypeId::kBigInt:
      return "bigint";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampNtz:
      return "timestamp_ntz";
    case TypeId::kInterval: {
      static constexpr const char* kNames[] = {"",     "year",   "month", "day",
                                               "hour", "minute", "second"};
      if (precision <= kNoField || precision > kSecond || scale < precision || scale > kSecond)
        return "interval";
      std::string out = std::string("interval ") + kNames[precision];
      if (scale != precision) out += std::string(" to ") + kNames[scale];
      return out;
    }
    case TypeId::kArray:
      return "array<" + children.at(0).ToString() + ">";
    case TypeId::kMap:
      return "map<" + children.at(0).ToString() + "," + children.at(1).ToString() + ">";
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += ",";
        out += field_names.at(i) + ":" + children[i].ToString();
      }
      return out + ">";
    }
  }
  return "unknown";
}

std::string DataType::ToDuckDb() const {
  switch (id) {
    case TypeId::kNull:
      return "INTEGER";  // DuckDB's NULL literal type; coerced on use
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kTinyInt:
      return "TINYINT";
    case TypeId::kSmallInt:
      return "SMALLINT";
    case TypeId::kInt:
      return "INTEGER";
    case TypeId::kBigInt:
      return "BIGINT";
    case TypeId::kFloat:
      return "FLOAT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kString:
      return "VARCHAR";
    case TypeId::kBinary:
      return "BLOB";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMPTZ";
    case TypeId::kTimestampNtz:
      return "TIMESTAMP";
    case TypeId::kInterval:
      return "INTERVAL";
    case TypeId::kArray:
      return children.at(0).ToDuckDb() + "[]";
    case TypeId::kMap:
      return "MAP(" + children.at(0).ToDuckDb() + ", " + children.at(1).ToDuckDb() + ")";
    case TypeId::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += ", ";
        out += "\"" + field_names.at(i) + "\" " + children[i].ToDuckDb();
      }
      return out + ")";
    }
  }
  return "VARCHAR";
}

namespace {

// A small recursive-descent reader over a type name.
class TypeNameReader {
 public:
  explicit TypeNameReader(std::string_view text) : text_(text) {}

  Result<DataType> ReadAll() {
    CR_ASSIGN_OR_RETURN(DataType t, Read());
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the type");
    return t;
  }

 private:
  Status Error(const std::string& what) {
    return Status::InvalidArgument("invalid type name '" + std::string(text_) + "' at column " +
                                   std::to_string(pos_ + 1) + ": " + what);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return ToLowerAscii(text_.substr(start, pos_ - start));
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Result<int> Number() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (start == pos_ || pos_ - start > 4) return Error("expected a number");
    return std::stoi(std::string(text_.substr(start, pos_ - start)));
  }

  Result<DataType> Read() {
    size_t start = pos_;
    std::string w = Word();
    if (w == "boolean" || w == "bool") return DataType::Of(TypeId::kBoolean);
    if (w == "tinyint" || w == "byte") return DataType::Of(TypeId::kTinyInt);
    if (w == "smallint" || w == "short") return DataType::Of(TypeId::kSmallInt);
    if (w == "int" || w == "integer") return DataType::Of(TypeId::kInt);
    if (w == "bigint" || w == "long") return DataType::Of(TypeId::kBigInt);
    if (w == "float" || w == "real") return DataType::Of(TypeId::kFloat);
    if (w == "double") return DataType::Of(TypeId::kDouble);
    if (w == "date") return DataType::Of(TypeId::kDate);
    if (w == "timestamp" || w == "timestamp_ltz") return DataType::Of(TypeId::kTimestamp);
    if (w == "timestamp_ntz") return DataType::Of(TypeId::kTimestampNtz);
    if (w == "binary") return DataType::Of(TypeId::kBinary);
    if (w == "interval") {
      // interval [FIELD [TO FIELD]]: an ANSI interval type; alone the untyped interval.
      auto field = [](const std::string& f) {
        static constexpr const char* kNames[] = {"year", "month",  "day",
                                                 "hour", "minute", "second"};
        for (int k = 0; k < 6; ++k) {
          if (f == kNames[k]) return k + 1;
        }
        return 0;
      };
      size_t before = pos_;
      int start = field(Word());
      if (start == kNoField) {
        pos_ = before;
        return DataType::Of(TypeId::kInterval);
      }
      int end = start;
      size_t after_start = pos_;
      if (Word() == "to") {
        end = field(Word());
        bool same_kind = (start <= kMonth) == (end <= kMonth);
        if (end < start || !same_kind) return Error("invalid interval type");
      } else {
        pos_ = after_start;
      }
      return DataType::Interval(start, end);
    }
    if (w == "string" || w == "varchar" || w == "char" || w == "text") {
      if (Eat('(')) {
        CR_RETURN_IF_ERROR(Number().status());
        if (!Eat(')')) return Error("expected ')'");
      }
      return DataType::Of(TypeId::kString);
    }
    if (w == "decimal" || w == "dec" || w == "numeric") {
      int p = 10, s = 0;
      if (Eat('(')) {
        CR_ASSIGN_OR_RETURN(p, Number());
        if (Eat(',')) {
          CR_ASSIGN_OR_RETURN(s, Number());
        }
        if (!Eat(')')) return Error("expected ')'");
      }
      if (p < 1 || p > 38 || s > p)
        return Error("decimal precision must be 1..38 and scale <= precision");
      return DataType::Decimal(p, s);
    }
    if (w == "array") {
      if (!Eat('<')) return Error("expected '<'");
      CR_ASSIGN_OR_RETURN(DataType e, Read());
      if (!Eat('>')) return Error("expected '>'");
      return DataType::Array(std::move(e));
    }
    if (w == "map") {
      if (!Eat('<')) return Error("expected '<'");
      CR_ASSIGN_OR_RETURN(DataType k, Read());
      if (!Eat(',')) return Error("expected ','");
      CR_ASSIGN_OR_RETURN(DataType v, Read());
      if (!Eat('>')) return Error("expected '>'");
      return DataType::Map(std::move(k), std::move(v));
    }
    if (w == "struct") {
      if (!Eat('<')) return Error("expected '<'");
      std::vector<std::string> names;
      std::vector<DataType> fields;
      if (!Eat('>')) {
        do {
          std::string name = Word();
          if (name.empty()) return Error("expected a field name");
          if (!Eat(':')) return Error("expected ':'");
          CR_ASSIGN_OR_RETURN(DataType f, Read());
          names.push_back(std::move(name));
          fields.push_back(std::move(f));
        } while (Eat(','));
        if (!Eat('>')) return Error("expected '>'");
      }
      return DataType::Struct(std::move(names), std::move(fields));
    }
    pos_ = start;
    return Error("unknown type");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<DataType> ParseTypeName(std::string_view text) { return TypeNameReader(text).ReadAll(); }

}  // namespace cleanroom::sql
