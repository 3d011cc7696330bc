#include "privacy/query_check.h"

#include <nlohmann/json.hpp>

#include "privacy/dataset_document.h"
#include "sql/frontend.h"
#include "sql/types.h"

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

Result<json> ParseObject(std::string_view text, const std::string& what) {
  if (text.empty()) return json::object();
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument(what + ": not valid JSON");
  if (doc.is_null()) return json::object();
  if (!doc.is_object()) return Status::InvalidArgument(what + ": must be an object");
  return doc;
}

}  // namespace

Result<DeclaredDataset> DeclaredDatasetFromDocument(std::string_view document_json) {
  CR_ASSIGN_OR_RETURN(json doc, ParseObject(document_json, "dataset document"));
  DeclaredDataset out;
  if (doc.contains("name") && doc["name"].is_string()) out.name = doc["name"].get<std::string>();
  if (out.name.empty()) return Status::InvalidArgument("dataset document: no name");
  if (!doc.contains("schema") || !doc["schema"].is_array()) {
    return Status::InvalidArgument("dataset " + out.name + ": document has no schema");
  }
  for (const json& field : doc["schema"]) {
    if (!field.is_object())
      return Status::InvalidArgument("dataset " + out.name + " schema: not an object");
    sql::Column column;
    column.name = field.value("name", "");
    auto type = sql::ParseTypeName(field.value("type", ""));
    if (!type.ok()) return type.status().WithContext("dataset " + out.name + " schema");
    column.type = *type;
    out.schema.push_back(std::move(column));
  }
  if (doc.contains("policy") && !doc["policy"].is_null()) out.policy_json = doc["policy"].dump();
  auto policy = PolicyOfDatasetDocument(doc);
  if (!policy.ok()) return policy.status().WithContext("dataset " + out.name);
  out.document_policy = std::move(policy).value();
  return out;
}

Result<std::optional<QueryDpSettings>> ParseQueryPrivacy(std::string_view privacy_json) {
  CR_ASSIGN_OR_RETURN(json doc, ParseObject(privacy_json, "query privacy settings"));
  return ParseQueryDpSettings(doc, "query privacy settings", "privacy");
}

Result<PolicyFile> PoliciesOfQuery(const std::vector<DeclaredDataset>& datasets,
                                   std::string_view guards_json, std::string_view privacy_json) {
  PolicyFile policies;
  CR_ASSIGN_OR_RETURN(policies.privacy, ParseQueryPrivacy(privacy_json));
  for (const DeclaredDataset& d : datasets) {
    std::string name = sql::ToLowerAscii(d.name);
    if (d.document_policy.has_value()) {
      policies.datasets[name] = *d.document_policy;
      continue;
    }
    CR_ASSIGN_OR_RETURN(policies.datasets[name],
                        ParseDatasetPolicy(d.policy_json.empty() ? "{}" : d.policy_json,
                                           "dataset " + name + " policy"));
  }
  CR_ASSIGN_OR_RETURN(json guards, ParseObject(guards_json, "query guards"));
  if (!guards.empty()) {
    CR_ASSIGN_OR_RETURN(policies.query, ParseQueryGuards(guards.dump(), "query guards"));
  }
  return policies;
}

Result<CheckedProgram> CompileAndCheck(const sql::Catalog& physical, std::string_view script,
                                       const PolicyFile& policies) {
  sql::Catalog catalog = physical;
  CR_RETURN_IF_ERROR(ApplyAllowedFields(policies, catalog));
  sql::CompileOptions options;
  options.safe_arithmetic = true;
  CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> statements,
                      sql::CompileScript(script, catalog, options));
  return CheckScript(statements, policies, catalog, &physical);
}

Result<CheckedProgram> CheckProposedQuery(std::string_view script, std::string_view guards_json,
                                          std::string_view privacy_json,
                                          const std::vector<DeclaredDataset>& datasets) {
  CR_ASSIGN_OR_RETURN(PolicyFile policies, PoliciesOfQuery(datasets, guards_json, privacy_json));
  sql::Catalog declared;
  for (const DeclaredDataset& d : datasets)
    declared.PutTable(sql::TableDef{d.name, d.schema, false});
  return CompileAndCheck(declared, script, policies);
}

std::string JoinSteps(const std::vector<std::string>& steps) {
  std::string script;
  for (const std::string& step : steps) script += step + ";\n";
  return script;
}

Result<CheckedProgram> CheckQueryDocument(std::string_view query_document_json,
                                          const std::vector<std::string>& dataset_documents_json) {
  CR_ASSIGN_OR_RETURN(json query, ParseObject(query_document_json, "query document"));
  if (!query.contains("steps") || !query["steps"].is_array() || query["steps"].empty()) {
    return Status::InvalidArgument(
        "query document: field 'steps' must be a non-empty array of SQL");
  }
  std::vector<std::string> steps;
  for (size_t i = 0; i < query["steps"].size(); ++i) {
    if (!query["steps"][i].is_string()) {
      return Status::InvalidArgument("query document: field 'steps[" + std::to_string(i) +
                                     "]' must be a string");
    }
    steps.push_back(query["steps"][i].get<std::string>());
  }
  auto text_of = [&query](const char* field) {
    return query.contains(field) && !query[field].is_null() ? query[field].dump() : std::string();
  };
  std::vector<DeclaredDataset> datasets;
  for (const std::string& document : dataset_documents_json) {
    CR_ASSIGN_OR_RETURN(DeclaredDataset d, DeclaredDatasetFromDocument(document));
    datasets.push_back(std::move(d));
  }
  return CheckProposedQuery(JoinSteps(steps), text_of("guards"), text_of("privacy"), datasets);
}

}  // namespace cleanroom::privacy
