// Runs: requested by a member for an accepted query whose every consent is on; moved on by the
// service as it releases keys to an attested runtime and receives its report.
#include <algorithm>

#include "governance/state.h"
#include "sql/catalog.h"

namespace cleanroom::governance {

namespace {

// Whether a failed run's signed record shows that no result ever existed: the runtime records the
// `query` timing only once the checked query has produced its result (runtime/run_execution.cc),
// so a failure without it came before any noisy value was computed (keys not opening, a
// ciphertext or contentHash mismatch, a schema mismatch, the privacy check, compiling). A failure
// after it (sealing, storing) keeps the charge: a result existed, even if it was never delivered.
bool NoResultExists(const Json& record) {
  if (!record.is_object() || record.value("state", "") != "failed") return false;
  const Json timings = record.value("timingsMs", Json::object());
  return timings.is_object() && !timings.contains("query") && !record.contains("outputHash") &&
         !record.contains("rowsOut");
}

}  // namespace

Status State::CheckRunnable(const QueryRecord& q) const {
  if (!stopped_by_.empty()) {
    return Status::FailedPrecondition("the collaboration is stopped by member " +
                                      *stopped_by_.begin());
  }
  if (q.phase != ProposalPhase::kAccepted) {
    return Status::FailedPrecondition("query '" + q.id + "' is " + PhaseName(q.phase) +
                                      ", not accepted");
  }
  if (!q.disabled_by.empty()) {
    return Status::FailedPrecondition("query '" + q.id + "' is switched off by approver " +
                                      *q.disabled_by.begin());
  }
  for (const QueryDataset& d : q.datasets) {
    const DatasetRecord* record = FindDataset(d.name);
    if (record == nullptr || !record->enabled) {
      return Status::FailedPrecondition("dataset '" + d.name + "' is switched off by its owner " +
                                        d.owner);
    }
  }
  return Status::OK();
}

Result<Applied> State::RequestRun(const Action& a) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "query", "queryHash"}));
  CR_ASSIGN_OR_RETURN(std::string id, r.String("query"));
  CR_ASSIGN_OR_RETURN(std::string hash_text, r.String("queryHash"));
  CR_ASSIGN_OR_RETURN(std::string hash, NormalizeSha256Hex(hash_text, "payload.queryHash"));
  CR_RETURN_IF_ERROR(ActiveMember(a.signer, 0).status());
  CR_ASSIGN_OR_RETURN(QueryRecord * q, QueryById(id));
  if (std::find(q->parsed.runners.begin(), q->parsed.runners.end(), a.signer) ==
      q->parsed.runners.end()) {
    return Status::PermissionDenied("the signer is not allowed to run query '" + id + "'");
  }
  if (q->phase == ProposalPhase::kAccepted && hash != q->hash) {
    return Status::FailedPrecondition("payload.queryHash: does not match query '" + id + "'");
  }
  CR_RETURN_IF_ERROR(CheckRunnable(*q));

  RunRecord run;
  run.id = "r" + std::to_string(next_run_++);
  run.query_id = id;
  run.query_hash = q->hash;
  run.requester = a.signer;
  run.state = govwire::RunState::kRequested;
  run.requested_at = a.created_at;
  RunRecord& stored = runs_[run.id] = std::move(run);
  Applied applied;
  applied.result = {{"run", stored.id},
                    {"state", std::string(govwire::RunStateName(stored.state))}};
  applied.on_seqno = [&stored](uint64_t seqno) { stored.seqno = seqno; };
  return applied;
}

Result<Applied> State::ApplyService(const ServiceAction& action) {
  if (action.type == "run.keys") return ReleaseRunKeys(action.payload);
  if (action.type == "run.refused" || action.type == "run.report" || action.type == "run.expired") {
    return FinishRun(action.payload, action.type);
  }
  return Status::InvalidArgument("unknown service action '" + action.type + "'");
}

// Every condition of a key release, checked again at the moment the release is ordered in the
// ledger: the collaboration active and not stopped, the contract the evidence was verified
// against still the active one, the query accepted and switched on, every dataset's consent on
// and its key stored. A revocation ordered before the release therefore refuses it.
Status State::CheckReleasable(const RunRecord& run, const Json& p) const {
  const ContractVersion* current = active();
  if (current == nullptr) return Status::FailedPrecondition("no collaboration is active");
  if (p.contains("contractHash") &&
      !(p["contractHash"].is_string() && p["contractHash"].get<std::string>() == current->hash)) {
    return Status::FailedPrecondition(
        "the contract changed after the evidence was checked: ask for the keys again");
  }
  const QueryRecord* query = FindQuery(run.query_id);
  if (query == nullptr) return Status::Internal("run " + run.id + " names an unknown query");
  CR_RETURN_IF_ERROR(CheckRunnable(*query));
  for (const QueryDataset& d : query->datasets) {
    const DatasetRecord* record = FindDataset(d.name);
    if (record == nullptr || d.version < 1 ||
        d.version > static_cast<int64_t>(record->versions.size()) ||
        !record->versions[static_cast<size_t>(d.version - 1)].secret) {
      return Status::FailedPrecondition("dataset '" + d.name + "' version " +
                                        std::to_string(d.version) +
                                        " has no key stored with the service");
    }
  }
  return Status::OK();
}

Result<std::vector<BudgetCharge>> State::BudgetChargesFor(const RunRecord& run) const {
  const QueryRecord* query = FindQuery(run.query_id);
  if (query == nullptr) return Status::Internal("run " + run.id + " names an unknown query");
  std::vector<BudgetCharge> charges;
  for (const QueryDataset& d : query->datasets) {
    const DatasetRecord* record = FindDataset(d.name);
    if (record == nullptr || d.version < 1 ||
        d.version > static_cast<int64_t>(record->versions.size())) {
      return Status::Internal("query " + query->id + " names an unknown dataset version");
    }
    if (record->is_model) continue;  // a model's document has no privacy budget (docs/ml.md)
    // The budget in force is the one the version the run reads states.
    const DatasetVersion& version = record->versions[static_cast<size_t>(d.version - 1)];
    CR_ASSIGN_OR_RETURN(std::optional<DatasetBudgetLimit> limit, BudgetLimitOf(version.document));
    if (!limit) continue;
    CR_ASSIGN_OR_RETURN(BudgetCharge charge,
                        ChargeFor(query->parsed.privacy, run.id, record->name, d.version));
    CR_RETURN_IF_ERROR(CheckCharge(*limit, record->budget_charges, charge));
    charges.push_back(std::move(charge));
  }
  return charges;
}

std::vector<BudgetCharge> State::ChargesOfRun(const std::string& id) const {
  std::vector<BudgetCharge> out;
  const RunRecord* run = FindRun(id);
  if (run == nullptr) return out;
  for (const std::string& name : run->charged_datasets) {
    const DatasetRecord* record = FindDataset(name);
    if (record == nullptr) continue;
    for (const BudgetCharge& c : record->budget_charges) {
      if (c.run == id) out.push_back(c);
    }
  }
  return out;
}

// {"run", "contractHash", "tokenHash", "releasedAt", "evidence": {...}, "keys": [...]}:
// requested -> running, when CheckReleasable passes and every DP dataset's budget can pay for
// the run: the charges are made in this same transition, so no key leaves uncharged and no
// charge is made without its release.
Result<Applied> State::ReleaseRunKeys(const Json& p) {
  JsonReader r(p, "run.keys");
  CR_ASSIGN_OR_RETURN(std::string id, r.String("run"));
  CR_ASSIGN_OR_RETURN(std::string token_hash, r.String("tokenHash"));
  auto it = runs_.find(id);
  if (it == runs_.end()) return Status::NotFound("run '" + id + "' does not exist");
  RunRecord& run = it->second;
  if (run.state != govwire::RunState::kRequested) {
    return Status::FailedPrecondition("run '" + id + "' is " +
                                      std::string(govwire::RunStateName(run.state)) +
                                      ": its keys can be released only once");
  }
  CR_RETURN_IF_ERROR(CheckReleasable(run, p));
  CR_ASSIGN_OR_RETURN(std::vector<BudgetCharge> charges, BudgetChargesFor(run));

  // Commit: the release and every charge together.
  run.state = govwire::RunState::kRunning;
  run.token_hash = token_hash;
  run.released_at = p.value("releasedAt", int64_t{0});
  run.release = {{"evidence", p.value("evidence", Json::object())},
                 {"keys", p.value("keys", Json::array())}};
  Json budget = Json::array();
  std::vector<BudgetCharge*> made;
  for (BudgetCharge& charge : charges) {
    budget.push_back(charge.ToWire().ToJson());
    std::string key = sql::ToLowerAscii(charge.dataset);
    run.charged_datasets.push_back(key);
    DatasetRecord& record = datasets_.at(key);
    record.budget_charges.push_back(std::move(charge));
    made.push_back(&record.budget_charges.back());
  }
  Applied applied;
  applied.result = {{"run", id}, {"state", std::string(govwire::RunStateName(run.state))}};
  if (!budget.empty()) applied.result["budget"] = std::move(budget);
  applied.on_seqno = [&run, made](uint64_t seqno) {
    run.release["seqno"] = seqno;
    for (BudgetCharge* charge : made) charge->seqno = seqno;
  };
  return applied;
}

// run.refused: {"run", "reason"}: requested -> failed (the state forbade the release).
// run.report:  {"run", "state", "reason"?, "record", "signedRecord"}: running -> succeeded |
//              failed; the report keeps the record and its signed bytes (base64).
// run.expired: {"run", "reason"}: running -> failed (no report in time).
Result<Applied> State::FinishRun(const Json& p, const std::string& type) {
  JsonReader r(p, type);
  CR_ASSIGN_OR_RETURN(std::string id, r.String("run"));
  auto it = runs_.find(id);
  if (it == runs_.end()) return Status::NotFound("run '" + id + "' does not exist");
  RunRecord& run = it->second;
  govwire::RunState from =
      type == "run.refused" ? govwire::RunState::kRequested : govwire::RunState::kRunning;
  if (run.state != from) {
    return Status::FailedPrecondition("run '" + id + "' is " +
                                      std::string(govwire::RunStateName(run.state)) + ", not " +
                                      std::string(govwire::RunStateName(from)));
  }
  govwire::RunState state = govwire::RunState::kFailed;
  if (type == "run.report") {
    CR_ASSIGN_OR_RETURN(std::string text, r.String("state"));
    CR_ASSIGN_OR_RETURN(state, govwire::ParseRunState(text, "run.report.state"));
    if (state != govwire::RunState::kSucceeded && state != govwire::RunState::kFailed) {
      return Status::InvalidArgument("run.report.state: must be succeeded or failed");
    }
    run.report = {{"record", p.value("record", Json())},
                  {"signedRecord", p.value("signedRecord", std::string())}};
  }
  run.state = state;
  run.reason = state == govwire::RunState::kFailed ? p.value("reason", std::string("unknown")) : "";
  Applied applied;
  applied.result = {{"run", id}, {"state", std::string(govwire::RunStateName(run.state))}};
  if (type == "run.report" && state == govwire::RunState::kFailed &&
      !run.charged_datasets.empty() && NoResultExists(run.report["record"])) {
    std::vector<BudgetCharge*> refunded;
    for (const std::string& name : run.charged_datasets) {
      for (BudgetCharge& c : datasets_.at(name).budget_charges) {
        if (c.run != id || c.refunded) continue;
        c.refunded = true;
        refunded.push_back(&c);
      }
    }
    applied.result["budgetRefunded"] = true;
    applied.on_seqno = [refunded](uint64_t seqno) {
      for (BudgetCharge* charge : refunded) charge->refund_seqno = seqno;
    };
  }
  return applied;
}

}  // namespace cleanroom::governance
