#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "base/status.h"
#include "govwire/https_connection.h"
#include "runtime/key_request.h"
#include "runtime/spark_attestation.h"
#include "runtime/spark_driver.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {

struct RuntimeServerOptions {
  std::string governance_url;       // https://HOST:PORT
  std::string service_fingerprint;  // hex SHA-256 of the service certificate (pinned)
  std::string storage_url = "file://storage";
  // Makes the evidence of each run (SimulatedEvidenceProducer / SevSnpEvidenceProducer).
  EvidenceProducer evidence;
  std::string evidence_kind;  // "simulated" (INSECURE) or "sev-snp", for the log lines
  int poll_interval_ms = 500;
  int engine_threads = 0;  // 0: every core
  // Set: every run's checked program runs on this Spark cluster (a driver per run), not on the
  // embedded engine (docs/spark.md, "The runtime on Spark").
  std::optional<SparkDriverOptions> spark;
  // With `spark` on a spark:// master: what its executors must prove (spark_attestation.h).
  std::optional<ExecutorAttestation> spark_attestation;
  // One line per step of a run (picked up, keys released or refused, executed, reported).
  std::function<void(const std::string& line)> log;
};

// What happened to one run in this runtime.
struct RunResult {
  std::string run_id;
  Status status;      // OK when the run succeeded and was reported
  std::string state;  // "succeeded", "failed" (reported), or "refused" (keys not released)
  uint64_t rows_out = 0;
};

// The clean-room runtime (docs/runtime.md): polls governance for requested runs and executes
// each: an ephemeral X25519 key and evidence binding it to the run, attested key release,
// ExecuteRun on the encrypted datasets in storage (plaintext in memory only), the result sealed
// to its recipients, the run record signed by a per-run key and reported to governance with
// the run token. Runs are executed one at a time. Stop() may be called from another thread.
class RuntimeServer {
 public:
  static Result<std::unique_ptr<RuntimeServer>> Create(RuntimeServerOptions options);

  // Serves until Stop(): every poll, executes the runs in state "requested" it has not tried,
  // and removes from storage the objects of runs governance marked failed.
  Status Serve();
  void Stop() { stopping_ = true; }

  // Executes the run `run_id` now (it must be requested).
  RunResult ProcessRun(const std::string& run_id);
  // Polls once: processes every pending run; returns what happened to each.
  Result<std::vector<RunResult>> ProcessPending();

 private:
  RuntimeServer(RuntimeServerOptions options, std::unique_ptr<Storage> storage,
                std::unique_ptr<govwire::HttpsConnection> connection)
      : options_(std::move(options)),
        storage_(std::move(storage)),
        connection_(std::move(connection)) {}
  void Log(const std::string& line) const;
  // POSTs a JSON body; the reply's error becomes a Status.
  Result<nlohmann::json> Post(const std::string& path, const nlohmann::json& body);
  Status Report(const std::string& run_id, ByteSpan token, ByteSpan signed_record);
  // Governance's challenge for the run (GET /v1/runs/{run}/challenge), to bind into the evidence.
  Result<Bytes> FetchChallenge(const std::string& run_id);

  RuntimeServerOptions options_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<govwire::HttpsConnection> connection_;
  std::set<std::string> tried_;    // runs this process attempted
  std::set<std::string> cleaned_;  // failed runs whose objects were removed
  std::atomic<bool> stopping_{false};
};

}  // namespace cleanroom::runtime
