// The dataset owner's `machineLearning` object.
#include "privacy/ml_policy.h"

#include <nlohmann/json.hpp>

#include "sql/catalog.h"

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

Status MlFieldError(std::string_view where, const std::string& path, const std::string& what) {
  return Status::InvalidArgument(std::string(where) + ": field '" + path + "' " + what);
}

Result<std::set<std::string>> Columns(const json& doc, const char* field, std::string_view where,
                                      const std::string& path,
                                      const std::function<bool(const std::string&)>& allowed,
                                      const std::string& privacy_unit) {
  std::set<std::string> out;
  if (!doc.contains(field)) return out;
  const json& list = doc[field];
  const std::string at = path + "." + field;
  if (!list.is_array()) return MlFieldError(where, at, "must be an array of column names");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item = at + "[" + std::to_string(i) + "]";
    if (!list[i].is_string() || list[i].get<std::string>().empty()) {
      return MlFieldError(where, item, "must be a column name");
    }
    std::string lower = sql::ToLowerAscii(list[i].get<std::string>());
    if (!allowed(lower)) return MlFieldError(where, item, "names a column not in allowedFields");
    if (lower == privacy_unit) {
      return MlFieldError(where, item,
                          "names the privacy unit, which identifies people and is never a "
                          "feature or label");
    }
    if (!out.insert(lower).second) return MlFieldError(where, item, "is listed twice");
  }
  return out;
}

}  // namespace

Result<MlDatasetPolicy> ParseMlDatasetPolicy(const json& doc, std::string_view where,
                                             const std::string& path,
                                             const std::function<bool(const std::string&)>& allowed,
                                             const std::string& privacy_unit) {
  if (!doc.is_object()) return MlFieldError(where, path, "must be an object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "features" && it.key() != "labels" && it.key() != "minTrainingUnits" &&
        it.key() != "minLeafUnits") {
      return MlFieldError(where, path + "." + it.key(), "is not a machineLearning field");
    }
  }
  MlDatasetPolicy p;
  CR_ASSIGN_OR_RETURN(p.features, Columns(doc, "features", where, path, allowed, privacy_unit));
  CR_ASSIGN_OR_RETURN(p.labels, Columns(doc, "labels", where, path, allowed, privacy_unit));
  if (doc.contains("minTrainingUnits")) {
    const json& v = doc["minTrainingUnits"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      return MlFieldError(where, path + ".minTrainingUnits", "must be a whole number from 1");
    }
    p.min_training_units = v.get<int64_t>();
  }
  if (doc.contains("minLeafUnits")) {
    const json& v = doc["minLeafUnits"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      return MlFieldError(where, path + ".minLeafUnits", "must be a whole number from 1");
    }
    p.min_leaf_units = v.get<int64_t>();
  }
  return p;
}

}  // namespace cleanroom::privacy
