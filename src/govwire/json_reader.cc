#include "govwire/json_reader.h"

#include <algorithm>

#include "crypto/hash.h"

namespace cleanroom::govwire {

namespace {

// Thrown by the parser callback to stop at the first value past a bound; caught in ParseJson.
struct JsonBoundExceeded {
  const char* what;
};

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view where) {
  size_t values = 0;
  // nlohmann's parser is iterative; the callback sees every value as it starts, with its depth,
  // so a bound stops the parse before the document is built any deeper or larger.
  auto bound = [&values](int depth, Json::parse_event_t event, Json&) {
    if (depth >= kMaxJsonDepth) throw JsonBoundExceeded{"nests deeper than 64 levels"};
    if (event == Json::parse_event_t::value || event == Json::parse_event_t::object_start ||
        event == Json::parse_event_t::array_start) {
      if (++values > kMaxJsonValues) throw JsonBoundExceeded{"holds more than 200000 values"};
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), bound);
  } catch (const Json::parse_error& e) {
    // nlohmann's byte is 1-based and points just past the offending character.
    size_t at = std::min(e.byte == 0 ? 0 : e.byte - 1, text.size());
    size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
    size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    size_t column = line_start == std::string_view::npos || at == 0 ? at + 1 : at - line_start;
    return Status::InvalidArgument(std::string(where) + ": invalid JSON at line " +
                                   std::to_string(line) + ", column " + std::to_string(column));
  } catch (const Json::exception&) {
    // A number out of range (out_of_range 406) and the like: still only malformed input.
    return Status::InvalidArgument(std::string(where) + ": invalid JSON (a number out of range)");
  } catch (const JsonBoundExceeded& e) {
    return Status::InvalidArgument(std::string(where) + ": the JSON text " + e.what);
  }
}

std::string CanonicalJson(const Json& document) {
  // nlohmann::json keeps object keys in a std::map, so dump() sorts them; strict UTF-8 is
  // enforced at parse time, and replace mode keeps dump() from throwing on anything else.
  return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string DocumentHash(const Json& document) {
  return crypto::Sha256Hex(AsBytes(CanonicalJson(document)));
}

std::string JsonReader::Path(std::string_view field) const {
  return where_ + "." + std::string(field);
}

Status JsonReader::RequireObject() const {
  if (!object_.is_object()) return Status::InvalidArgument(where_ + ": expected a JSON object");
  return Status::OK();
}

Status JsonReader::RejectUnknownFields(const std::vector<std::string_view>& known) const {
  for (const auto& [key, value] : object_.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Status::InvalidArgument(where_ + ": unknown field '" + key + "'");
    }
  }
  return Status::OK();
}

bool JsonReader::Has(std::string_view field) const {
  return object_.is_object() && object_.contains(field);
}

Result<std::string> JsonReader::String(std::string_view field) const {
  if (!Has(field)) return Status::InvalidArgument(Path(field) + ": missing");
  const Json& v = object_.at(std::string(field));
  if (!v.is_string()) return Status::InvalidArgument(Path(field) + ": expected a string");
  return v.get<std::string>();
}

Result<std::string> JsonReader::OptionalString(std::string_view field, std::string fallback) const {
  if (!Has(field)) return fallback;
  return String(field);
}

Result<int64_t> JsonReader::Integer(std::string_view field) const {
  if (!Has(field)) return Status::InvalidArgument(Path(field) + ": missing");
  const Json& v = object_.at(std::string(field));
  if (!v.is_number_integer()) return Status::InvalidArgument(Path(field) + ": expected an integer");
  return v.get<int64_t>();
}

Result<std::vector<std::string>> JsonReader::StringList(std::string_view field) const {
  if (!Has(field)) return Status::InvalidArgument(Path(field) + ": missing");
  return OptionalStringList(field);
}

Result<std::vector<std::string>> JsonReader::OptionalStringList(std::string_view field) const {
  std::vector<std::string> out;
  if (!Has(field)) return out;
  const Json& v = object_.at(std::string(field));
  if (!v.is_array()) return Status::InvalidArgument(Path(field) + ": expected a list of strings");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return Status::InvalidArgument(Path(field) + "[" + std::to_string(i) +
                                     "]: expected a string");
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Result<Json> JsonReader::OptionalObject(std::string_view field) const {
  if (!Has(field)) return Json::object();
  const Json& v = object_.at(std::string(field));
  if (!v.is_object()) return Status::InvalidArgument(Path(field) + ": expected an object");
  return v;
}

Result<const Json*> JsonReader::Array(std::string_view field) const {
  if (!Has(field)) return Status::InvalidArgument(Path(field) + ": missing");
  const Json& v = object_.at(std::string(field));
  if (!v.is_array()) return Status::InvalidArgument(Path(field) + ": expected a list");
  return &v;
}

Result<std::string> NormalizeSha256Hex(std::string_view text, std::string_view where) {
  if (text.size() != 64) {
    return Status::InvalidArgument(std::string(where) + ": expected 64 hex digits (SHA-256)");
  }
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Status::InvalidArgument(std::string(where) + ": expected 64 hex digits (SHA-256)");
    }
  }
  return out;
}

}  // namespace cleanroom::govwire
