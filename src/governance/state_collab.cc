// Contract proposals, votes and the collaboration's stop switches.
#include "governance/state.h"

namespace cleanroom::governance {

Result<Applied> State::ProposeContract(const Action& a) {
  JsonReader r(a.payload, "payload");
  // bootstrapProof: checked by the service before the proposal reaches the state (Bootstrap).
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"collaboration", "version", "contract", "bootstrapProof"}));
  if (!collaboration_id_.empty()) CR_RETURN_IF_ERROR(CheckCollaboration(a));
  CR_ASSIGN_OR_RETURN(int64_t version, r.Integer("version"));
  int64_t expected = static_cast<int64_t>(versions_.size()) + 1;
  if (version != expected) {
    return Status::FailedPrecondition("payload.version: the next contract version is " +
                                      std::to_string(expected));
  }
  if (!a.payload.contains("contract")) return Status::InvalidArgument("payload.contract: missing");
  const Json& document = a.payload["contract"];
  CR_ASSIGN_OR_RETURN(Contract contract, ParseContract(document));
  // While a contract is active only its members change it; before that, the proposer must be
  // one of the members it proposes.
  if (active() != nullptr) {
    CR_RETURN_IF_ERROR(ActiveMember(a.signer, 0).status());
  } else if (contract.Find(a.signer) == nullptr) {
    return Status::PermissionDenied("the proposer is not a member of the proposed contract");
  }

  ContractVersion v;
  v.version = version;
  v.hash = DocumentHash(document);
  v.document = document;
  v.contract = std::move(contract);
  v.proposer = a.signer;
  Applied applied;
  for (const Member& m : v.contract.members) {
    if (!introduced_.count(m.id)) applied.introduced.push_back({m.id, m.certificate_der});
  }

  // Commit.
  if (!versions_.empty() && versions_.back().phase == ProposalPhase::kProposed) {
    versions_.back().phase = ProposalPhase::kSuperseded;
  }
  if (collaboration_id_.empty()) collaboration_id_ = v.hash;
  for (const auto& c : applied.introduced) introduced_.insert(c.member_id);
  versions_.push_back(std::move(v));
  size_t index = versions_.size() - 1;
  ContractVersion& stored = versions_[index];
  // Proposing is the proposer's acceptance when the proposer is a member of the new contract.
  bool proposer_votes = stored.contract.Find(a.signer) != nullptr;
  if (proposer_votes) stored.votes[a.signer] = Vote{true, 0};
  if (proposer_votes && stored.votes.size() == stored.contract.members.size()) {
    stored.phase = ProposalPhase::kAccepted;
    if (active_index_ >= 0) versions_[active_index_].phase = ProposalPhase::kSuperseded;
    active_index_ = static_cast<int64_t>(index);
  }
  RebuildSigners();
  applied.result = {{"collaboration", collaboration_id_},
                    {"version", stored.version},
                    {"contractHash", stored.hash},
                    {"state", PhaseName(stored.phase)}};
  applied.on_seqno = [this, index, signer = a.signer, proposer_votes](uint64_t seqno) {
    versions_[index].seqno = seqno;
    if (proposer_votes) versions_[index].votes[signer].seqno = seqno;
  };
  return applied;
}

Result<Applied> State::VoteContract(const Action& a, bool accept) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "version", "contractHash"}));
  CR_ASSIGN_OR_RETURN(int64_t version, r.Integer("version"));
  CR_ASSIGN_OR_RETURN(std::string hash_text, r.String("contractHash"));
  CR_ASSIGN_OR_RETURN(std::string hash, NormalizeSha256Hex(hash_text, "payload.contractHash"));
  if (version < 1 || version > static_cast<int64_t>(versions_.size())) {
    return Status::NotFound("contract version " + std::to_string(version) + " does not exist");
  }
  size_t index = static_cast<size_t>(version - 1);
  ContractVersion& v = versions_[index];
  if (v.contract.Find(a.signer) == nullptr) {
    return Status::PermissionDenied("the signer is not a member of contract version " +
                                    std::to_string(version));
  }
  if (v.phase != ProposalPhase::kProposed) {
    return Status::FailedPrecondition("contract version " + std::to_string(version) + " is " +
                                      PhaseName(v.phase) + ", not open for votes");
  }
  if (hash != v.hash) {
    return Status::FailedPrecondition("payload.contractHash: does not match contract version " +
                                      std::to_string(version));
  }
  if (v.votes.count(a.signer)) {
    return Status::FailedPrecondition("the signer has already voted on contract version " +
                                      std::to_string(version));
  }

  // Commit.
  v.votes[a.signer] = Vote{accept, 0};
  if (!accept) {
    v.phase = ProposalPhase::kRejected;
  } else if (v.votes.size() == v.contract.members.size()) {
    v.phase = ProposalPhase::kAccepted;
    if (active_index_ >= 0) versions_[active_index_].phase = ProposalPhase::kSuperseded;
    active_index_ = static_cast<int64_t>(index);
    // A member who left no longer holds the collaboration stopped.
    for (auto it = stopped_by_.begin(); it != stopped_by_.end();) {
      it = v.contract.Find(*it) == nullptr ? stopped_by_.erase(it) : std::next(it);
    }
  }
  RebuildSigners();
  Applied applied;
  applied.result = {{"version", v.version}, {"state", PhaseName(v.phase)}};
  applied.on_seqno = [this, index, signer = a.signer](uint64_t seqno) {
    versions_[index].votes[signer].seqno = seqno;
  };
  return applied;
}

Result<Applied> State::SwitchCollaboration(const Action& a, bool stop) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration"}));
  CR_RETURN_IF_ERROR(ActiveMember(a.signer, 0).status());
  // Switches are idempotent: each member holds its own, and setting it again is recorded.
  if (stop) {
    stopped_by_.insert(a.signer);
  } else {
    stopped_by_.erase(a.signer);
  }
  Applied applied;
  Json holders = Json::array();
  for (const auto& id : stopped_by_) holders.push_back(id);
  applied.result = {{"stopped", !stopped_by_.empty()}, {"stoppedBy", holders}};
  return applied;
}

}  // namespace cleanroom::governance
