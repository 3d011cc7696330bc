// Run requests: only for an accepted query whose every consent is on.
#include "governance/state.h"

#include <algorithm>

namespace cleanroom::governance {

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
  if (!stopped_by_.empty()) {
    return Status::FailedPrecondition("the collaboration is stopped by member " +
                                      *stopped_by_.begin());
  }
  if (q->phase != ProposalPhase::kAccepted) {
    return Status::FailedPrecondition("query '" + id + "' is " + PhaseName(q->phase) +
                                      ", not accepted");
  }
  if (hash != q->hash) {
    return Status::FailedPrecondition("payload.queryHash: does not match query '" + id + "'");
  }
  if (!q->disabled_by.empty()) {
    return Status::FailedPrecondition("query '" + id + "' is switched off by approver " +
                                      *q->disabled_by.begin());
  }
  for (const QueryDataset& d : q->datasets) {
    const DatasetRecord* record = FindDataset(d.name);
    if (record == nullptr || !record->enabled) {
      return Status::FailedPrecondition("dataset '" + d.name + "' is switched off by its owner " +
                                        d.owner);
    }
  }

  RunRecord run;
  run.id = "r" + std::to_string(next_run_++);
  run.query_id = id;
  run.query_hash = q->hash;
  run.requester = a.signer;
  run.state = "requested";
  run.requested_at = a.created_at;
  RunRecord& stored = runs_[run.id] = std::move(run);
  Applied applied;
  applied.result = {{"run", stored.id}, {"state", stored.state}};
  applied.on_seqno = [&stored](uint64_t seqno) { stored.seqno = seqno; };
  return applied;
}

}  // namespace cleanroom::governance
