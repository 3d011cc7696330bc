// Query proposals: approvers computed from the SQL, votes, withdrawal and approvers' switches.
#include <algorithm>

#include "governance/state.h"
#include "privacy/query_check.h"
#include "sql/catalog.h"
#include "sql/frontend.h"

namespace cleanroom::governance {
namespace {

// The steps as one script, as sql::ReferencedTables reads it.
std::string Script(const QueryDocument& q) {
  std::string script;
  for (const std::string& step : q.steps) {
    script += step;
    script += ";\n";
  }
  return script;
}

Result<std::vector<std::string>> RecordedDatasetNames(const Json* recorded) {
  if (recorded == nullptr || !recorded->contains("datasets") ||
      !(*recorded)["datasets"].is_array()) {
    return Status::DataLoss("query.propose entry without its datasets result");
  }
  std::vector<std::string> names;
  for (const Json& d : (*recorded)["datasets"]) {
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) {
      return Status::DataLoss("query.propose entry with a malformed datasets result");
    }
    names.push_back(sql::ToLowerAscii(d["name"].get<std::string>()));
  }
  return names;
}

// The privacy check the runtime will run, run now over the registered documents of the datasets
// the query reads: a query the runtime would refuse is refused now with the runtime's code and
// message. On success, the verdict and the summary that approvers review (docs/api.md "Query").
Result<Json> CheckAtProposal(const Json& query_document,
                             const std::vector<const Json*>& documents) {
  std::vector<std::string> texts;
  texts.reserve(documents.size());
  for (const Json* document : documents) texts.push_back(document->dump());
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                      privacy::CheckQueryDocument(query_document.dump(), texts));
  Json summary = Json::parse(privacy::CheckSummaryJson(program.summary), nullptr, false);
  if (summary.is_discarded()) return Status::Internal("the check summary is not JSON");
  return Json{{"verdict", "accepted"}, {"summary", summary}};
}

}  // namespace

// The datasets the SQL reads, found by the SQL front end against the registered datasets (the
// latest version of each, with its allowedFields as columns); on replay, from the recorded result.
Result<std::vector<std::string>> State::DatasetsRead(const std::vector<std::string>& steps,
                                                     const ApplyContext& context,
                                                     const std::string& where) const {
  if (context.replay) return RecordedDatasetNames(context.recorded_result);
  sql::Catalog catalog;
  for (const auto& [key, record] : datasets_) {
    if (record.is_model) continue;  // a model is no table
    const DatasetDocument& d = record.versions.back().parsed;
    sql::TableDef table;
    table.name = record.name;
    for (const std::string& allowed : d.allowed_fields) {
      for (const auto& field : d.schema) {
        if (sql::ToLowerAscii(field.name) != sql::ToLowerAscii(allowed)) continue;
        auto type = sql::ParseTypeName(field.type);
        if (type.ok()) table.columns.push_back({field.name, *type});
      }
    }
    catalog.PutTable(std::move(table));
  }
  QueryDocument steps_only;
  steps_only.steps = steps;
  auto referenced = sql::ReferencedTables(Script(steps_only), catalog);
  if (!referenced.ok()) {
    return Status(referenced.status().code(), where + ": " + referenced.status().message());
  }
  return std::move(referenced).value();
}

Result<Applied> State::ProposeQuery(const Action& a, const ApplyContext& context) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "query"}));
  CR_ASSIGN_OR_RETURN(const Member* proposer, ActiveMember(a.signer, kRoleAnalyst));
  (void)proposer;
  if (!a.payload.contains("query")) return Status::InvalidArgument("payload.query: missing");
  const Json& document = a.payload["query"];
  CR_ASSIGN_OR_RETURN(QueryDocument q, ParseQueryDocument(document));
  ProposalChecks checks;
  checks.check = [&document](const std::vector<const Json*>& documents,
                             const std::vector<std::string>&) {
    return CheckAtProposal(document, documents);
  };
  return AddProposal(a, context, document, std::move(q), checks);
}

Result<Applied> State::AddProposal(const Action& a, const ApplyContext& context,
                                   const Json& document, QueryDocument q,
                                   const ProposalChecks& checks) {
  const char* noun = checks.model_of_job.has_value() ? "job" : "query";
  const Contract& contract = active()->contract;
  for (size_t i = 0; i < q.recipients.size(); ++i) {
    const Member* m = contract.Find(q.recipients[i]);
    if (m == nullptr || !m->Has(kRoleRecipient)) {
      return Status::InvalidArgument(std::string(noun) + ".recipients[" + std::to_string(i) +
                                     "]: not a member with the recipient role");
    }
  }
  if (q.runners.empty()) q.runners.push_back(a.signer);
  for (size_t i = 0; i < q.runners.size(); ++i) {
    if (contract.Find(q.runners[i]) == nullptr) {
      return Status::InvalidArgument(std::string(noun) + ".runners[" + std::to_string(i) +
                                     "]: not a member of the collaboration");
    }
  }

  CR_ASSIGN_OR_RETURN(std::vector<std::string> names,
                      DatasetsRead(q.steps, context, std::string(noun) + ".steps"));
  if (names.empty()) {
    return Status::InvalidArgument(std::string(noun) +
                                   ".steps: the query reads no dataset of the collaboration");
  }
  std::vector<QueryDataset> datasets;
  std::vector<std::string> approvers;
  std::vector<const Json*> documents;
  for (const std::string& name : names) {
    const DatasetRecord* record = FindDataset(name);
    if (record == nullptr || record->is_model) {
      return Status::NotFound(std::string(noun) + ".steps: dataset '" + name +
                              "' is not registered in this collaboration");
    }
    const DatasetVersion& latest = record->versions.back();
    datasets.push_back({record->name, latest.version, record->owner, latest.hash});
    approvers.push_back(record->owner);
    documents.push_back(&latest.document);
  }
  std::vector<std::string> data_owners = approvers;
  // A job's model: its owner approves too, and its key is released with the datasets' (last).
  Json model_json;
  if (checks.model_of_job.has_value() && !checks.model_of_job->empty()) {
    const DatasetRecord* model = FindDataset(*checks.model_of_job);
    if (model == nullptr || !model->is_model) {
      return Status::NotFound("job.model: model '" + *checks.model_of_job +
                              "' is not published in this collaboration");
    }
    const DatasetVersion& latest = model->versions.back();
    datasets.push_back({model->name, latest.version, model->owner, latest.hash});
    approvers.push_back(model->owner);
    documents.push_back(&latest.document);
    model_json = {{"name", model->name},
                  {"version", latest.version},
                  {"owner", model->owner},
                  {"hash", latest.hash}};
  }
  // The check runs on both paths, the same function: an entry that the request path would refuse
  // (guards or DP settings the runtime cannot honour, a dataset policy the query breaks, a job
  // its model's policy refuses) is refused at replay too, and the service does not start on it.
  // The summary bound into the record is the one recorded in the entry (entries from before the
  // check have none): it is what the approvers voted on, under the query hash.
  CR_ASSIGN_OR_RETURN(Json check, checks.check(documents, data_owners));
  if (context.replay) {
    check = Json();
    if (context.recorded_result != nullptr && context.recorded_result->contains("check")) {
      check = (*context.recorded_result)["check"];
    }
  }
  std::sort(approvers.begin(), approvers.end());
  approvers.erase(std::unique(approvers.begin(), approvers.end()), approvers.end());

  QueryRecord rec;
  rec.id = "q" + std::to_string(next_query_);
  rec.proposer = a.signer;
  Json datasets_json = Json::array();
  for (const auto& d : datasets) {
    if (!model_json.is_null() && &d == &datasets.back()) break;  // the model is listed apart
    datasets_json.push_back(
        {{"name", d.name}, {"version", d.version}, {"owner", d.owner}, {"hash", d.hash}});
  }
  rec.bound = {{"id", rec.id},
               {"proposer", a.signer},
               {"query", document},
               {"datasets", datasets_json},
               {"approvers", approvers}};
  if (!check.is_null()) rec.bound["check"] = check;
  if (!model_json.is_null()) rec.bound["model"] = model_json;
  if (checks.model_of_job.has_value()) rec.bound["kind"] = "job";
  rec.is_job = checks.model_of_job.has_value();
  rec.hash = DocumentHash(rec.bound);
  rec.parsed = std::move(q);
  rec.datasets = std::move(datasets);
  rec.approvers = approvers;
  // Proposing is the proposer's approval when the proposer owns a dataset the query reads.
  bool proposer_votes = std::find(approvers.begin(), approvers.end(), a.signer) != approvers.end();
  if (proposer_votes) rec.votes[a.signer] = Vote{true, 0};
  if (rec.votes.size() == rec.approvers.size()) rec.phase = ProposalPhase::kAccepted;

  // Commit.
  ++next_query_;
  QueryRecord& stored = queries_[rec.id] = std::move(rec);
  Applied applied;
  applied.result = {{"id", stored.id},
                    {"queryHash", stored.hash},
                    {"approvers", stored.approvers},
                    {"datasets", datasets_json},
                    {"state", PhaseName(stored.phase)}};
  if (!check.is_null()) applied.result["check"] = check;
  if (!model_json.is_null()) applied.result["model"] = model_json;
  applied.on_seqno = [&stored, proposer_votes, signer = a.signer](uint64_t seqno) {
    stored.seqno = seqno;
    if (proposer_votes) stored.votes[signer].seqno = seqno;
  };
  return applied;
}

Result<Applied> State::VoteQuery(const Action& a, bool accept) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "query", "queryHash"}));
  CR_ASSIGN_OR_RETURN(std::string id, r.String("query"));
  CR_ASSIGN_OR_RETURN(std::string hash_text, r.String("queryHash"));
  CR_ASSIGN_OR_RETURN(std::string hash, NormalizeSha256Hex(hash_text, "payload.queryHash"));
  CR_ASSIGN_OR_RETURN(QueryRecord * q, QueryById(id));
  if (std::find(q->approvers.begin(), q->approvers.end(), a.signer) == q->approvers.end()) {
    return Status::PermissionDenied("the signer is not an approver of query '" + id +
                                    "' (approvers own the datasets it reads)");
  }
  if (q->phase != ProposalPhase::kProposed) {
    return Status::FailedPrecondition("query '" + id + "' is " + PhaseName(q->phase) +
                                      ", not open for votes");
  }
  if (hash != q->hash) {
    return Status::FailedPrecondition("payload.queryHash: does not match query '" + id + "'");
  }
  if (q->votes.count(a.signer)) {
    return Status::FailedPrecondition("the signer has already voted on query '" + id + "'");
  }
  q->votes[a.signer] = Vote{accept, 0};
  if (!accept) {
    q->phase = ProposalPhase::kRejected;
  } else if (q->votes.size() == q->approvers.size()) {
    q->phase = ProposalPhase::kAccepted;
  }
  Applied applied;
  applied.result = {{"query", id}, {"state", PhaseName(q->phase)}};
  applied.on_seqno = [q, signer = a.signer](uint64_t seqno) { q->votes[signer].seqno = seqno; };
  return applied;
}

Result<Applied> State::WithdrawQuery(const Action& a) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "query"}));
  CR_ASSIGN_OR_RETURN(std::string id, r.String("query"));
  CR_ASSIGN_OR_RETURN(QueryRecord * q, QueryById(id));
  if (q->proposer != a.signer) {
    return Status::PermissionDenied("only the proposer withdraws query '" + id + "'");
  }
  if (q->phase != ProposalPhase::kProposed && q->phase != ProposalPhase::kAccepted) {
    return Status::FailedPrecondition("query '" + id + "' is already " + PhaseName(q->phase));
  }
  q->phase = ProposalPhase::kWithdrawn;
  Applied applied;
  applied.result = {{"query", id}, {"state", PhaseName(q->phase)}};
  return applied;
}

Result<Applied> State::SwitchQuery(const Action& a, bool enable) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "query"}));
  CR_ASSIGN_OR_RETURN(std::string id, r.String("query"));
  CR_ASSIGN_OR_RETURN(QueryRecord * q, QueryById(id));
  if (std::find(q->approvers.begin(), q->approvers.end(), a.signer) == q->approvers.end()) {
    return Status::PermissionDenied("only an approver of query '" + id + "' switches it");
  }
  if (enable) {
    q->disabled_by.erase(a.signer);
  } else {
    q->disabled_by.insert(a.signer);
  }
  Json holders = Json::array();
  for (const auto& m : q->disabled_by) holders.push_back(m);
  Applied applied;
  applied.result = {{"query", id}, {"enabled", q->disabled_by.empty()}, {"disabledBy", holders}};
  return applied;
}

}  // namespace cleanroom::governance
