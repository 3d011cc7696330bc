#include "govwire/work_order.h"

namespace cleanroom::govwire {
namespace {

Result<std::string> Sha256Field(const JsonReader& r, std::string_view field) {
  CR_ASSIGN_OR_RETURN(std::string text, r.String(field));
  return NormalizeSha256Hex(text, r.Path(field));
}

Result<WorkQuery> ParseQuery(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"id", "hash", "document"}));
  WorkQuery query;
  CR_ASSIGN_OR_RETURN(query.id, r.String("id"));
  CR_ASSIGN_OR_RETURN(query.hash, Sha256Field(r, "hash"));
  if (!r.Has("document") || !value["document"].is_object()) {
    return Status::InvalidArgument(where + ".document: expected the query document");
  }
  query.document = value["document"];
  JsonReader doc(query.document, where + ".document");
  CR_ASSIGN_OR_RETURN(std::vector<std::string> steps, doc.StringList("steps"));
  if (steps.empty()) return Status::InvalidArgument(where + ".document.steps: empty");
  return query;
}

Result<WorkDataset> ParseDataset(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"name", "version", "documentHash", "document", "model"}));
  WorkDataset dataset;
  CR_ASSIGN_OR_RETURN(dataset.name, r.String("name"));
  CR_ASSIGN_OR_RETURN(dataset.version, r.Integer("version"));
  if (dataset.version < 1) return Status::InvalidArgument(where + ".version: expected 1 or more");
  CR_ASSIGN_OR_RETURN(dataset.document_hash, Sha256Field(r, "documentHash"));
  if (!r.Has("document") || !value["document"].is_object()) {
    return Status::InvalidArgument(where + ".document: expected the dataset document");
  }
  dataset.document = value["document"];
  if (r.Has("model")) {
    if (!value["model"].is_boolean() || !value["model"].get<bool>()) {
      return Status::InvalidArgument(where + ".model: expected true (absent for a dataset)");
    }
    dataset.model = true;
  }
  return dataset;
}

Result<WorkRecipient> ParseRecipient(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"member", "encryptionPublicKey"}));
  WorkRecipient recipient;
  CR_ASSIGN_OR_RETURN(recipient.member, r.String("member"));
  CR_ASSIGN_OR_RETURN(recipient.encryption_public_key, r.String("encryptionPublicKey"));
  return recipient;
}

}  // namespace

Json WorkOrder::ToJson() const {
  Json datasets_json = Json::array();
  for (const WorkDataset& d : datasets) {
    Json entry = {{"name", d.name},
                  {"version", d.version},
                  {"documentHash", d.document_hash},
                  {"document", d.document}};
    if (d.model) entry["model"] = true;
    datasets_json.push_back(std::move(entry));
  }
  Json recipients_json = Json::array();
  for (const WorkRecipient& r : recipients) {
    recipients_json.push_back(
        {{"member", r.member}, {"encryptionPublicKey", r.encryption_public_key}});
  }
  Json out = {{"query", {{"id", query.id}, {"hash", query.hash}, {"document", query.document}}},
              {"datasets", std::move(datasets_json)},
              {"recipients", std::move(recipients_json)}};
  if (!budget.empty()) out["budget"] = RunBudgetJson(budget);
  return out;
}

Result<WorkOrder> WorkOrder::FromJson(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"query", "datasets", "recipients", "budget"}));
  WorkOrder work;
  if (!r.Has("query")) return Status::InvalidArgument(where + ".query: missing");
  CR_ASSIGN_OR_RETURN(work.query, ParseQuery(value["query"], where + ".query"));
  CR_ASSIGN_OR_RETURN(const Json* datasets, r.Array("datasets"));
  if (datasets->empty()) return Status::InvalidArgument(where + ".datasets: empty");
  for (size_t i = 0; i < datasets->size(); ++i) {
    CR_ASSIGN_OR_RETURN(WorkDataset d, ParseDataset((*datasets)[i], where + ".datasets[" +
                                                                        std::to_string(i) + "]"));
    work.datasets.push_back(std::move(d));
  }
  CR_ASSIGN_OR_RETURN(const Json* recipients, r.Array("recipients"));
  for (size_t i = 0; i < recipients->size(); ++i) {
    CR_ASSIGN_OR_RETURN(
        WorkRecipient rec,
        ParseRecipient((*recipients)[i], where + ".recipients[" + std::to_string(i) + "]"));
    work.recipients.push_back(std::move(rec));
  }
  CR_ASSIGN_OR_RETURN(work.budget,
                      ParseRunBudget(value.value("budget", Json()), where + ".budget"));
  return work;
}

}  // namespace cleanroom::govwire
