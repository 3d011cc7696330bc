#include "governance/state.h"

#include "sql/catalog.h"

namespace cleanroom::governance {

std::string PhaseName(ProposalPhase phase) {
  switch (phase) {
    case ProposalPhase::kProposed:
      return "proposed";
    case ProposalPhase::kAccepted:
      return "accepted";
    case ProposalPhase::kRejected:
      return "rejected";
    case ProposalPhase::kSuperseded:
      return "superseded";
    case ProposalPhase::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

Result<Applied> State::Apply(const Action& a, const ApplyContext& context) {
  if (!a.payload.is_object()) {
    return Status::InvalidArgument("payload: expected a JSON object");
  }
  const std::string& t = a.type;
  if (t == "collab.propose") return ProposeContract(a);
  CR_RETURN_IF_ERROR(CheckCollaboration(a));
  if (t == "collab.accept") return VoteContract(a, true);
  if (t == "collab.reject") return VoteContract(a, false);
  if (t == "collab.stop") return SwitchCollaboration(a, true);
  if (t == "collab.resume") return SwitchCollaboration(a, false);
  if (t == "dataset.register") return RegisterDataset(a);
  if (t == "dataset.disable") return SwitchDataset(a, false);
  if (t == "dataset.enable") return SwitchDataset(a, true);
  if (t == "dataset.secret") return StoreSecret(a, context);
  if (t == "query.propose") return ProposeQuery(a, context);
  if (t == "query.accept") return VoteQuery(a, true);
  if (t == "query.reject") return VoteQuery(a, false);
  if (t == "query.withdraw") return WithdrawQuery(a);
  if (t == "query.disable") return SwitchQuery(a, false);
  if (t == "query.enable") return SwitchQuery(a, true);
  if (t == "run.request") return RequestRun(a);
  if (t == "model.register") return RegisterModel(a);
  if (t == "job.propose") return ProposeJob(a, context);
  return Status::InvalidArgument("unknown message type '" + t + "'");
}

Status State::CheckCollaboration(const Action& a) const {
  if (collaboration_id_.empty()) {
    return Status::FailedPrecondition("no collaboration has been proposed on this service");
  }
  JsonReader r(a.payload, "payload");
  CR_ASSIGN_OR_RETURN(std::string id, r.String("collaboration"));
  if (id != collaboration_id_) {
    return Status::FailedPrecondition(
        "payload.collaboration: names another collaboration than this service's");
  }
  return Status::OK();
}

const ContractVersion* State::active() const {
  return active_index_ < 0 ? nullptr : &versions_[static_cast<size_t>(active_index_)];
}

Result<const Member*> State::ActiveMember(const std::string& signer, uint8_t role) const {
  const ContractVersion* current = active();
  if (current == nullptr) {
    return Status::FailedPrecondition("the collaboration is not active (no accepted contract)");
  }
  const Member* m = current->contract.Find(signer);
  if (m == nullptr) {
    return Status::PermissionDenied("the signer is not a member of the active contract");
  }
  if (role != 0 && (m->roles & role) == 0) {
    return Status::PermissionDenied("the signer does not hold the " +
                                    RoleName(static_cast<Role>(role)) + " role");
  }
  return m;
}

std::optional<crypto::PublicKey> State::SignerKey(const std::string& member_id) const {
  auto it = signers_.find(member_id);
  if (it == signers_.end()) return std::nullopt;
  return it->second;
}

void State::RebuildSigners() {
  signers_.clear();
  auto add = [this](const ContractVersion& v) {
    for (const Member& m : v.contract.members) signers_.emplace(m.id, *m.signing_key);
  };
  const ContractVersion* current = active();
  if (current != nullptr) add(*current);
  // The members of a proposed contract vote on it; the members of a rejected first contract
  // still read what happened and may propose again.
  if (!versions_.empty() &&
      (versions_.back().phase == ProposalPhase::kProposed ||
       (current == nullptr && versions_.back().phase == ProposalPhase::kRejected))) {
    add(versions_.back());
  }
}

Result<DatasetRecord*> State::DatasetByName(const std::string& name) {
  auto it = datasets_.find(sql::ToLowerAscii(name));
  if (it == datasets_.end()) {
    return Status::NotFound("dataset '" + name + "' is not registered in this collaboration");
  }
  return &it->second;
}

const DatasetRecord* State::FindDataset(const std::string& name) const {
  auto it = datasets_.find(sql::ToLowerAscii(name));
  return it == datasets_.end() ? nullptr : &it->second;
}

Result<QueryRecord*> State::QueryById(const std::string& id) {
  auto it = queries_.find(id);
  if (it == queries_.end()) return Status::NotFound("query '" + id + "' does not exist");
  return &it->second;
}

const QueryRecord* State::FindQuery(const std::string& id) const {
  auto it = queries_.find(id);
  return it == queries_.end() ? nullptr : &it->second;
}

const RunRecord* State::FindRun(const std::string& id) const {
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : &it->second;
}

}  // namespace cleanroom::governance
