#include "slt/result_text.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace cleanroom::slt {
namespace {

// SQLite's text-to-integer: leading spaces, a sign, then digits; the rest is ignored.
std::string LeadingInteger(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string out;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    if (text[i] == '-') out += '-';
    ++i;
  }
  size_t digits_start = out.size();
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) out += text[i++];
  if (out.size() == digits_start) return "0";
  // Drop leading zeros (keeping one digit) and a "-0".
  size_t first = digits_start;
  while (first + 1 < out.size() && out[first] == '0') ++first;
  out.erase(digits_start, first - digits_start);
  if (out == "-0") return "0";
  return out;
}

std::string TruncateReal(long double value) {
  if (std::isnan(value)) return "0";
  long double truncated = std::trunc(value);
  if (truncated >= 9.2233720368547758e18L) return "9223372036854775807";
  if (truncated <= -9.2233720368547758e18L) return "-9223372036854775808";
  return std::to_string(static_cast<long long>(truncated));
}

std::string ThreeDecimals(long double value) {
  char buffer[512];
  if (std::isfinite(value) && std::fabs(value) >= 1e16L) {
    // The corpus's reference platform printed doubles to 16 significant digits, then zeros:
    // -9223372036854775808 as -9223372036854776000.000.
    std::snprintf(buffer, sizeof(buffer), "%.15Le", value);
    std::string text = buffer;  // [-]d.ddddddddddddddde+XX
    size_t e = text.find('e');
    int exponent = std::atoi(text.c_str() + e + 1);
    std::string digits;
    for (size_t i = 0; i < e; ++i) {
      if (std::isdigit(static_cast<unsigned char>(text[i]))) digits += text[i];
    }
    digits.resize(static_cast<size_t>(exponent) + 1, '0');
    return (value < 0 ? "-" : "") + digits + ".000";
  }
  std::snprintf(buffer, sizeof(buffer), "%.3Lf", value);
  std::string out = buffer;
  if (out == "-0.000") out = "0.000";
  return out;
}

bool IsFloating(const sql::DataType& type) {
  return type.id == sql::TypeId::kDouble || type.id == sql::TypeId::kFloat ||
         type.id == sql::TypeId::kDecimal;
}

bool ParseNumber(std::string_view text, long double& out) {
  if (text.empty()) return false;
  std::string copy(text);
  char* end = nullptr;
  out = std::strtold(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

std::string SqliteValue(std::string_view text, const sql::DataType& type, char column_type) {
  bool boolean = type.id == sql::TypeId::kBoolean;
  if (boolean) text = text == "true" ? "1" : "0";
  switch (column_type) {
    case 'I': {
      if (type.IsIntegral() || boolean) return std::string(text);
      if (IsFloating(type)) return TruncateReal(std::strtold(std::string(text).c_str(), nullptr));
      return LeadingInteger(text);
    }
    case 'R':
      return ThreeDecimals(std::strtold(std::string(text).c_str(), nullptr));
    default: {
      if (text.empty()) return "(empty)";
      std::string out;
      if (type.id == sql::TypeId::kDouble || type.id == sql::TypeId::kFloat) {
        char buffer[64];
        std::snprintf(buffer, sizeof(buffer), "%.15g",
                      std::strtod(std::string(text).c_str(), nullptr));
        out = buffer;
        if (out.find_first_of(".eni") == std::string::npos) out += ".0";
        return out;
      }
      out.reserve(text.size());
      for (char c : text) {
        unsigned char u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u > 0x7e) ? '@' : c;
      }
      return out;
    }
  }
}

bool BoolMatches(const std::string& expected, const std::string& actual) {
  return (actual == "true" && expected == "1") || (actual == "false" && expected == "0");
}

bool SparkValueMatches(const std::string& expected, const std::string& actual, char column_type) {
  if (expected == actual) return true;
  if (BoolMatches(expected, actual)) return true;
  long double e = 0;
  long double a = 0;
  if (!ParseNumber(expected, e) || !ParseNumber(actual, a)) return false;
  if (column_type == 'R') {
    // DuckDB's runner compares R approximately: within 1% of the expected value.
    return std::fabs(static_cast<double>(e - a)) <= std::fabs(static_cast<double>(e)) * 0.01 + 1e-8;
  }
  return e == a;
}

}  // namespace

std::string FormatValue(bool is_null, std::string_view text, const sql::DataType& type,
                        char column_type, sql::Dialect dialect) {
  if (is_null) return "NULL";
  if (dialect == sql::Dialect::kSqlite) return SqliteValue(text, type, column_type);
  if (text.empty()) return "(empty)";
  return std::string(text);
}

void SortValues(std::vector<std::string>& values, size_t columns, std::string_view sort_mode) {
  if (sort_mode == "valuesort") {
    std::sort(values.begin(), values.end());
    return;
  }
  if ((sort_mode != "rowsort" && sort_mode != "sort") || columns == 0) return;
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i + columns <= values.size(); i += columns) {
    rows.emplace_back(std::make_move_iterator(values.begin() + i),
                      std::make_move_iterator(values.begin() + i + columns));
  }
  std::vector<std::string> rest(std::make_move_iterator(values.begin() + rows.size() * columns),
                                std::make_move_iterator(values.end()));
  std::sort(rows.begin(), rows.end());
  values.clear();
  for (auto& row : rows) {
    for (auto& value : row) values.push_back(std::move(value));
  }
  for (auto& value : rest) values.push_back(std::move(value));
}

std::string HashValues(const std::vector<std::string>& values) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_md5(), nullptr);
  for (const std::string& value : values) {
    EVP_DigestUpdate(context, value.data(), value.size());
    EVP_DigestUpdate(context, "\n", 1);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest, &length);
  EVP_MD_CTX_free(context);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

Expected ParseExpected(const std::vector<std::string>& lines) {
  Expected expected;
  if (lines.size() == 1) {
    unsigned long count = 0;
    char hash[64] = {0};
    if (std::sscanf(lines[0].c_str(), "%lu values hashing to %40s", &count, hash) == 2 &&
        std::string_view(hash).size() == 32) {
      expected.hashed = true;
      expected.count = count;
      expected.hash = hash;
      return expected;
    }
  }
  for (const std::string& line : lines) {
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      expected.values.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
  }
  expected.count = expected.values.size();
  return expected;
}

std::string CompareValues(const std::vector<std::string>& expected,
                          const std::vector<std::string>& actual, std::string_view types,
                          std::string_view sort_mode, sql::Dialect dialect) {
  if (expected.size() != actual.size()) {
    return "expected " + std::to_string(expected.size()) + " values, got " +
           std::to_string(actual.size());
  }
  size_t columns = types.empty() ? 1 : types.size();
  bool any_real = types.find('R') != std::string_view::npos;
  for (size_t i = 0; i < expected.size(); ++i) {
    char column_type = types.empty()              ? 'T'
                       : sort_mode == "valuesort" ? (any_real ? 'R' : 'T')
                                                  : types[i % columns];
    bool same = dialect == sql::Dialect::kSqlite
                    ? expected[i] == actual[i]
                    : SparkValueMatches(expected[i], actual[i], column_type);
    if (!same) {
      return "value " + std::to_string(i + 1) + " (row " + std::to_string(i / columns + 1) +
             ", column " + std::to_string(i % columns + 1) + "): expected '" + expected[i] +
             "', got '" + actual[i] + "'";
    }
  }
  return "";
}

}  // namespace cleanroom::slt
