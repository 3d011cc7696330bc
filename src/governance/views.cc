#include "governance/views.h"

namespace cleanroom::governance {
namespace {

Json VotesJson(const std::map<std::string, Vote>& votes) {
  Json out = Json::object();
  for (const auto& [member, vote] : votes) {
    out[member] = {{"vote", vote.accept ? "accept" : "reject"}, {"seqno", vote.seqno}};
  }
  return out;
}

Json StringArray(const std::set<std::string>& items) {
  Json out = Json::array();
  for (const auto& s : items) out.push_back(s);
  return out;
}

Json DatasetSummary(const DatasetRecord& d) {
  const DatasetVersion& latest = d.versions.back();
  Json disabled_by = Json::array();
  if (!d.enabled) disabled_by.push_back(d.owner);
  return {{"name", d.name},
          {"owner", d.owner},
          {"enabled", d.enabled},
          {"disabledBy", disabled_by},
          {"consentSeqno", d.consent_seqno},
          {"latestVersion", latest.version},
          {"latestHash", latest.hash}};
}

Json QuerySummary(const QueryRecord& q) {
  return {{"id", q.id},
          {"name", q.parsed.name},
          {"proposer", q.proposer},
          {"queryHash", q.hash},
          {"state", PhaseName(q.phase)},
          {"enabled", q.disabled_by.empty()},
          {"disabledBy", StringArray(q.disabled_by)},
          {"approvers", q.approvers},
          {"seqno", q.seqno}};
}

Json RunJson(const State& state, const RunRecord& r) {
  Json out = {{"id", r.id},
              {"query", r.query_id},
              {"queryHash", r.query_hash},
              {"requester", r.requester},
              {"state", std::string(govwire::RunStateName(r.state))},
              {"requestedAt", r.requested_at},
              {"seqno", r.seqno},
              {"report", r.report}};
  out["release"] = r.release.is_null() ? Json() : r.release;
  if (!r.reason.empty()) out["reason"] = r.reason;
  // The run's charges on DP budgets (empty for a run that read no DP dataset or got no keys).
  Json budget = Json::array();
  for (const BudgetCharge& c : state.ChargesOfRun(r.id)) budget.push_back(c.ToJson());
  out["budget"] = std::move(budget);
  return out;
}

}  // namespace

Json CollaborationView(const State& state) {
  if (state.versions().empty()) {
    return {{"id", nullptr}, {"state", "none"}, {"versions", Json::array()}};
  }
  const ContractVersion* active = state.active();
  std::string phase = "proposed";
  if (active != nullptr) {
    phase = state.stopped_by().empty() ? "active" : "stopped";
  } else if (state.versions().back().phase == ProposalPhase::kRejected) {
    phase = "rejected";
  }
  Json versions = Json::array();
  for (const ContractVersion& v : state.versions()) {
    Json members = Json::array();
    Json pending = Json::array();
    for (const Member& m : v.contract.members) {
      members.push_back(m.Summary());
      if (!v.votes.count(m.id)) pending.push_back(m.id);
    }
    versions.push_back({{"version", v.version},
                        {"state", PhaseName(v.phase)},
                        {"contractHash", v.hash},
                        {"proposer", v.proposer},
                        {"seqno", v.seqno},
                        {"contract", v.document},
                        {"members", members},
                        {"votes", VotesJson(v.votes)},
                        {"pendingVotes", pending}});
  }
  return {{"id", state.collaboration_id()},
          {"name", state.versions().back().contract.name},
          {"state", phase},
          {"activeVersion", active == nullptr ? Json(nullptr) : Json(active->version)},
          {"stopped", !state.stopped_by().empty()},
          {"stoppedBy", StringArray(state.stopped_by())},
          {"versions", versions}};
}

Json DatasetListView(const State& state) {
  Json out = Json::array();
  for (const auto& [key, d] : state.datasets()) out.push_back(DatasetSummary(d));
  return {{"datasets", out}};
}

Result<Json> DatasetView(const State& state, const std::string& name) {
  const DatasetRecord* d = state.FindDataset(name);
  if (d == nullptr) return Status::NotFound("dataset '" + name + "' is not registered");
  Json out = DatasetSummary(*d);
  Json versions = Json::array();
  for (const DatasetVersion& v : d->versions) {
    Json secret = nullptr;
    if (v.secret) {
      // Only the fact that the key is stored; the key itself is never returned.
      secret = {{"keyId", v.secret->key_id},
                {"keyCommitment", v.secret->commitment},
                {"seqno", v.secret->seqno}};
    }
    versions.push_back({{"version", v.version},
                        {"hash", v.hash},
                        {"seqno", v.seqno},
                        {"document", v.document},
                        {"secret", secret}});
  }
  out["versions"] = versions;
  return out;
}

Json QueryListView(const State& state) {
  Json out = Json::array();
  for (const auto& [id, q] : state.queries()) out.push_back(QuerySummary(q));
  return {{"queries", out}};
}

Result<Json> QueryView(const State& state, const std::string& id) {
  const QueryRecord* q = state.FindQuery(id);
  if (q == nullptr) return Status::NotFound("query '" + id + "' does not exist");
  Json out = QuerySummary(*q);
  Json pending = Json::array();
  for (const auto& a : q->approvers) {
    if (!q->votes.count(a)) pending.push_back(a);
  }
  out["bound"] = q->bound;
  out["votes"] = VotesJson(q->votes);
  out["pendingVotes"] = pending;
  return out;
}

Json RunListView(const State& state) {
  Json out = Json::array();
  for (const auto& [id, r] : state.runs()) out.push_back(RunJson(state, r));
  return {{"runs", out}};
}

Result<Json> RunView(const State& state, const std::string& id) {
  const RunRecord* r = state.FindRun(id);
  if (r == nullptr) return Status::NotFound("run '" + id + "' does not exist");
  return RunJson(state, *r);
}

Result<Json> BudgetView(const State& state) {
  Json datasets = Json::array();
  for (const auto& [key, d] : state.datasets()) {
    if (d.is_model) continue;  // a model's document has no privacy budget
    CR_ASSIGN_OR_RETURN(std::optional<DatasetBudgetLimit> limit,
                        BudgetLimitOf(d.versions.back().document));
    if (!limit && d.budget_charges.empty()) continue;
    Json charges = Json::array();
    for (const BudgetCharge& c : d.budget_charges) charges.push_back(c.ToJson());
    Json entry = {{"name", d.name},
                  {"owner", d.owner},
                  {"latestVersion", d.versions.back().version},
                  {"charges", std::move(charges)}};
    if (limit) {
      CR_ASSIGN_OR_RETURN(BudgetStanding standing, StandingOf(*limit, d.budget_charges));
      entry["budget"] = {{"epsilon", limit->epsilon.ToString()},
                         {"delta", limit->delta.ToString()}};
      entry["spent"] = {{"epsilon", standing.epsilon_spent},
                        {"delta", standing.delta_spent},
                        {"rho", standing.rho_spent}};
      entry["remaining"] = {{"epsilon", standing.epsilon_remaining},
                            {"delta", standing.delta_remaining},
                            {"rho", standing.rho_remaining}};
    }
    datasets.push_back(std::move(entry));
  }
  return Json{{"datasets", std::move(datasets)}};
}

}  // namespace cleanroom::governance
