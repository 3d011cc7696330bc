#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::govwire {

using Json = nlohmann::json;

// Bounds of every JSON text the service parses: nothing a client sends may nest deeper or hold
// more values than this (a deeply nested document once exhausted the stack of the recursive
// copy and dump). Documents members sign are far smaller.
inline constexpr int kMaxJsonDepth = 64;
inline constexpr size_t kMaxJsonValues = 200000;

// Parses a JSON text; InvalidArgument names `where` and the byte offset of the syntax error, or
// says which bound (kMaxJsonDepth, kMaxJsonValues) the text exceeds.
Result<Json> ParseJson(std::string_view text, std::string_view where);

// The canonical form of a document: keys sorted, no insignificant whitespace, UTF-8 (what
// nlohmann::json::dump() produces). Hashes of documents are taken over this form.
std::string CanonicalJson(const Json& document);
// Lower-case hex SHA-256 of CanonicalJson(document): the "exact hash" members vote on.
std::string DocumentHash(const Json& document);

// Typed access to the fields of a JSON object. Every error is InvalidArgument naming the field
// as "<where>.<field>" and what was expected; values are never quoted.
class JsonReader {
 public:
  // `where` names the object in error messages, e.g. "dataset".
  JsonReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  // InvalidArgument unless the value is an object.
  Status RequireObject() const;
  // InvalidArgument when the object holds a field not in `known` (catches misspellings).
  Status RejectUnknownFields(const std::vector<std::string_view>& known) const;

  bool Has(std::string_view field) const;
  Result<std::string> String(std::string_view field) const;
  // A string, or `fallback` when the field is absent.
  Result<std::string> OptionalString(std::string_view field, std::string fallback) const;
  Result<int64_t> Integer(std::string_view field) const;
  Result<std::vector<std::string>> StringList(std::string_view field) const;
  // An absent field is an empty list.
  Result<std::vector<std::string>> OptionalStringList(std::string_view field) const;
  // Any JSON object; an absent field is an empty object.
  Result<Json> OptionalObject(std::string_view field) const;
  Result<const Json*> Array(std::string_view field) const;

  std::string Path(std::string_view field) const;

 private:
  const Json& object_;
  std::string where_;
};

// Checks that `text` is 64 lower- or upper-case hex digits (a SHA-256) and returns it lower-case.
Result<std::string> NormalizeSha256Hex(std::string_view text, std::string_view where);

}  // namespace cleanroom::govwire
