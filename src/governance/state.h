#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "crypto/signature.h"
#include "governance/documents.h"
#include "governance/privacy_budget.h"
#include "governance/wire.h"
#include "govwire/run_record.h"
#include "ledger/entry.h"

namespace cleanroom::governance {

// A write whose signature, signer and freshness have been checked: who asked for what.
struct Action {
  std::string signer;      // member id
  std::string type;        // the COSE message type, e.g. "dataset.register"
  int64_t created_at = 0;  // unix seconds, from the signed protected header
  Json payload;            // the signed JSON payload
};

// Facts an action needs that do not come from the state itself.
struct ApplyContext {
  // Replaying the ledger at start-up: results recorded in the entry are used where a live
  // write computes them from outside the state (the datasets a query references), so replay
  // does not depend on the SQL front end's version.
  bool replay = false;
  const Json* recorded_result = nullptr;
  // dataset.secret: the name of the sealed file the service wrote (live writes only).
  std::string sealed_secret_file;
};

// The effect of an accepted action.
struct Applied {
  Json result = Json::object();  // recorded in the ledger entry and returned to the member
  std::vector<ledger::MemberCertificate> introduced;  // certificates new to the ledger
  // Called with the ledger seqno once the entry is appended (under the writer lock).
  std::function<void(uint64_t seqno)> on_seqno;
};

// A member's vote on a contract version or a query, with the ledger entry that holds it.
struct Vote {
  bool accept = false;
  uint64_t seqno = 0;
};

enum class ProposalPhase { kProposed, kAccepted, kRejected, kSuperseded, kWithdrawn };
std::string PhaseName(ProposalPhase phase);

struct ContractVersion {
  int64_t version = 0;
  Json document;
  std::string hash;
  Contract contract;
  std::string proposer;
  std::map<std::string, Vote> votes;
  ProposalPhase phase = ProposalPhase::kProposed;
  uint64_t seqno = 0;
};

struct SecretRecord {
  std::string key_id;
  std::string commitment;   // hex SHA-256 of the key
  std::string sealed_file;  // under DATA_DIR/secrets
  uint64_t seqno = 0;
};

struct DatasetVersion {
  int64_t version = 0;
  Json document;  // as registered, plus "owner" and "version"
  std::string hash;
  DatasetDocument parsed;
  uint64_t seqno = 0;
  std::optional<SecretRecord> secret;
};

struct DatasetRecord {
  std::string name;  // as first registered
  std::string owner;
  std::vector<DatasetVersion> versions;
  bool enabled = true;  // the owner's consent switch
  uint64_t consent_seqno = 0;
  // Every run's charge on the dataset's differential-privacy budget, in ledger order (refunded
  // ones kept, marked): privacy_budget.h.
  std::vector<BudgetCharge> budget_charges;
  // A published model (docs/ml.md): its key, consent switch and versions are a dataset's, but
  // it is never a table of the SQL front end, only the model of an ML job.
  bool is_model = false;
};

struct QueryDataset {
  std::string name;
  int64_t version = 0;
  std::string owner;
  std::string hash;
};

struct QueryRecord {
  std::string id;
  Json bound;  // {"id","proposer","query","datasets","approvers"}: the hash covers it
  std::string hash;
  QueryDocument parsed;
  std::string proposer;
  std::vector<QueryDataset> datasets;
  std::vector<std::string> approvers;
  std::map<std::string, Vote> votes;
  ProposalPhase phase = ProposalPhase::kProposed;
  std::set<std::string> disabled_by;  // approvers holding their switch off
  uint64_t seqno = 0;
  // An ML job (training, fine-tuning, inference; state_jobs.cc): `bound["query"]` is the job
  // document and `datasets` holds its model, if it uses one, after the datasets it reads.
  bool is_job = false;
};

// A run's life: requested (a member asked) -> running (keys released to an attested runtime)
// -> succeeded | failed (the runtime reported, or governance refused the keys on the state, or
// the runtime did not report in time).
struct RunRecord {
  std::string id;
  std::string query_id;
  std::string query_hash;
  std::string requester;
  govwire::RunState state = govwire::RunState::kRequested;
  int64_t requested_at = 0;
  uint64_t seqno = 0;
  // Set when the keys are released (service entry "run.keys").
  Json release;             // {"seqno","evidence":{"kind","digest","measurement"},"keys":[...]}
  std::string token_hash;   // hex SHA-256 of the run token sealed to the runtime
  int64_t released_at = 0;  // unix seconds
  std::string reason;       // why the run failed ("Code: message"), when it did
  Json report;  // the runtime's signed run record (payload) once reported; null until then
  // The DP datasets whose budget the release charged (lower-case names); their charges are in
  // DatasetRecord::budget_charges under this run's id.
  std::vector<std::string> charged_datasets;
};

// Entries the service writes on its own behalf (no member signature): the ledger records them
// with an empty signer and this JSON as the request bytes, and replay applies them again.
struct ServiceAction {
  std::string type;  // run.keys, run.refused, run.report, run.expired
  Json payload;
};

// The governance state machine of one collaboration. Deterministic: applying the same actions
// in the same order yields the same state, so replaying the ledger rebuilds it.
// Not thread-safe: the service serialises Apply (writer lock) against the readers.
class State {
 public:
  // Checks `action` against the state and, only when every check passes, applies it.
  // Errors: InvalidArgument (malformed payload), PermissionDenied (role or ownership),
  // FailedPrecondition (wrong phase, hash mismatch, consent off), NotFound, AlreadyExists.
  Result<Applied> Apply(const Action& action, const ApplyContext& context);

  // Applies an action of the service itself (see ServiceAction). FailedPrecondition when the
  // run is not in the state the action moves it from.
  Result<Applied> ApplyService(const ServiceAction& action);
  // The dataset version a dataset.secret action stores the key of, once every check of
  // StoreSecret passed (the signer owns it, the version exists and has no key yet): the service
  // checks this before it writes any file.
  struct SecretTarget {
    std::string dataset;  // lower-case
    int64_t version = 0;
    std::string key_id;
    std::string commitment;
  };
  Result<SecretTarget> CheckSecret(const Action& action) const;

  // OK when `run` may proceed: requested, its query accepted and switched on, every dataset's
  // consent on, the collaboration not stopped; else FailedPrecondition saying which switch.
  Status CheckRunnable(const QueryRecord& query) const;
  // The charges a release of `run` would make on the budgets of the DP datasets its query reads,
  // each checked against what the dataset has spent: ResourceExhausted with the remaining budget
  // when one cannot pay (privacy_budget.h). Empty when the query reads no DP dataset.
  Result<std::vector<BudgetCharge>> BudgetChargesFor(const RunRecord& run) const;
  // The charges of run `id` (refunded ones marked), in the order of its query's datasets.
  std::vector<BudgetCharge> ChargesOfRun(const std::string& id) const;

  // The public key of a member that may sign writes now (a member of the active contract or
  // of a proposed one); nullopt for anyone else.
  std::optional<crypto::PublicKey> SignerKey(const std::string& member_id) const;
  // Whether `member_id` may read (the same members as SignerKey).
  bool IsReader(const std::string& member_id) const { return signers_.count(member_id) > 0; }

  // The collaboration id (hash of contract version 1); empty before the first proposal.
  const std::string& collaboration_id() const { return collaboration_id_; }
  const ContractVersion* active() const;
  const std::vector<ContractVersion>& versions() const { return versions_; }
  const std::set<std::string>& stopped_by() const { return stopped_by_; }
  const DatasetRecord* FindDataset(const std::string& name) const;
  const std::map<std::string, DatasetRecord>& datasets() const { return datasets_; }
  const QueryRecord* FindQuery(const std::string& id) const;
  const std::map<std::string, QueryRecord>& queries() const { return queries_; }
  const RunRecord* FindRun(const std::string& id) const;
  const std::map<std::string, RunRecord>& runs() const { return runs_; }

 private:
  // One file per noun: state_collab.cc, state_datasets.cc, state_queries.cc, state_runs.cc.
  Result<Applied> ProposeContract(const Action& a);
  Result<Applied> VoteContract(const Action& a, bool accept);
  Result<Applied> SwitchCollaboration(const Action& a, bool stop);
  Result<Applied> RegisterDataset(const Action& a);
  Result<Applied> SwitchDataset(const Action& a, bool enable);
  // A new version of dataset or model `key` (lower-case name), its record created if needed.
  Applied AddVersion(const std::string& key, const std::string& owner, const Json& submitted,
                     DatasetDocument parsed, bool is_model);
  Result<Applied> StoreSecret(const Action& a, const ApplyContext& context);
  Result<Applied> ProposeQuery(const Action& a, const ApplyContext& context);
  Result<Applied> VoteQuery(const Action& a, bool accept);
  // Models and ML jobs (state_models.cc, state_jobs.cc).
  Result<Applied> RegisterModel(const Action& a);
  // What a proposal's kind checks: the check over the documents read (and, for a job, the
  // model's, last) and the data owners, recorded in the bound proposal; for a job, its model
  // ("" for training).
  struct ProposalChecks {
    std::function<Result<Json>(const std::vector<const Json*>& documents,
                               const std::vector<std::string>& data_owners)>
        check;
    std::optional<std::string> model_of_job;  // set for jobs only
  };
  Result<Applied> AddProposal(const Action& a, const ApplyContext& context, const Json& document,
                              QueryDocument q, const ProposalChecks& checks);
  Result<std::vector<std::string>> DatasetsRead(const std::vector<std::string>& steps,
                                                const ApplyContext& context,
                                                const std::string& where) const;
  Result<Applied> ProposeJob(const Action& a, const ApplyContext& context);
  Result<Applied> WithdrawQuery(const Action& a);
  Result<Applied> SwitchQuery(const Action& a, bool enable);
  Result<Applied> RequestRun(const Action& a);
  Result<Applied> ReleaseRunKeys(const Json& p);
  Status CheckReleasable(const RunRecord& run, const Json& p) const;
  Result<Applied> FinishRun(const Json& p, const std::string& type);

  // The payload names this collaboration ("collaboration": id).
  Status CheckCollaboration(const Action& a) const;
  // The active contract's member `signer`; FailedPrecondition when none is active,
  // PermissionDenied when the signer is not in it or lacks `role` (0: any member).
  Result<const Member*> ActiveMember(const std::string& signer, uint8_t role) const;
  Result<DatasetRecord*> DatasetByName(const std::string& name);
  Result<QueryRecord*> QueryById(const std::string& id);
  void RebuildSigners();

  std::string collaboration_id_;
  std::vector<ContractVersion> versions_;
  int64_t active_index_ = -1;
  std::set<std::string> stopped_by_;
  std::set<std::string> introduced_;  // member ids whose certificates the ledger holds
  std::unordered_map<std::string, crypto::PublicKey> signers_;
  std::map<std::string, DatasetRecord> datasets_;  // key: lower-case name
  std::map<std::string, QueryRecord> queries_;
  std::map<std::string, RunRecord> runs_;
  int64_t next_query_ = 1;
  int64_t next_run_ = 1;
};

}  // namespace cleanroom::governance
