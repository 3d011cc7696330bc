// The routes an attested runtime uses (docs/api.md, "Runtime routes"): key release for a run,
// the run's report, and the public list of run states. The runtime is not a member: key release
// is authenticated by its evidence, the report by the run token sealed to its attested key.
#include <mutex>

#include "attest/policy.h"
#include "attest/report_data.h"
#include "base/logging.h"
#include "crypto/cose.h"
#include "crypto/hash.h"
#include "crypto/hpke.h"
#include "crypto/random.h"
#include "governance/service.h"
#include "govwire/key_release.h"
#include "govwire/run_record.h"
#include "sql/catalog.h"

namespace cleanroom::governance {
namespace {

using govwire::KeyReleaseRequest;
using govwire::RunState;

constexpr char kEvidenceRefused[] = "EvidenceRefused";  // 403

// Everything key release needs from the state, copied under the reader lock.
struct RunSnapshot {
  RunRecord run;
  Contract contract;
  std::string contract_hash;
  Status runnable;
  QueryRecord query;
  struct Input {
    QueryDataset dataset;
    Json document;
    std::string key_id;
    bool is_model = false;  // the record's is_model: the work order marks the entry
  };
  std::vector<Input> inputs;
  std::vector<BudgetCharge> charges;  // on the DP datasets read, if the budgets can pay
};

Result<RunSnapshot> SnapshotRun(const State& state, const std::string& run_id) {
  const RunRecord* run = state.FindRun(run_id);
  if (run == nullptr) return Status::NotFound("run '" + run_id + "' does not exist");
  const ContractVersion* active = state.active();
  if (active == nullptr) return Status::FailedPrecondition("no collaboration is active");
  const QueryRecord* query = state.FindQuery(run->query_id);
  if (query == nullptr) return Status::Internal("run " + run_id + " names an unknown query");
  RunSnapshot s{*run, active->contract, active->hash, state.CheckRunnable(*query), *query, {}};
  for (const QueryDataset& d : query->datasets) {
    const DatasetRecord* record = state.FindDataset(d.name);
    if (record == nullptr || d.version < 1 ||
        d.version > static_cast<int64_t>(record->versions.size())) {
      return Status::Internal("query " + query->id + " names an unknown dataset version");
    }
    const DatasetVersion& v = record->versions[static_cast<size_t>(d.version - 1)];
    if (!v.secret) {
      s.runnable = Status::FailedPrecondition("dataset '" + d.name + "' version " +
                                              std::to_string(d.version) +
                                              " has no key stored with the service");
    }
    s.inputs.push_back(
        {d, v.document, v.secret ? v.secret->key_id : std::string(), record->is_model});
  }
  // A run whose DP budgets cannot pay is refused before any key is unsealed (the release's
  // state transition checks and charges again, atomically, in ledger order).
  if (s.runnable.ok()) {
    auto charges = state.BudgetChargesFor(*run);
    if (charges.ok()) {
      s.charges = std::move(charges).value();
    } else {
      s.runnable = charges.status();
    }
  }
  return s;
}

// The attestation policy of the active contract for one run's key request.
Result<attest::Policy> PolicyFor(const Contract& contract, const KeyReleaseRequest& request) {
  attest::Policy policy;
  policy.allowed_kinds.clear();
  for (const std::string& kind : contract.evidence_kinds) {
    CR_ASSIGN_OR_RETURN(attest::EvidenceKind k, attest::ParseEvidenceKind(kind));
    policy.allowed_kinds.insert(k);
  }
  std::vector<Bytes> measurements;
  for (const std::string& hex : contract.allowed_measurements) {
    CR_ASSIGN_OR_RETURN(Bytes m, HexDecode(hex));
    measurements.push_back(std::move(m));
  }
  policy.allowed_measurements = std::move(measurements);
  for (const std::string& hex : contract.simulated_platform_keys) {
    CR_ASSIGN_OR_RETURN(Bytes k, HexDecode(hex));
    policy.simulated_platform_keys.push_back(std::move(k));
  }
  policy.snp = contract.snp_policy;
  CR_ASSIGN_OR_RETURN(
      policy.expected_report_data,
      attest::ReportDataForChallenge(request.public_key, request.run_id, request.challenge));
  return policy;
}

govwire::SealedValue Sealed(crypto::hpke::Sealed sealed) {
  return {std::move(sealed.enc), std::move(sealed.ciphertext)};
}

// What the runtime needs to execute the run: the query, the dataset documents and the
// recipients' encryption keys. Metadata only; the keys are sealed separately.
govwire::WorkOrder WorkOrderOf(const RunSnapshot& s) {
  govwire::WorkOrder work;
  work.query = {s.query.id, s.query.hash, s.query.bound.value("query", Json::object())};
  for (const auto& input : s.inputs) {
    work.datasets.push_back({input.dataset.name, input.dataset.version, input.dataset.hash,
                             input.document, input.is_model});
  }
  for (const std::string& id : s.query.parsed.recipients) {
    const Member* m = s.contract.Find(id);
    work.recipients.push_back({id, m ? m->encryption_public_key : std::string()});
  }
  // The charges the release makes (the state transition computes them again from the same state
  // it re-checks; the report must state the ones it made).
  for (const BudgetCharge& c : s.charges) work.budget.push_back(c.ToWire());
  return work;
}

// Whether refused evidence was signed by a platform the policy trusts and bound to the request it
// came with: only the policy's judgement of a genuine report refused it.
bool SignedByTrustedPlatform(const attest::Verdict& verdict, const attest::Policy& policy) {
  using attest::VerdictReason;
  switch (verdict.reason) {
    case VerdictReason::kDebugNotAllowed:
    case VerdictReason::kMigrationAgentNotAllowed:
    case VerdictReason::kSmtNotAllowed:
    case VerdictReason::kTcbTooLow:
    case VerdictReason::kVmplNotAllowed:
    case VerdictReason::kGuestSvnTooLow:
    case VerdictReason::kProductNotAllowed:
    case VerdictReason::kMeasurementNotAllowed:
      break;
    default:
      return false;
  }
  if (!verdict.report || !policy.expected_report_data) return false;
  const auto& data = verdict.report->report_data;
  return ConstantTimeEquals(*policy.expected_report_data, ByteSpan(data.data(), data.size()));
}

ServiceAction RefusedKeys(const std::string& run_id, const std::string& code,
                          const std::string& message, const std::string& evidence_digest) {
  return {"run.keys",
          {{"run", run_id},
           {"refused", {{"code", code}, {"message", message}}},
           {"evidenceDigest", evidence_digest}}};
}

}  // namespace

Result<uint64_t> Service::CommitService(const ServiceAction& action, const ApiError* refusal) {
  std::unique_lock lock(mu_);
  if (failed_) return Status::Unavailable("the service must restart (ledger failure)");
  ledger::RequestRecord record;
  std::string text =
      CanonicalJson(Json{{"serviceAction", action.type}, {"payload", action.payload}});
  record.signed_request.assign(text.begin(), text.end());
  Status outcome = Status::OK();
  Result<Applied> applied = Status::Internal("not applied");
  if (refusal == nullptr) {
    applied = state_.ApplyService(action);
    outcome = applied.status();
  }
  if (refusal != nullptr || !outcome.ok()) {
    ApiError error = refusal != nullptr ? *refusal : ApiErrorFromStatus(outcome);
    record.outcome = ledger::Outcome::kRefused;
    record.refusal_code = error.code;
    record.result = CanonicalJson(Json{{"message", error.message}});
  } else {
    record.result = CanonicalJson(applied->result);
  }
  auto ticket = ledger_->AppendAsync(std::move(record));
  if (!ticket.ok()) {
    if (outcome.ok() && refusal == nullptr) failed_ = true;
    LogError("ledger append failed: " + ticket.status().ToString());
    return Status::Unavailable("the ledger refused the write");
  }
  if (refusal == nullptr && applied.ok() && applied->on_seqno) applied->on_seqno(ticket->seqno);
  lock.unlock();
  Status durable = ticket->Wait();
  if (!durable.ok()) {
    failed_ = true;
    LogError("ledger write failed: " + durable.ToString());
    return Status::Unavailable("the ledger could not make the write durable");
  }
  CR_RETURN_IF_ERROR(outcome);
  return ticket->seqno;
}

ApiResponse Service::ReleaseKeys(const std::string& run_id, std::string_view body) {
  // Until the evidence verifies, the request is anonymous: its refusals change nothing and are
  // not written to the ledger (anyone could otherwise grow it at will).
  auto parsed = ParseJson(body, "body");
  if (!parsed.ok()) return ApiResponse::Error(ApiErrorFromStatus(parsed.status()));
  auto request = govwire::KeyReleaseRequest::FromJson(*parsed);
  if (!request.ok()) return ApiResponse::Error(ApiErrorFromStatus(request.status()));
  if (request->run_id != run_id) {
    return ApiResponse::Error(
        {400, "InvalidArgument", "body.run: differs from the run the path names"});
  }
  std::string digest = HexEncode(attest::EvidenceDigest(request->evidence));

  Result<RunSnapshot> snapshot = Status::Internal("unset");
  {
    std::shared_lock lock(mu_);
    snapshot = SnapshotRun(state_, run_id);
  }
  if (!snapshot.ok()) return ApiResponse::Error(ApiErrorFromStatus(snapshot.status()));
  RunSnapshot& s = *snapshot;
  if (s.run.state != RunState::kRequested) {
    return ApiResponse::Error({409, "FailedPrecondition",
                               "run '" + run_id + "' is " +
                                   std::string(govwire::RunStateName(s.run.state)) +
                                   ": its keys are released only once"});
  }
  // The evidence must answer a fresh challenge of this service for this run (challenge.h);
  // checked before the evidence, as it costs one HMAC.
  ChallengeRefusal refusal = challenges_->Check(run_id, request->challenge, Now());
  if (refusal != ChallengeRefusal::kNone) {
    return ApiResponse::Error(
        {403, kEvidenceRefused,
         std::string(ChallengeRefusalCode(refusal)) +
             ": key release needs evidence bound to a fresh challenge of this service for run '" +
             run_id + "' (GET /v1/runs/" + run_id + "/challenge)"});
  }
  auto policy = PolicyFor(s.contract, *request);
  if (!policy.ok()) return ApiResponse::Error(ApiErrorFromStatus(policy.status()));
  attest::Verdict verdict = attest::VerifyEvidence(request->evidence, *policy, Now());
  if (!verdict.valid()) {
    ApiError error{403, kEvidenceRefused,
                   std::string(attest::VerdictReasonCode(verdict.reason)) + ": " + verdict.message};
    // Evidence from a platform the contract trusts, bound to this very request, that the policy
    // refuses (a measurement not allowed, a TCB too low) is recorded once per run: members see
    // that a genuine runtime asked. Anything else is an anonymous request.
    if (SignedByTrustedPlatform(verdict, *policy) && FirstEvidenceRefusal(run_id)) {
      CommitService(RefusedKeys(run_id, error.code, error.message, digest), &error)
          .status()
          .IgnoreError();
    }
    return ApiResponse::Error(error);
  }
  // From here the request comes from an attested runtime bound to this run.
  if (!s.runnable.ok()) {
    ApiError error = ApiErrorFromStatus(s.runnable);
    ServiceAction failed{"run.refused",
                         {{"run", run_id}, {"reason", error.code + ": " + error.message}}};
    CommitService(failed, nullptr).status().IgnoreError();
    return ApiResponse::Error(error);
  }

  constexpr auto kem = crypto::hpke::Kem::kX25519Sha256;
  auto recipient = crypto::hpke::DeserializePublicKey(kem, request->public_key);
  if (!recipient.ok()) {
    return ApiResponse::Error({400, "InvalidArgument", "body.publicKey: not an X25519 public key"});
  }
  govwire::KeyReleaseReply reply;
  reply.run_id = run_id;
  Json released = Json::array();
  for (const RunSnapshot::Input& input : s.inputs) {
    auto key = UnsealDatasetKey(input.dataset.name, input.dataset.version);
    if (!key.ok()) return ApiResponse::Error(ApiErrorFromStatus(key.status()));
    auto sealed = crypto::hpke::Seal(
        crypto::hpke::kDefaultSuite, *recipient, AsBytes(govwire::kKeyReleaseInfo),
        govwire::KeyReleaseAad(run_id, input.dataset.name, input.dataset.version, input.key_id),
        *key);
    SecureWipe(*key);
    if (!sealed.ok()) return ApiResponse::Error(ApiErrorFromStatus(sealed.status()));
    released.push_back({{"dataset", input.dataset.name},
                        {"version", input.dataset.version},
                        {"keyId", input.key_id}});
    reply.keys.push_back({input.dataset.name, input.dataset.version, input.key_id,
                          Sealed(std::move(sealed).value())});
  }
  auto token = crypto::RandomBytes(govwire::kRunTokenSize);
  if (!token.ok()) return ApiResponse::Error(ApiErrorFromStatus(token.status()));
  auto sealed_token =
      crypto::hpke::Seal(crypto::hpke::kDefaultSuite, *recipient, AsBytes(govwire::kRunTokenInfo),
                         govwire::RunTokenAad(run_id), *token);
  std::string token_hash = crypto::Sha256Hex(*token);
  SecureWipe(*token);
  if (!sealed_token.ok()) return ApiResponse::Error(ApiErrorFromStatus(sealed_token.status()));

  const attest::SnpReport* report = verdict.report ? &*verdict.report : nullptr;
  Json evidence = {{"kind", std::string(attest::EvidenceKindName(verdict.kind))},
                   {"digest", digest},
                   {"measurement", report ? HexEncode(report->measurement) : std::string()}};
  if (verdict.insecure()) evidence["insecure"] = true;
  // The state re-checks, under the writer lock and in ledger order, every condition checked
  // above on the snapshot (State::ReleaseRunKeys): a revocation committed meanwhile wins, and
  // the sealed keys built here are then dropped unsent.
  ServiceAction action{"run.keys",
                       {{"run", run_id},
                        {"contractHash", s.contract_hash},
                        {"tokenHash", token_hash},
                        {"releasedAt", Now()},
                        {"evidence", evidence},
                        {"keys", released}}};
  auto seqno = CommitService(action, nullptr);
  if (!seqno.ok()) return ApiResponse::Error(ApiErrorFromStatus(seqno.status()));
  reply.seqno = *seqno;
  reply.token = Sealed(std::move(sealed_token).value());
  reply.work = WorkOrderOf(s);
  return ApiResponse::WithJson(200, reply.ToJson().dump());
}

ApiResponse Service::IssueChallenge(const std::string& run_id) const {
  {
    std::shared_lock lock(mu_);
    const RunRecord* run = state_.FindRun(run_id);
    if (run == nullptr)
      return ApiResponse::Error({404, "NotFound", "run '" + run_id + "' does not exist"});
    if (run->state != RunState::kRequested) {
      return ApiResponse::Error({409, "FailedPrecondition",
                                 "run '" + run_id + "' is " +
                                     std::string(govwire::RunStateName(run->state)) +
                                     ": its keys are released only once"});
    }
  }
  govwire::RunChallenge reply;
  reply.run_id = run_id;
  reply.challenge = challenges_->Issue(run_id, Now(), &reply.expires_at);
  return ApiResponse::WithJson(200, reply.ToJson().dump());
}

bool Service::FirstEvidenceRefusal(const std::string& run_id) {
  std::lock_guard lock(refusals_mu_);
  return evidence_refusals_.insert(run_id).second;
}

ApiResponse Service::ReportRun(const std::string& run_id, std::string_view body) {
  auto parsed = ParseJson(body, "body");
  if (!parsed.ok()) return ApiResponse::Error(ApiErrorFromStatus(parsed.status()));
  auto report = govwire::RunReport::FromJson(run_id, *parsed);
  if (!report.ok()) return ApiResponse::Error(ApiErrorFromStatus(report.status()));
  RunRecord run;
  std::vector<govwire::RunBudgetCharge> charged;
  {
    std::shared_lock lock(mu_);
    const RunRecord* r = state_.FindRun(run_id);
    if (r == nullptr)
      return ApiResponse::Error({404, "NotFound", "run '" + run_id + "' does not exist"});
    run = *r;
    for (const BudgetCharge& c : state_.ChargesOfRun(run_id)) charged.push_back(c.ToWire());
  }
  if (run.state != RunState::kRunning) {
    return ApiResponse::Error({409, "FailedPrecondition",
                               "run '" + run_id + "' is " +
                                   std::string(govwire::RunStateName(run.state)) +
                                   ", not running"});
  }
  std::string token_hash = crypto::Sha256Hex(report->token);
  if (!ConstantTimeEquals(AsBytes(token_hash), AsBytes(run.token_hash))) {
    return ApiResponse::Error({401, "Unauthenticated",
                               "the run token is not the one released with run '" + run_id + "'"});
  }
  // The record is signed by the runtime's key for this run, named in the record itself; the
  // token proves the report comes from the runtime the keys were released to.
  auto message = crypto::cose::DecodeSign1(report->signed_record);
  Result<Json> record = Status::InvalidArgument("body.record: not a COSE_Sign1 run record");
  if (message.ok() && message->payload)
    record = ParseJson(AsStringView(*message->payload), "run record");
  if (!record.ok() || !record->is_object()) {
    return ApiResponse::Error({400, "InvalidArgument", "body.record: not a signed run record"});
  }
  auto key = crypto::PublicKey::FromPem(record->value("runtimeKey", ""));
  if (!key.ok() || !crypto::cose::VerifySign1(*message, *key).ok()) {
    return ApiResponse::Error({401, "BadSignature", "body.record: the signature does not verify"});
  }
  auto typed = govwire::RunRecord::FromJson(*record, "body.record");
  if (!typed.ok()) return ApiResponse::Error(ApiErrorFromStatus(typed.status()));
  if (typed->run != run_id || typed->query_hash != run.query_hash ||
      typed->evidence_digest != run.release["evidence"].value("digest", "")) {
    return ApiResponse::Error(
        {400, "InvalidArgument", "body.record: names another run, query or evidence"});
  }
  if (typed->budget != charged) {
    return ApiResponse::Error({400, "InvalidArgument",
                               "body.record.budget: differs from the privacy budget charges "
                               "made when the keys were released"});
  }
  std::string state(govwire::RunStateName(typed->state));
  Json payload = {{"run", run_id},
                  {"state", state},
                  {"record", *record},
                  {"signedRecord", Base64Encode(report->signed_record)}};
  if (typed->state == RunState::kFailed) payload["reason"] = typed->reason;
  auto seqno = CommitService({"run.report", payload}, nullptr);
  if (!seqno.ok()) return ApiResponse::Error(ApiErrorFromStatus(seqno.status()));
  return ApiResponse::WithJson(200,
                               Json{{"seqno", *seqno}, {"run", run_id}, {"state", state}}.dump());
}

ApiResponse Service::RuntimeRuns() const {
  govwire::RuntimeRunList list;
  std::shared_lock lock(mu_);
  for (const auto& [id, run] : state_.runs()) list.runs.push_back({id, run.state});
  return ApiResponse::WithJson(200, list.ToJson().dump());
}

void Service::ExpireOverdueRuns() {
  std::vector<std::string> overdue;
  int64_t now = Now();
  {
    std::shared_lock lock(mu_);
    for (const auto& [id, run] : state_.runs()) {
      if (run.state == RunState::kRunning && run.released_at + options_.run_timeout_seconds < now) {
        overdue.push_back(id);
      }
    }
  }
  for (const std::string& id : overdue) {
    std::string reason = "DeadlineExceeded: the runtime did not report within " +
                         std::to_string(options_.run_timeout_seconds) + " s";
    auto seqno = CommitService({"run.expired", {{"run", id}, {"reason", reason}}}, nullptr);
    if (seqno.ok()) LogInfo("run " + id + " failed: " + reason);
  }
}

}  // namespace cleanroom::governance
