#include "slt/spark_render.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace cleanroom::slt {
namespace {

// Java's notation from shortest scientific digits: plain for 1e-3 <= |x| < 1e7 (at least one
// fractional digit), else d.dddE<n>.
std::string JavaNotation(std::string_view scientific) {
  bool negative = scientific.starts_with('-');
  if (negative) scientific.remove_prefix(1);
  size_t e = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent =
      e == std::string_view::npos ? 0 : std::atoi(std::string(scientific.substr(e + 1)).c_str());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= -3 && exponent < 7) {
    if (exponent >= 0) {
      std::string whole =
          digits.substr(0, std::min(digits.size(), static_cast<size_t>(exponent) + 1));
      while (whole.size() < static_cast<size_t>(exponent) + 1) whole += '0';
      std::string fraction = digits.size() > whole.size() ? digits.substr(whole.size()) : "";
      if (digits.size() <= static_cast<size_t>(exponent) + 1) fraction = "0";
      out += whole + "." + fraction;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
         std::to_string(exponent);
  return out;
}

template <typename T>
std::string JavaFloating(T value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  return JavaNotation(std::string_view(buffer, end - buffer));
}

std::string FromHex(std::string_view hex) {
  std::string bytes;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return bytes;
}

// An interval from the engine's kText spelling ("N months N days [-]HH:MM:SS[.ffffff]", parts
// that are zero left out) in Spark's ANSI forms: a year-month interval "Y-M", a day-time one
// "D HH:MM:SS.nnnnnnnnn" (sign first). An interval mixing months with days or time keeps the
// engine's spelling (Spark has no ANSI form for it).
std::string RenderInterval(std::string_view text, const sql::DataType& type) {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
  std::string word;
  int64_t number = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view token = text.substr(at, end - at);
    at = end + 1;
    if (token.find(':') != std::string_view::npos) {
      bool negative = token.starts_with('-');
      if (negative) token.remove_prefix(1);
      int64_t h = 0, m = 0;
      double sec = 0;
      if (std::sscanf(std::string(token).c_str(), "%ld:%ld:%lf", &h, &m, &sec) != 3)
        return std::string(text);
      int64_t value =
          (h * 3600 + m * 60) * 1000000 + static_cast<int64_t>(std::llround(sec * 1000000));
      micros = negative ? -value : value;
    } else if (token.starts_with("month") || token.starts_with("mon")) {
      months = number;
    } else if (token.starts_with("day")) {
      days = number;
    } else if (token.starts_with("year")) {
      months += number * 12;
    } else {
      number = std::atoll(std::string(token).c_str());
    }
  }
  char buffer[96];
  bool year_month = type.IsYearMonthInterval() ||
                    (!type.IsDayTimeInterval() && months != 0 && days == 0 && micros == 0);
  if (year_month && days == 0 && micros == 0) {
    uint64_t m = static_cast<uint64_t>(months < 0 ? -months : months);
    std::snprintf(buffer, sizeof(buffer), "%s%llu-%llu", months < 0 ? "-" : "",
                  static_cast<unsigned long long>(m / 12), static_cast<unsigned long long>(m % 12));
    return buffer;
  }
  if (months != 0) return std::string(text);
  int64_t total = days * 86400000000LL + micros;
  uint64_t v = static_cast<uint64_t>(total < 0 ? -total : total);
  std::snprintf(buffer, sizeof(buffer), "%s%llu %02llu:%02llu:%02llu.%06llu000",
                total < 0 ? "-" : "", static_cast<unsigned long long>(v / 86400000000ULL),
                static_cast<unsigned long long>(v / 3600000000ULL % 24),
                static_cast<unsigned long long>(v / 60000000ULL % 60),
                static_cast<unsigned long long>(v / 1000000ULL % 60),
                static_cast<unsigned long long>(v % 1000000ULL));
  return buffer;
}

// A scalar from the engine's kText spelling.
std::string RenderScalar(std::string_view text, const sql::DataType& type) {
  switch (type.id) {
    case sql::TypeId::kInterval:
      return RenderInterval(text, type);
    case sql::TypeId::kDouble:
      return JavaDoubleString(std::strtod(std::string(text).c_str(), nullptr));
    case sql::TypeId::kFloat:
      return JavaFloatString(std::strtof(std::string(text).c_str(), nullptr));
    case sql::TypeId::kBinary:
      return Utf8Sanitized(FromHex(text));
    default:
      return std::string(text);
  }
}

// A minimal reader of the engine's kJson spelling of nested values.
struct JsonValue {
  // Defined below the class: an implicit one would need std::pair<std::string, JsonValue>
  // complete inside the class, which clang (and so clang-tidy) refuses.
  JsonValue();
  enum class Kind { kNull, kScalar, kString, kArray, kObject } kind = Kind::kNull;
  std::string text;                                      // kScalar: the token; kString: decoded
  std::vector<std::pair<std::string, JsonValue>> items;  // kArray (keys empty) / kObject
};
JsonValue::JsonValue() = default;

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}
  JsonValue Read() {
    Skip();
    JsonValue value;
    if (at_ >= text_.size()) return value;
    char c = text_[at_];
    if (c == '[' || c == '{') {
      value.kind = c == '[' ? JsonValue::Kind::kArray : JsonValue::Kind::kObject;
      char close = c == '[' ? ']' : '}';
      ++at_;
      Skip();
      while (at_ < text_.size() && text_[at_] != close) {
        std::string key;
        if (value.kind == JsonValue::Kind::kObject) {
          key = Read().text;
          Skip();
          if (at_ < text_.size() && text_[at_] == ':') ++at_;
        }
        value.items.emplace_back(key, Read());
        Skip();
        if (at_ < text_.size() && text_[at_] == ',') ++at_;
        Skip();
      }
      ++at_;
    } else if (c == '"') {
      value.kind = JsonValue::Kind::kString;
      value.text = ReadString();
    } else {
      size_t start = at_;
      while (at_ < text_.size() && text_[at_] != ',' && text_[at_] != ']' && text_[at_] != '}' &&
             text_[at_] != ':' && text_[at_] != ' ') {
        ++at_;
      }
      value.text = std::string(text_.substr(start, at_ - start));
      value.kind = value.text == "null" ? JsonValue::Kind::kNull : JsonValue::Kind::kScalar;
    }
    return value;
  }

 private:
  void Skip() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n')) ++at_;
  }
  std::string ReadString() {
    std::string out;
    ++at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (c != '\\' || at_ >= text_.size()) {
        out += c;
        continue;
      }
      char e = text_[at_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          unsigned code = std::strtoul(std::string(text_.substr(at_, 4)).c_str(), nullptr, 16);
          at_ += 4;
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default:
          out += e;
      }
    }
    ++at_;
    return out;
  }
  std::string_view text_;
  size_t at_ = 0;
};

// A value inside a nested value: strings quoted, NULL as null.
void RenderNested(const JsonValue& value, const sql::DataType& type, std::string& out) {
  if (value.kind == JsonValue::Kind::kNull) {
    out += "null";
    return;
  }
  switch (type.id) {
    case sql::TypeId::kArray:
      out += '[';
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ',';
        RenderNested(value.items[i].second, type.children[0], out);
      }
      out += ']';
      return;
    case sql::TypeId::kMap:
      out += '{';
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ',';
        JsonValue key;
        key.kind = JsonValue::Kind::kScalar;
        key.text = value.items[i].first;
        if (type.children[0].id == sql::TypeId::kString) key.kind = JsonValue::Kind::kString;
        RenderNested(key, type.children[0], out);
        out += ':';
        RenderNested(value.items[i].second, type.children[1], out);
      }
      out += '}';
      return;
    case sql::TypeId::kStruct:
      out += '{';
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ',';
        out += '"' + value.items[i].first + "\":";
        sql::DataType field = i < type.children.size() ? type.children[i] : sql::DataType{};
        RenderNested(value.items[i].second, field, out);
      }
      out += '}';
      return;
    case sql::TypeId::kString:
      out += '"' + value.text + '"';
      return;
    default:
      out += RenderScalar(value.text, type);
  }
}

}  // namespace

std::string JavaDoubleString(double value) { return JavaFloating(value); }
std::string RenderSparkIntervalText(std::string_view engine_text) {
  return RenderInterval(engine_text, sql::DataType::Of(sql::TypeId::kInterval));
}
std::string JavaFloatString(float value) { return JavaFloating(value); }

std::string Utf8Sanitized(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool valid = length > 0 && i + length <= bytes.size();
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
    }
    if (valid && length >= 2) {
      // Overlong forms and surrogates are invalid too.
      unsigned char d = static_cast<unsigned char>(bytes[i + 1]);
      if ((length == 2 && c < 0xC2) || (length == 3 && c == 0xE0 && d < 0xA0) ||
          (length == 3 && c == 0xED && d >= 0xA0) || (length == 4 && c == 0xF0 && d < 0x90) ||
          (length == 4 && (c > 0xF4 || (c == 0xF4 && d >= 0x90)))) {
        valid = false;
      }
    }
    if (valid) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string RenderSparkCell(const engine::Chunk& chunk, idx_t column, idx_t row,
                            const sql::DataType& type) {
  if (chunk.IsNull(column, row)) return "NULL";
  std::string text;
  if (type.IsNested()) {
    chunk.AppendCell(column, row, engine::CellStyle::kJson, text);
    std::string out;
    RenderNested(JsonReader(text).Read(), type, out);
    return out;
  }
  chunk.AppendCell(column, row, engine::CellStyle::kText, text);
  return RenderScalar(text, type);
}

}  // namespace cleanroom::slt
