#include "privacy/dataset_document.h"

#include <set>
#include <string>

#include "sql/catalog.h"

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

Status DocumentError(const std::string& path, const std::string& what) {
  return Status::InvalidArgument("dataset document: field '" + path + "' " + what);
}

Result<std::set<std::string>> LowerNames(const json& list, const std::string& path) {
  if (!list.is_array()) return DocumentError(path, "must be an array of names");
  std::set<std::string> names;
  for (const json& name : list) {
    if (!name.is_string()) return DocumentError(path, "must be an array of names");
    names.insert(sql::ToLowerAscii(name.get<std::string>()));
  }
  return names;
}

// Adds the top-level columnRoles to `policy`; a column whose two roles differ is an error.
Status MergeColumnRoles(const json& roles, DatasetPolicy& policy) {
  if (!roles.is_object()) return DocumentError("columnRoles", "must be an object");
  for (auto it = roles.begin(); it != roles.end(); ++it) {
    const std::string path = "columnRoles." + it.key();
    const std::string column = sql::ToLowerAscii(it.key());
    if (!it.value().is_string()) {
      return DocumentError(path, "must be one of dimension, join, aggregate, privacy_unit");
    }
    CR_ASSIGN_OR_RETURN(ColumnRole role,
                        ParseColumnRole(it.value().get<std::string>(), "dataset document", path));
    if (role == ColumnRole::kPrivacyUnit) {
      if (!policy.privacy_unit.empty() && policy.privacy_unit != column) {
        return DocumentError(path, "is privacy_unit but policy.privacyUnit names another column");
      }
      policy.privacy_unit = column;
    }
    auto existing = policy.columns.find(column);
    if (existing != policy.columns.end()) {
      if (existing->second.role != role) {
        return DocumentError(path, "differs from the role policy.columns gives the same column");
      }
      continue;
    }
    policy.columns[column].role = role;
  }
  return Status::OK();
}

}  // namespace

Result<DatasetPolicy> PolicyOfDatasetDocument(const json& document) {
  if (!document.is_object()) return DocumentError("(root)", "must be an object");
  const json policy_json = document.value("policy", json::object());
  if (!policy_json.is_object()) return DocumentError("policy", "must be an object");
  CR_ASSIGN_OR_RETURN(DatasetPolicy policy,
                      ParseDatasetPolicy(policy_json.dump(), "dataset document policy"));

  if (document.contains("allowedFields")) {
    CR_ASSIGN_OR_RETURN(std::set<std::string> top,
                        LowerNames(document["allowedFields"], "allowedFields"));
    if (policy.allowed_fields.empty()) {
      for (const json& name : document["allowedFields"]) {
        policy.allowed_fields.push_back(name.get<std::string>());
      }
    } else {
      std::set<std::string> inner;
      for (const std::string& name : policy.allowed_fields) inner.insert(sql::ToLowerAscii(name));
      if (inner != top) {
        return DocumentError("policy.allowedFields",
                             "differs from the document's allowedFields (state one list)");
      }
    }
  }
  if (document.contains("columnRoles")) {
    CR_RETURN_IF_ERROR(MergeColumnRoles(document["columnRoles"], policy));
  }
  // Every column a role names must exist for queries.
  if (!policy.allowed_fields.empty()) {
    std::set<std::string> allowed;
    for (const std::string& name : policy.allowed_fields) allowed.insert(sql::ToLowerAscii(name));
    for (const auto& [column, column_policy] : policy.columns) {
      if (!allowed.count(column)) {
        return DocumentError("policy.columns." + column, "names a column not in allowedFields");
      }
    }
  }
  return policy;
}

}  // namespace cleanroom::privacy
