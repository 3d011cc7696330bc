#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/identity.h"
#include "governance/bootstrap.h"
#include "governance/challenge.h"
#include "governance/nonce_cache.h"
#include "governance/request_verifier.h"
#include "governance/route.h"
#include "governance/secret_store.h"
#include "governance/state.h"
#include "governance/wire.h"
#include "ledger/ledger.h"
#include "ledger/request_freshness.h"

namespace cleanroom::governance {

struct ServiceOptions {
  // Holds service/ (identity), ledger/ and secrets/. Created if missing.
  std::string data_dir;
  // Passed to the ledger (tests use small segments to exercise rolling).
  uint64_t max_segment_bytes = 64ull << 20;
  // Clock (unix seconds) used for freshness checks; tests may replace it.
  std::function<int64_t()> clock;
  // A run whose keys were released and whose runtime has not reported within this many seconds
  // is marked failed (a runtime killed mid-run). 0: never.
  int64_t run_timeout_seconds = 3600;
};

// A response of the API, independent of the transport.
struct ApiResponse {
  int http_status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is streamed by calling this with a sink instead (ledger download).
  std::function<Status(const std::function<Status(ByteSpan)>& sink)> stream;

  static ApiResponse WithJson(int status, std::string body);
  static ApiResponse Error(const ApiError& error);
};

// The governance service: its identity, ledger, state machine and secrets, and every route of
// the API (docs/api.md). The HTTP layer passes each request's method, path, body and the member
// id of the TLS client certificate (empty when none) to Handle. Thread-safe: writes are verified
// concurrently on the calling threads, applied one at a time in ledger order, and acknowledged
// once durable (the ledger's group commit); reads share a reader lock.
class Service {
 public:
  // Initialises DATA_DIR for a new collaboration (`cleanroom governance init`): creates the
  // service identity and fixes who may propose the first contract (see Bootstrap): the founders'
  // member ids, or, with none, a one-time token that is returned (hex) for the operator to hand
  // to the proposer. AlreadyExists when DATA_DIR was initialised before.
  static Result<std::string> Initialise(const std::string& data_dir,
                                        const std::vector<std::string>& founder_ids);
  // Opens DATA_DIR: loads the service identity, opens the ledger (replaying it to rebuild the
  // state; DataLoss naming the file and offset when it is damaged). NotFound when DATA_DIR was
  // never initialised (and its ledger holds no contract).
  static Result<std::unique_ptr<Service>> Open(const ServiceOptions& options);
  ~Service();

  ApiResponse Handle(const std::string& method, const std::string& path, std::string_view body,
                     const std::string& client_member_id);

  // The service identity (the TLS server certificate and the tree head key).
  const crypto::MemberIdentity& identity() const { return identity_; }
  // Lower-case hex SHA-256 of the service certificate's DER: what clients pin.
  const std::string& fingerprint() const { return identity_.member_id(); }
  uint64_t replayed_entries() const { return replayed_entries_; }
  // The ledger, for reading (every member may download it anyway).
  const ledger::Ledger& ledger() const { return *ledger_; }

  // Internal API for the runtime issue's attested key release: the key of a dataset version,
  // unsealed. Never reachable by members. NotFound when no key is stored for it.
  // The caller wipes the key after use.
  Result<Bytes> UnsealDatasetKey(const std::string& dataset, int64_t version);

 private:
  Service(const ServiceOptions& options, crypto::MemberIdentity identity);
  Status Replay(const ledger::Entry& entry);
  // The end of replaying one entry: DataLoss when it did not apply, else counts it.
  Status Replayed(Result<Applied> applied, const std::string& where, const std::string& type,
                  uint64_t seqno);
  int64_t Now() const;

  // Every route of the API, one declaration each (routes.cc).
  static const std::vector<Route>& Routes();
  // The checks of a member's signed write (RequestVerifier) for a route taking `message_types`.
  std::variant<VerifiedRequest, ApiError> VerifyWrite(
      ByteSpan body, const std::vector<std::string>& message_types);
  // Whether the TLS client certificate's member may read (a member of the collaboration).
  bool IsReader(const std::string& client_member_id) const;
  static ApiResponse UnauthenticatedRead();
  // The route handlers (service_routes.cc).
  ApiResponse Write(const RouteCall& call);
  ApiResponse ServiceInfo() const;
  ApiResponse ReadState(const std::function<Result<Json>(const State&)>& view) const;
  ApiResponse DownloadLedger();
  ApiResponse Consistency(const std::string& size);
  ApiResponse Receipt(const std::string& seqno);
  // A sealed key written under a pending name, to be moved to its final name when (and only
  // when) the write that stores it is applied.
  struct PendingSecret {
    std::string pending;
    std::string file;
  };
  // Applies a verified write and appends it; waits until it is durable. With `secret`, the
  // sealed file is published under the writer lock just before the state applies the write, or
  // removed when the state refuses it: a refused write leaves no file behind.
  ApiResponse Commit(const VerifiedRequest& request, ByteSpan raw, const ApplyContext& context,
                     const PendingSecret* secret);
  ApiResponse StoreSecret(const RouteCall& call);
  // The runtime routes (service_runtime.cc): attested key release, the run report, and the
  // public list of run states a runtime polls.
  ApiResponse ReleaseKeys(const std::string& run_id, std::string_view body);
  // GET /v1/runs/{run}/challenge: a fresh challenge for a requested run (challenge.h); changes
  // nothing.
  ApiResponse IssueChallenge(const std::string& run_id) const;
  ApiResponse ReportRun(const std::string& run_id, std::string_view body);
  ApiResponse RuntimeRuns() const;
  // True the first time it is called for `run_id` in this process: a refusal of genuine
  // evidence is recorded at most once per run, so no runtime can grow the ledger at will.
  bool FirstEvidenceRefusal(const std::string& run_id);
  // Appends an entry the service writes on its own behalf (empty signer; the action's JSON as
  // the request bytes). Accepted: applies it to the state first (its error, if any, is
  // returned and recorded as a refusal). Refused (`refusal` set): only records it. Waits until
  // the entry is durable; returns its seqno.
  Result<uint64_t> CommitService(const ServiceAction& action, const ApiError* refusal);
  // Marks failed every running run whose runtime did not report in time; the sweeper thread
  // calls it every second.
  void ExpireOverdueRuns();
  std::optional<crypto::PublicKey> LookupSigner(const std::string& member_id,
                                                const crypto::cose::Sign1Message& message) const;

  ServiceOptions options_;
  crypto::MemberIdentity identity_;
  std::optional<SecretStore> secrets_;
  std::optional<ChallengeIssuer> challenges_;
  std::optional<Bootstrap> bootstrap_;
  std::unique_ptr<ledger::Ledger> ledger_;
  NonceCache nonces_;
  ledger::RequestFreshness freshness_;  // start-up replay only
  RequestVerifier verifier_{&nonces_};
  mutable std::shared_mutex mu_;  // guards state_
  State state_;
  std::atomic<bool> failed_{false};
  uint64_t replayed_entries_ = 0;
  std::mutex refusals_mu_;
  std::set<std::string> evidence_refusals_;  // runs whose evidence refusal is recorded
  std::mutex sweeper_mu_;
  std::condition_variable sweeper_cv_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace cleanroom::governance
