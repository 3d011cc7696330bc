#pragma once

#include <string>
#include <string_view>

namespace cleanroom::engine {

// "name" with embedded double quotes doubled: an identifier DuckDB reads back verbatim.
inline std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// 'text' with embedded single quotes doubled: a string literal DuckDB reads back verbatim.
inline std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace cleanroom::engine
