// Runs: requested by a member for an accepted query whose every consent is on; moved on by the
// service as it releases keys to an attested runtime and receives its report.
#include <algorithm>

#include "governance/state.h"

namespace cleanroom::governance {

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

// {"run", "contractHash", "tokenHash", "releasedAt", "evidence": {...}, "keys": [...]}:
// requested -> running, when CheckReleasable passes.
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
  run.state = govwire::RunState::kRunning;
  run.token_hash = token_hash;
  run.released_at = p.value("releasedAt", int64_t{0});
  run.release = {{"evidence", p.value("evidence", Json::object())},
                 {"keys", p.value("keys", Json::array())}};
  Applied applied;
  applied.result = {{"run", id}, {"state", std::string(govwire::RunStateName(run.state))}};
  applied.on_seqno = [&run](uint64_t seqno) { run.release["seqno"] = seqno; };
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
  return applied;
}

}  // namespace cleanroom::governance
