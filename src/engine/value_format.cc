#include "engine/value_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/type_mapping.h"

namespace cleanroom::engine {
namespace {

using Int128 = __int128;

void AppendInt128(Int128 value, std::string& out) {
  if (value == 0) {
    out += '0';
    return;
  }
  bool negative = value < 0;
  // Work on the negative side so that the minimum value does not overflow.
  if (!negative) value = -value;
  char digits[48];
  int n = 0;
  while (value != 0) {
    digits[n++] = static_cast<char>('0' - static_cast<int>(value % 10));
    value /= 10;
  }
  if (negative) out += '-';
  while (n > 0) out += digits[--n];
}

void AppendUint128(unsigned __int128 value, std::string& out) {
  char digits[48];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  while (n > 0) out += digits[--n];
}

Int128 FromHugeint(duckdb_hugeint h) {
  return static_cast<Int128>(
      (static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64) | h.lower);
}

void AppendDecimal(Int128 value, int scale, std::string& out) {
  if (scale == 0) {
    AppendInt128(value, out);
    return;
  }
  std::string digits;
  bool negative = value < 0;
  AppendInt128(value, digits);
  if (negative) digits.erase(0, 1);
  if (digits.size() <= static_cast<size_t>(scale)) {
    digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
  }
  if (negative) out += '-';
  out.append(digits, 0, digits.size() - scale);
  out += '.';
  out.append(digits, digits.size() - scale, std::string::npos);
}

void AppendDouble(double value, CellStyle style, std::string& out) {
  if (!std::isfinite(value)) {
    const char* text = std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
    if (style == CellStyle::kJson) {
      out += '"';
      out += text;
      out += '"';
    } else {
      out += text;
    }
    return;
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string_view text(buffer, end - buffer);
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void AppendFloat(float value, CellStyle style, std::string& out) {
  if (!std::isfinite(value)) {
    AppendDouble(value, style, out);
    return;
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string_view text(buffer, end - buffer);
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void AppendTwoDigits(int value, std::string& out) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

void AppendDate(duckdb_date_struct d, std::string& out) {
  char buffer[32];
  int year = d.year;
  if (year <= 0) {
    // Year 0 is 1 BC in DuckDB's proleptic calendar.
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d (BC)", 1 - year, d.month, d.day);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", year, d.month, d.day);
  }
  out += buffer;
}

void AppendTime(duckdb_time_struct t, std::string& out) {
  AppendTwoDigits(t.hour, out);
  out += ':';
  AppendTwoDigits(t.min, out);
  out += ':';
  AppendTwoDigits(t.sec, out);
  if (t.micros != 0) {
    char buffer[16];
    std::snprintf(buffer, sizeof(buffer), ".%06d", t.micros);
    std::string_view fraction(buffer);
    while (fraction.back() == '0') fraction.remove_suffix(1);
    out += fraction;
  }
}

void AppendTimestampMicros(int64_t micros, std::string& out) {
  if (micros == INT64_MAX) {
    out += "infinity";
    return;
  }
  if (micros == -INT64_MAX) {
    out += "-infinity";
    return;
  }
  duckdb_timestamp_struct ts = duckdb_from_timestamp(duckdb_timestamp{micros});
  AppendDate(ts.date, out);
  out += ' ';
  AppendTime(ts.time, out);
}

void AppendString(std::string_view text, CellStyle style, std::string& out) {
  if (style == CellStyle::kJson) {
    AppendJsonString(text, out);
  } else {
    out += text;
  }
}

std::string_view StringAt(void* data, idx_t row) {
  auto* strings = static_cast<duckdb_string_t*>(data);
  return std::string_view(duckdb_string_t_data(&strings[row]),
                          duckdb_string_t_length(strings[row]));
}

void AppendInterval(duckdb_interval v, std::string& out) {
  std::string text;
  if (v.months != 0) text += std::to_string(v.months) + " months ";
  if (v.days != 0) text += std::to_string(v.days) + " days ";
  if (v.micros != 0 || text.empty()) {
    int64_t micros = v.micros;
    if (micros < 0) {
      text += '-';
      micros = -micros;
    }
    char buffer[48];
    std::snprintf(buffer, sizeof(buffer), "%02lld:%02lld:%02lld",
                  static_cast<long long>(micros / 3600000000LL),
                  static_cast<long long>(micros / 60000000LL % 60),
                  static_cast<long long>(micros / 1000000LL % 60));
    text += buffer;
    if (micros % 1000000 != 0) {
      std::snprintf(buffer, sizeof(buffer), ".%06lld", static_cast<long long>(micros % 1000000));
      std::string_view fraction(buffer);
      while (fraction.back() == '0') fraction.remove_suffix(1);
      text += fraction;
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  out += text;
}

void AppendUuid(duckdb_hugeint h, std::string& out) {
  // DuckDB stores a UUID with its top bit flipped so that signed order is UUID order.
  uint64_t upper = static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63);
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(upper >> 32),
                static_cast<unsigned long long>((upper >> 16) & 0xffff),
                static_cast<unsigned long long>(upper & 0xffff),
                static_cast<unsigned long long>(h.lower >> 48),
                static_cast<unsigned long long>(h.lower & 0xffffffffffffULL));
  out += buffer;
}

void AppendNested(duckdb_vector vector, duckdb_logical_type type, idx_t row, CellStyle style,
                  std::string& out);

void AppendChild(duckdb_vector child, duckdb_logical_type child_type, idx_t index, CellStyle style,
                 std::string& out) {
  if (CellIsNull(child, index)) {
    out += style == CellStyle::kJson ? "null" : "NULL";
    return;
  }
  // Strings inside a nested value are quoted in text too, so that [a, b] and ['a, b'] differ.
  duckdb_type id = duckdb_get_type_id(child_type);
  if (style == CellStyle::kText && (id == DUCKDB_TYPE_VARCHAR || id == DUCKDB_TYPE_ENUM)) {
    out += '\'';
    AppendCell(child, child_type, index, style, out);
    out += '\'';
    return;
  }
  AppendCell(child, child_type, index, style, out);
}

void AppendNested(duckdb_vector vector, duckdb_logical_type type, idx_t row, CellStyle style,
                  std::string& out) {
  duckdb_type id = duckdb_get_type_id(type);
  void* data = duckdb_vector_get_data(vector);
  if (id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY) {
    idx_t offset = 0;
    idx_t length = 0;
    duckdb_vector child = nullptr;
    duckdb_logical_type child_raw = nullptr;
    if (id == DUCKDB_TYPE_LIST) {
      auto* entries = static_cast<duckdb_list_entry*>(data);
      offset = entries[row].offset;
      length = entries[row].length;
      child = duckdb_list_vector_get_child(vector);
      child_raw = duckdb_list_type_child_type(type);
    } else {
      length = duckdb_array_type_array_size(type);
      offset = row * length;
      child = duckdb_array_vector_get_child(vector);
      child_raw = duckdb_array_type_child_type(type);
    }
    LogicalType child_type(child_raw);
    out += '[';
    for (idx_t i = 0; i < length; ++i) {
      if (i > 0) out += style == CellStyle::kJson ? "," : ", ";
      AppendChild(child, child_type.get(), offset + i, style, out);
    }
    out += ']';
    return;
  }
  if (id == DUCKDB_TYPE_STRUCT) {
    idx_t count = duckdb_struct_type_child_count(type);
    out += '{';
    for (idx_t i = 0; i < count; ++i) {
      if (i > 0) out += style == CellStyle::kJson ? "," : ", ";
      char* name = duckdb_struct_type_child_name(type, i);
      if (style == CellStyle::kJson) {
        AppendJsonString(name, out);
        out += ':';
      } else {
        out += name;
        out += ": ";
      }
      duckdb_free(name);
      LogicalType child_type(duckdb_struct_type_child_type(type, i));
      AppendChild(duckdb_struct_vector_get_child(vector, i), child_type.get(), row, style, out);
    }
    out += '}';
    return;
  }
  if (id == DUCKDB_TYPE_MAP) {
    // A map is a list of (key, value) structs.
    auto* entries = static_cast<duckdb_list_entry*>(data);
    duckdb_vector pairs = duckdb_list_vector_get_child(vector);
    duckdb_vector keys = duckdb_struct_vector_get_child(pairs, 0);
    duckdb_vector values = duckdb_struct_vector_get_child(pairs, 1);
    LogicalType key_type(duckdb_map_type_key_type(type));
    LogicalType value_type(duckdb_map_type_value_type(type));
    out += '{';
    for (idx_t i = 0; i < entries[row].length; ++i) {
      idx_t at = entries[row].offset + i;
      if (i > 0) out += style == CellStyle::kJson ? "," : ", ";
      if (style == CellStyle::kJson) {
        std::string key;
        AppendCell(keys, key_type.get(), at, CellStyle::kText, key);
        AppendJsonString(key, out);
        out += ':';
      } else {
        AppendCell(keys, key_type.get(), at, style, out);
        out += '=';
      }
      AppendChild(values, value_type.get(), at, style, out);
    }
    out += '}';
  }
}

}  // namespace

bool CellIsNull(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return validity != nullptr && !duckdb_validity_row_is_valid(validity, row);
}

void AppendJsonString(std::string_view text, std::string& out) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendCell(duckdb_vector vector, duckdb_logical_type type, idx_t row, CellStyle style,
                std::string& out) {
  if (CellIsNull(vector, row)) {
    if (style == CellStyle::kJson) out += "null";
    return;
  }
  void* data = duckdb_vector_get_data(vector);
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      out += static_cast<bool*>(data)[row] ? "true" : "false";
      return;
    case DUCKDB_TYPE_TINYINT:
      out += std::to_string(static_cast<int8_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_SMALLINT:
      out += std::to_string(static_cast<int16_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_INTEGER:
      out += std::to_string(static_cast<int32_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_BIGINT:
      out += std::to_string(static_cast<int64_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_UTINYINT:
      out += std::to_string(static_cast<uint8_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_USMALLINT:
      out += std::to_string(static_cast<uint16_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_UINTEGER:
      out += std::to_string(static_cast<uint32_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_UBIGINT:
      out += std::to_string(static_cast<uint64_t*>(data)[row]);
      return;
    case DUCKDB_TYPE_HUGEINT:
      AppendInt128(FromHugeint(static_cast<duckdb_hugeint*>(data)[row]), out);
      return;
    case DUCKDB_TYPE_UHUGEINT: {
      duckdb_uhugeint u = static_cast<duckdb_uhugeint*>(data)[row];
      AppendUint128((static_cast<unsigned __int128>(u.upper) << 64) | u.lower, out);
      return;
    }
    case DUCKDB_TYPE_FLOAT:
      AppendFloat(static_cast<float*>(data)[row], style, out);
      return;
    case DUCKDB_TYPE_DOUBLE:
      AppendDouble(static_cast<double*>(data)[row], style, out);
      return;
    case DUCKDB_TYPE_DECIMAL: {
      int scale = duckdb_decimal_scale(type);
      Int128 value = 0;
      switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT:
          value = static_cast<int16_t*>(data)[row];
          break;
        case DUCKDB_TYPE_INTEGER:
          value = static_cast<int32_t*>(data)[row];
          break;
        case DUCKDB_TYPE_BIGINT:
          value = static_cast<int64_t*>(data)[row];
          break;
        default:
          value = FromHugeint(static_cast<duckdb_hugeint*>(data)[row]);
          break;
      }
      AppendDecimal(value, scale, out);
      return;
    }
    case DUCKDB_TYPE_VARCHAR:
      AppendString(StringAt(data, row), style, out);
      return;
    case DUCKDB_TYPE_BLOB: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string_view bytes = StringAt(data, row);
      std::string hex;
      hex.reserve(bytes.size() * 2);
      for (unsigned char b : bytes) {
        hex += kHex[b >> 4];
        hex += kHex[b & 15];
      }
      AppendString(hex, style, out);
      return;
    }
    case DUCKDB_TYPE_DATE: {
      int32_t days = static_cast<int32_t*>(data)[row];
      std::string text;
      if (days == INT32_MAX) {
        text = "infinity";
      } else if (days == -INT32_MAX) {
        text = "-infinity";
      } else {
        AppendDate(duckdb_from_date(duckdb_date{days}), text);
      }
      AppendString(text, style, out);
      return;
    }
    case DUCKDB_TYPE_TIME: {
      std::string text;
      AppendTime(duckdb_from_time(duckdb_time{static_cast<int64_t*>(data)[row]}), text);
      AppendString(text, style, out);
      return;
    }
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
      int64_t raw = static_cast<int64_t*>(data)[row];
      int64_t micros = raw;
      duckdb_type id = duckdb_get_type_id(type);
      bool infinite = raw == INT64_MAX || raw == -INT64_MAX;
      if (!infinite && id == DUCKDB_TYPE_TIMESTAMP_S) micros = raw * 1000000;
      if (!infinite && id == DUCKDB_TYPE_TIMESTAMP_MS) micros = raw * 1000;
      if (!infinite && id == DUCKDB_TYPE_TIMESTAMP_NS)
        micros = raw / 1000 - (raw % 1000 < 0 ? 1 : 0);
      std::string text;
      AppendTimestampMicros(micros, text);
      AppendString(text, style, out);
      return;
    }
    case DUCKDB_TYPE_INTERVAL: {
      std::string text;
      AppendInterval(static_cast<duckdb_interval*>(data)[row], text);
      AppendString(text, style, out);
      return;
    }
    case DUCKDB_TYPE_UUID: {
      std::string text;
      AppendUuid(static_cast<duckdb_hugeint*>(data)[row], text);
      AppendString(text, style, out);
      return;
    }
    case DUCKDB_TYPE_ENUM: {
      idx_t index = 0;
      switch (duckdb_enum_internal_type(type)) {
        case DUCKDB_TYPE_UTINYINT:
          index = static_cast<uint8_t*>(data)[row];
          break;
        case DUCKDB_TYPE_USMALLINT:
          index = static_cast<uint16_t*>(data)[row];
          break;
        default:
          index = static_cast<uint32_t*>(data)[row];
          break;
      }
      char* text = duckdb_enum_dictionary_value(type, index);
      AppendString(text != nullptr ? text : "", style, out);
      duckdb_free(text);
      return;
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP:
      AppendNested(vector, type, row, style, out);
      return;
    default:
      out += style == CellStyle::kJson ? "null" : "?";
      return;
  }
}

}  // namespace cleanroom::engine
