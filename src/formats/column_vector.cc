#include "formats/column_vector.h"

#include <charconv>
#include <cstdio>

namespace cleanroom::formats {
namespace {

using sql::TypeId;

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = year + (*m <= 2);
}

std::string RenderDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string RenderTimestamp(int64_t micros) {
  const int64_t per_day = int64_t{86400} * 1000000;
  int64_t days = micros / per_day, rest = micros % per_day;
  if (rest < 0) {
    rest += per_day;
    --days;
  }
  int64_t seconds = rest / 1000000, fraction = rest % 1000000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s %02lld:%02lld:%02lld", RenderDate(days).c_str(),
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60));
  std::string out = buf;
  if (fraction != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(fraction));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

std::string UnsignedToString(unsigned __int128 u) {
  if (u == 0) return "0";
  std::string digits;
  while (u != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return std::string(digits.rbegin(), digits.rend());
}

std::string RenderDecimal(__int128 v, int scale) {
  bool negative = v < 0;
  // The magnitude in unsigned arithmetic: negating the smallest int128 would overflow.
  unsigned __int128 magnitude =
      negative ? ~static_cast<unsigned __int128>(v) + 1 : static_cast<unsigned __int128>(v);
  std::string digits = UnsignedToString(magnitude);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return negative ? "-" + digits : digits;
}

template <typename T>
std::string Shortest(T v) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, result.ptr);
  if (s == "inf") return "inf";
  if (s == "-inf") return "-inf";
  if (s == "nan" || s == "-nan") return "nan";
  // DuckDB prints integral floating-point values with a ".0".
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

size_t FixedWidthOf(const sql::DataType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
    case TypeId::kTinyInt:
      return 1;
    case TypeId::kSmallInt:
      return 2;
    case TypeId::kInt:
    case TypeId::kDate:
    case TypeId::kFloat:
      return 4;
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return 8;
    case TypeId::kDecimal:
      return type.precision <= 18 ? 8 : 16;
    default:
      return 0;
  }
}

std::string RenderValue(const ColumnVector& c, size_t row) {
  if (c.IsNull(row)) return "NULL";
  switch (c.type.id) {
    case TypeId::kBoolean:
      return c.data[row] ? "true" : "false";
    case TypeId::kTinyInt:
      return std::to_string(c.Value<int8_t>(row));
    case TypeId::kSmallInt:
      return std::to_string(c.Value<int16_t>(row));
    case TypeId::kInt:
      return std::to_string(c.Value<int32_t>(row));
    case TypeId::kBigInt:
      return std::to_string(c.Value<int64_t>(row));
    case TypeId::kFloat:
      return Shortest(c.Value<float>(row));
    case TypeId::kDouble:
      return Shortest(c.Value<double>(row));
    case TypeId::kDecimal:
      return RenderDecimal(c.type.precision <= 18 ? static_cast<__int128>(c.Value<int64_t>(row))
                                                  : c.Value<__int128>(row),
                           c.type.scale);
    case TypeId::kDate:
      return RenderDate(c.Value<int32_t>(row));
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return RenderTimestamp(c.Value<int64_t>(row));
    case TypeId::kString:
      return std::string(c.String(row));
    case TypeId::kBinary: {
      std::string out;
      for (char ch : c.String(row)) {
        auto u = static_cast<unsigned char>(ch);
        if (u >= 32 && u <= 126 && u != '\\' && u != '\'' && u != '"') {
          out.push_back(ch);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02X", u);
          out += buf;
        }
      }
      return out;
    }
    case TypeId::kArray: {
      std::string out = "[";
      for (int64_t i = c.offsets[row]; i < c.offsets[row + 1]; ++i) {
        if (i > c.offsets[row]) out += ", ";
        out += RenderValue(c.children[0], static_cast<size_t>(i));
      }
      return out + "]";
    }
    case TypeId::kMap: {
      std::string out = "{";
      for (int64_t i = c.offsets[row]; i < c.offsets[row + 1]; ++i) {
        if (i > c.offsets[row]) out += ", ";
        out += RenderValue(c.children[0], static_cast<size_t>(i)) + "=" +
               RenderValue(c.children[1], static_cast<size_t>(i));
      }
      return out + "}";
    }
    case TypeId::kStruct: {
      std::string out = "{";
      for (size_t f = 0; f < c.children.size(); ++f) {
        if (f > 0) out += ", ";
        out += "'" + c.type.field_names[f] + "': " + RenderValue(c.children[f], row);
      }
      return out + "}";
    }
    default:
      return "?";
  }
}

}  // namespace cleanroom::formats
