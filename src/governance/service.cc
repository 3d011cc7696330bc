#include "governance/service.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <mutex>

#include "base/file.h"
#include "base/logging.h"
#include "ledger/signer.h"
#include "sql/catalog.h"

namespace cleanroom::governance {
namespace {

// The data dir's errors are the operator's: they name the flag and say what is wrong with it.
Status DirectoryError(const std::string& path, int err) {
  std::string what = "--data-dir: cannot create " + path + ": " + ErrnoText(err);
  if (err == EACCES || err == EPERM || err == EROFS) return Status::PermissionDenied(what);
  return Status::InvalidArgument(what);
}

// Creates `path` and its missing parents, as `mkdir -p` does, each new one readable by the
// service's user only (0700); folders that exist are left as they are. A part that exists but
// is no folder is named.
Status MakeDirectories(const std::string& path) {
  for (size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
    std::string part = path.substr(0, end);
    struct stat st;
    if (::stat(part.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return Status::InvalidArgument("--data-dir: " + part + " exists and is not a directory");
      }
    } else if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return DirectoryError(part, errno);
    }
    if (end == std::string::npos) return Status::OK();
  }
}

Result<crypto::MemberIdentity> LoadOrCreateIdentity(const std::string& directory) {
  struct stat st;
  if (::stat((directory + "/" + std::string(crypto::kIdentityKeyFile)).c_str(), &st) == 0) {
    return crypto::LoadIdentity(directory);
  }
  CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity,
                      crypto::GenerateIdentity("cleanroom governance service"));
  CR_RETURN_IF_ERROR(crypto::WriteIdentity(directory, identity));
  LogInfo("created the service identity in " + directory);
  return identity;
}

}  // namespace

ApiResponse ApiResponse::WithJson(int status, std::string body) {
  ApiResponse r;
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

ApiResponse ApiResponse::Error(const ApiError& error) {
  return WithJson(error.http_status, error.ToJson());
}

Service::Service(const ServiceOptions& options, crypto::MemberIdentity identity)
    : options_(options), identity_(std::move(identity)) {}

Service::~Service() {
  {
    std::lock_guard lock(sweeper_mu_);
    stopping_ = true;
  }
  sweeper_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

int64_t Service::Now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::string> Service::Initialise(const std::string& data_dir,
                                        const std::vector<std::string>& founder_ids) {
  if (data_dir.empty()) return Status::InvalidArgument("--data-dir: must not be empty");
  std::string service_dir = data_dir + "/service";
  CR_RETURN_IF_ERROR(MakeDirectories(service_dir));
  CR_RETURN_IF_ERROR(LoadOrCreateIdentity(service_dir).status());
  return Bootstrap::Write(service_dir, founder_ids);
}

Result<std::unique_ptr<Service>> Service::Open(const ServiceOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("--data-dir: must not be empty");
  // Nothing is created before init: a data dir that is missing (or a parent of it) was never
  // initialised.
  struct stat data_dir_stat;
  if (::stat(options.data_dir.c_str(), &data_dir_stat) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      return Status::PermissionDenied("--data-dir: cannot read " + options.data_dir + ": " +
                                      ErrnoText(errno));
    }
    return Status::NotFound("--data-dir: " + options.data_dir +
                            " does not exist: run `cleanroom governance init` first");
  }
  if (!S_ISDIR(data_dir_stat.st_mode)) {
    return Status::InvalidArgument("--data-dir: " + options.data_dir + " is not a directory");
  }
  std::string service_dir = options.data_dir + "/service";
  Result<Bootstrap> bootstrap = Bootstrap::Read(service_dir);
  if (!bootstrap.ok() && bootstrap.status().code() != StatusCode::kNotFound) {
    return bootstrap.status();
  }
  struct stat st;
  if (!bootstrap.ok() && ::stat((options.data_dir + "/ledger").c_str(), &st) != 0) {
    return bootstrap.status();  // a fresh data dir: nothing is created before init
  }
  CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, LoadOrCreateIdentity(service_dir));
  std::unique_ptr<Service> service(new Service(options, std::move(identity)));
  const crypto::MemberIdentity& id = service->identity_;

  CR_ASSIGN_OR_RETURN(SecretStore secrets,
                      SecretStore::Open(options.data_dir + "/secrets", id.signing_key));
  service->secrets_.emplace(std::move(secrets));
  CR_ASSIGN_OR_RETURN(ChallengeIssuer challenges, ChallengeIssuer::Create(id.signing_key));
  service->challenges_.emplace(std::move(challenges));

  CR_ASSIGN_OR_RETURN(std::string key_pem, id.signing_key.ToPem());
  auto signer = ledger::TreeHeadSigner::FromPem(key_pem, id.public_identity.certificate.ToPem());
  SecureWipe(key_pem.data(), key_pem.size());
  if (!signer.ok()) return signer.status();

  ledger::LedgerOptions ledger_options;
  ledger_options.directory = options.data_dir + "/ledger";
  ledger_options.signer = std::move(signer).value();
  ledger_options.max_segment_bytes = options.max_segment_bytes;
  Service* raw = service.get();
  CR_ASSIGN_OR_RETURN(service->ledger_,
                      ledger::Ledger::Open(ledger_options, [raw](const ledger::Entry& entry) {
                        return raw->Replay(entry);
                      }));
  // A service whose ledger holds a contract was bootstrapped already (before bootstrap files
  // existed); any other needs its operator's init.
  if (bootstrap.ok()) {
    service->bootstrap_ = std::move(bootstrap).value();
  } else if (service->state_.versions().empty()) {
    return bootstrap.status();
  }
  if (options.run_timeout_seconds > 0) {
    service->sweeper_ = std::thread([raw] {
      std::unique_lock lock(raw->sweeper_mu_);
      while (!raw->sweeper_cv_.wait_for(lock, std::chrono::seconds(1),
                                        [raw] { return raw->stopping_; })) {
        lock.unlock();
        raw->ExpireOverdueRuns();
        lock.lock();
      }
    });
  }
  return service;
}

Status Service::Replay(const ledger::Entry& entry) {
  if (entry.kind != ledger::EntryKind::kRequest) return Status::OK();
  // A member request replayed into the ledger (a nonce used twice, a request outside the
  // freshness window of its entry) stops the start: it would otherwise apply twice.
  CR_RETURN_IF_ERROR(freshness_.Check(entry));
  const ledger::RequestRecord& record = entry.request;
  bool accepted = record.outcome == ledger::Outcome::kAccepted;
  std::string where = "ledger entry " + std::to_string(entry.seqno);
  if (record.signer_id.empty() && accepted) {
    // An action of the service itself (runs moved on by key release and reports).
    auto parsed = ParseJson(AsStringView(record.signed_request), where + " service action");
    if (!parsed.ok() || !parsed->is_object() || !(*parsed)["serviceAction"].is_string()) {
      return Status::DataLoss(where + ": a service entry that is not a service action");
    }
    ServiceAction action{(*parsed)["serviceAction"].get<std::string>(),
                         parsed->value("payload", Json::object())};
    return Replayed(state_.ApplyService(action), where, action.type, entry.seqno);
  }
  auto message = crypto::cose::DecodeSign1(record.signed_request);
  if (!message.ok()) {
    if (!accepted) return Status::OK();
    return Status::DataLoss(where + ": the signed request does not decode");
  }
  const crypto::cose::Headers& h = message->headers;
  int64_t now = Now();
  if (h.created_at && h.nonce && *h.created_at + kMaxMessageAgeSeconds >= now) {
    nonces_.Insert(record.signer_id, *h.nonce, *h.created_at + kMaxMessageAgeSeconds + 1, now);
  }
  if (!accepted || record.signer_id.empty()) return Status::OK();
  if (!h.msg_type || !h.created_at || !message->payload) {
    return Status::DataLoss(where + ": the signed request lacks its headers or payload");
  }
  Action action;
  action.signer = record.signer_id;
  action.type = *h.msg_type;
  action.created_at = *h.created_at;
  auto payload = ParseJson(AsStringView(*message->payload), where + " payload");
  if (!payload.ok()) return Status::DataLoss(payload.status().message());
  action.payload = std::move(payload).value();
  Json result = Json::object();
  if (!record.result.empty()) {
    auto parsed = ParseJson(record.result, where + " result");
    if (!parsed.ok()) return Status::DataLoss(parsed.status().message());
    result = std::move(parsed).value();
  }
  ApplyContext context;
  context.replay = true;
  context.recorded_result = &result;
  return Replayed(state_.Apply(action, context), where, action.type, entry.seqno);
}

Status Service::Replayed(Result<Applied> applied, const std::string& where, const std::string& type,
                         uint64_t seqno) {
  if (!applied.ok()) {
    return Status::DataLoss(where + " (" + type +
                            ") does not apply to the state: " + applied.status().ToString());
  }
  if (applied->on_seqno) applied->on_seqno(seqno);
  ++replayed_entries_;
  return Status::OK();
}

std::optional<crypto::PublicKey> Service::LookupSigner(
    const std::string& member_id, const crypto::cose::Sign1Message& message) const {
  {
    std::shared_lock lock(mu_);
    if (auto key = state_.SignerKey(member_id)) return key;
    // While no contract is active, a first proposal may come from a member it introduces.
    if (state_.active() != nullptr) return std::nullopt;
  }
  if (message.headers.msg_type != "collab.propose" || !message.payload) return std::nullopt;
  auto payload = ParseJson(AsStringView(*message.payload), "payload");
  if (!payload.ok() || !payload->is_object() || !payload->contains("contract")) return std::nullopt;
  auto contract = ParseContract((*payload)["contract"]);
  if (!contract.ok()) return std::nullopt;
  const Member* m = contract->Find(member_id);
  if (m == nullptr) return std::nullopt;
  // Only what the operator set up at init may found the collaboration.
  bool no_contract_yet = false;
  {
    std::shared_lock lock(mu_);
    no_contract_yet = state_.versions().empty();
  }
  if (!bootstrap_ || !bootstrap_->Allows(member_id, *payload, no_contract_yet)) return std::nullopt;
  return m->signing_key;
}

ApiResponse Service::Commit(const VerifiedRequest& request, ByteSpan raw,
                            const ApplyContext& context, const PendingSecret* secret) {
  std::unique_lock lock(mu_);
  if (failed_) {
    if (secret != nullptr) secrets_->Remove(secret->pending);
    return ApiResponse::Error({503, "Unavailable", "the service must restart (ledger failure)"});
  }
  bool published = false;
  if (secret != nullptr) {
    // Checked again under the writer lock: another write may have stored this key meanwhile.
    if (state_.CheckSecret(request.action).ok()) {
      Status moved = secrets_->Publish(secret->pending, secret->file);
      if (!moved.ok()) {
        secrets_->Remove(secret->pending);
        return ApiResponse::Error(ApiErrorFromStatus(moved));
      }
      published = true;
    } else {
      secrets_->Remove(secret->pending);
    }
  }
  Result<Applied> applied = state_.Apply(request.action, context);
  ledger::RequestRecord record;
  record.signer_id = request.action.signer;
  record.signed_request.assign(raw.begin(), raw.end());
  std::optional<ApiError> refusal;
  if (applied.ok()) {
    record.result = CanonicalJson(applied->result);
    record.introduced_members = std::move(applied->introduced);
  } else {
    refusal = ApiErrorFromStatus(applied.status());
    record.outcome = ledger::Outcome::kRefused;
    record.refusal_code = refusal->code;
    record.result = CanonicalJson(Json{{"message", refusal->message}});
    if (published) secrets_->Remove(secret->file);
  }
  auto ticket = ledger_->AppendAsync(std::move(record));
  if (!ticket.ok()) {
    // The state already holds the change the ledger refused: only a restart (replay) makes the
    // two agree again.
    if (applied.ok()) failed_ = true;
    LogError("ledger append failed: " + ticket.status().ToString());
    return ApiResponse::Error({503, "Unavailable", "the ledger refused the write"});
  }
  if (applied.ok() && applied->on_seqno) applied->on_seqno(ticket->seqno);
  lock.unlock();

  Status durable = ticket->Wait();
  if (!durable.ok()) {
    failed_ = true;
    LogError("ledger write failed: " + durable.ToString());
    return ApiResponse::Error({503, "Unavailable", "the ledger could not make the write durable"});
  }
  if (refusal) {
    Json body = {{"error", {{"code", refusal->code}, {"message", refusal->message}}},
                 {"seqno", ticket->seqno}};
    return ApiResponse::WithJson(refusal->http_status, CanonicalJson(body));
  }
  Json body = {{"seqno", ticket->seqno}, {"result", applied->result}};
  return ApiResponse::WithJson(200, body.dump());
}

Result<Bytes> Service::UnsealDatasetKey(const std::string& dataset, int64_t version) {
  SecretStore::Binding binding;
  std::string file;
  {
    std::shared_lock lock(mu_);
    const DatasetRecord* d = state_.FindDataset(dataset);
    if (d == nullptr || version < 1 || version > static_cast<int64_t>(d->versions.size()) ||
        !d->versions[static_cast<size_t>(version - 1)].secret) {
      return Status::NotFound("no key is stored for dataset '" + dataset + "' version " +
                              std::to_string(version));
    }
    const SecretRecord& s = *d->versions[static_cast<size_t>(version - 1)].secret;
    binding = {state_.collaboration_id(), sql::ToLowerAscii(d->name), version, s.key_id};
    file = s.sealed_file;
  }
  return secrets_->Unseal(file, binding);
}

}  // namespace cleanroom::governance
