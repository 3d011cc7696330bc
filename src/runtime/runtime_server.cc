#include "runtime/runtime_server.h"

#include <chrono>
#include <thread>

#include "base/logging.h"
#include "crypto/hpke.h"
#include "govwire/governance_client.h"
#include "govwire/key_release.h"
#include "govwire/run_record.h"
#include "runtime/run_execution.h"
#include "runtime/sealed_result.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;

// The spec of a run from governance's work order (the query, dataset documents, recipients).
Result<RunSpec> SpecFromWorkOrder(const std::string& run_id, const govwire::WorkOrder& work) {
  RunSpec spec;
  spec.run_id = run_id;
  const json& doc = work.query.document;
  spec.query_id = work.query.id;
  spec.query_hash = work.query.hash;
  for (const json& step : doc["steps"]) spec.steps.push_back(step.get<std::string>());
  spec.guards = doc.value("guards", json::object());
  spec.privacy = doc.value("privacy", json::object());
  spec.output_format = doc.value("outputFormat", "csv");
  spec.budget = work.budget;
  // A job document has a kind (a query document has none: it refuses unknown fields).
  if (doc.contains("kind")) spec.job = doc;
  for (const govwire::WorkRecipient& r : work.recipients) {
    auto key = crypto::PublicKey::FromPem(r.encryption_public_key);
    if (!key.ok()) {
      return Status::FailedPrecondition("recipient " + r.member +
                                        " has no encryption key in the contract");
    }
    spec.recipients.push_back({r.member, std::move(key).value()});
  }
  return spec;
}

}  // namespace

Result<std::unique_ptr<RuntimeServer>> RuntimeServer::Create(RuntimeServerOptions options) {
  if (!options.evidence) return Status::InvalidArgument("the runtime needs an evidence producer");
  govwire::ConnectionOptions connection;
  CR_RETURN_IF_ERROR(
      govwire::ParseServiceUrl(options.governance_url, &connection.host, &connection.port));
  connection.service_fingerprint = options.service_fingerprint;
  CR_ASSIGN_OR_RETURN(auto https, govwire::HttpsConnection::Connect(connection));
  CR_ASSIGN_OR_RETURN(auto storage, OpenStorage(options.storage_url));
  return std::unique_ptr<RuntimeServer>(
      new RuntimeServer(std::move(options), std::move(storage), std::move(https)));
}

void RuntimeServer::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    LogInfo(line);
  }
}

Result<json> RuntimeServer::Post(const std::string& path, const json& body) {
  CR_ASSIGN_OR_RETURN(govwire::HttpReply http,
                      connection_->Request("POST", path, "application/json", body.dump()));
  govwire::ApiReply reply = govwire::MakeApiReply(http);
  CR_RETURN_IF_ERROR(reply.ToStatus());
  return reply.body;
}

Result<Bytes> RuntimeServer::FetchChallenge(const std::string& run_id) {
  CR_ASSIGN_OR_RETURN(govwire::HttpReply http,
                      connection_->Request("GET", "/v1/runs/" + run_id + "/challenge", "", ""));
  govwire::ApiReply reply = govwire::MakeApiReply(http);
  CR_RETURN_IF_ERROR(reply.ToStatus());
  auto challenge = govwire::RunChallenge::FromJson(reply.body);
  if (!challenge.ok()) return Status::DataLoss(challenge.status().message());
  if (challenge->run_id != run_id) return Status::DataLoss("challenge reply: names another run");
  return std::move(challenge->challenge);
}

Status RuntimeServer::Report(const std::string& run_id, ByteSpan token, ByteSpan signed_record) {
  govwire::RunReport report{run_id, Bytes(token.begin(), token.end()),
                            Bytes(signed_record.begin(), signed_record.end())};
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto reply = Post("/v1/runs/" + run_id + "/report", report.ToJson());
    if (reply.ok() || reply.status().code() != StatusCode::kUnavailable) return reply.status();
    last = reply.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
  }
  return last;
}

RunResult RuntimeServer::ProcessRun(const std::string& run_id) {
  RunResult result{run_id, Status::OK(), "refused", 0};
  tried_.insert(run_id);
  Log("run " + run_id + ": asking governance for its keys with " + options_.evidence_kind +
      " evidence" + (options_.evidence_kind == "simulated" ? " (INSECURE)" : ""));
  auto challenge = FetchChallenge(run_id);
  Result<KeyRequest> request = challenge.status();
  if (challenge.ok()) request = MakeKeyRequest(run_id, *challenge, options_.evidence);
  if (!request.ok()) {
    result.status = request.status().WithContext("run " + run_id + ": evidence");
    Log(result.status.ToString());
    return result;
  }
  auto posted = Post("/v1/runs/" + run_id + "/keys", request->ToJson());
  if (!posted.ok()) {
    result.status = posted.status().WithContext("run " + run_id + ": keys refused");
    Log(result.status.ToString());
    return result;
  }
  // A reply that is not a well-formed release of this run's keys is not acted on: the keys may
  // have been released (governance waits for a report until the run's deadline).
  auto reply = govwire::KeyReleaseReply::FromJson(*posted);
  if (reply.ok() && reply->run_id != run_id) {
    reply = Status::InvalidArgument("reply.run: names another run");
  }
  if (!reply.ok()) {
    result.status = Status::DataLoss(reply.status().message())
                        .WithContext("run " + run_id + ": governance's key release reply");
    Log(result.status.ToString());
    return result;
  }

  // Open the token and keys; build the spec. A failure from here on is reported as failed.
  Bytes token;
  std::vector<crypto::container::DataKey> keys;
  auto prepare = [&]() -> Result<RunSpec> {
    CR_ASSIGN_OR_RETURN(token, OpenRunToken(*request, reply->token.enc, reply->token.sealed));
    CR_ASSIGN_OR_RETURN(RunSpec spec, SpecFromWorkOrder(run_id, reply->work));
    spec.evidence_kind = options_.evidence_kind;
    spec.evidence_digest = request->EvidenceDigestHex();
    spec.engine_threads = options_.engine_threads;
    if (options_.spark.has_value()) spec.spark = &*options_.spark;
    if (options_.spark_attestation.has_value())
      spec.spark_attestation = &*options_.spark_attestation;
    // KeyReleaseReply::FromJson checked one key per dataset, in order.
    keys.reserve(reply->keys.size());
    for (size_t i = 0; i < reply->keys.size(); ++i) {
      const govwire::ReleasedKey& k = reply->keys[i];
      const govwire::WorkDataset& d = reply->work.datasets[i];
      std::string key_id = d.document.value("keyId", "");
      CR_ASSIGN_OR_RETURN(
          crypto::container::DataKey key,
          OpenReleasedKey(*request, d.name, d.version, key_id, k.key.enc, k.key.sealed));
      keys.push_back(std::move(key));
      spec.inputs.push_back({d.document, d.version, d.document_hash, nullptr, d.model});
    }
    for (size_t i = 0; i < keys.size(); ++i) spec.inputs[i].key = &keys[i];
    return spec;
  };
  auto spec = prepare();
  Log("run " + run_id + ": " + std::to_string(keys.size()) +
      " dataset key(s) released (ledger seqno " + std::to_string(reply->seqno) + ")");

  RunOutcome outcome;
  Result<govwire::RunRecord> record = Status::Internal("unset");
  if (spec.ok()) {
    RemoveRunObjects(*storage_, run_id);  // leftovers of an earlier attempt, if any
    outcome = ExecuteRun(*spec, *storage_);
    // Read back as governance will read it: a record it would refuse is a bug here, and fails
    // the run rather than going unreported.
    record = govwire::RunRecord::FromJson(outcome.record.ToJson(), "run record");
  }
  if (!spec.ok() || !record.ok()) {
    if (outcome.status.ok()) outcome.status = spec.ok() ? record.status() : spec.status();
    RemoveRunObjects(*storage_, run_id);
    govwire::RunRecord failed;
    failed.run = run_id;
    failed.query = reply->work.query.id;
    failed.query_hash = reply->work.query.hash;
    failed.state = govwire::RunState::kFailed;
    failed.reason = outcome.status.ToString();
    failed.evidence_kind = options_.evidence_kind;
    failed.evidence_digest = request->EvidenceDigestHex();
    failed.evidence_insecure = options_.evidence_kind == "simulated";
    failed.budget = reply->work.budget;
    record = std::move(failed);
  }
  keys.clear();  // DataKey wipes itself

  // Sign the record with a key of this run; store it (succeeded runs only), then report.
  auto signing_key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  Result<Bytes> signed_record = signing_key.status();
  if (signing_key.ok()) {
    auto pem = signing_key->public_key().ToPem();
    if (pem.ok()) record->runtime_key = *pem;
    signed_record =
        pem.ok() ? SignRunRecord(record->ToJson(), *signing_key, "runtime") : pem.status();
    if (signed_record.ok() && outcome.status.ok()) {
      Status stored = storage_->Put(RunRecordKey(run_id), *signed_record);
      if (!stored.ok()) {
        RemoveRunObjects(*storage_, run_id);
        outcome.status = stored;
        record->state = govwire::RunState::kFailed;
        record->reason = stored.ToString();
        record->output_hash.clear();
        record->rows_out.reset();
        record->suppressed.clear();
        signed_record = SignRunRecord(record->ToJson(), *signing_key, "runtime");
      }
    }
  }
  if (!signed_record.ok()) {
    RemoveRunObjects(*storage_, run_id);
    result.status = signed_record.status().WithContext("run " + run_id + ": signing the record");
    Log(result.status.ToString());
    return result;
  }
  result.state = outcome.status.ok() ? "succeeded" : "failed";
  result.rows_out = record->rows_out.value_or(0);
  Status reported = Report(run_id, token, *signed_record);
  SecureWipe(token);
  if (!reported.ok()) {
    // Governance will mark the run failed when its deadline passes; keep nothing it won't vouch
    // for.
    RemoveRunObjects(*storage_, run_id);
    result.status = reported.WithContext("run " + run_id + ": report");
    result.state = "failed";
    Log(result.status.ToString());
    return result;
  }
  result.status = outcome.status;
  if (outcome.status.ok()) {
    Log("run " + run_id + ": succeeded, " + std::to_string(result.rows_out) + " row(s) sealed to " +
        std::to_string(spec->recipients.size()) + " recipient(s)");
  } else {
    Log("run " + run_id + ": failed: " + outcome.status.ToString());
  }
  return result;
}

Result<std::vector<RunResult>> RuntimeServer::ProcessPending() {
  CR_ASSIGN_OR_RETURN(govwire::HttpReply http,
                      connection_->Request("GET", "/v1/runtime/runs", "", ""));
  govwire::ApiReply reply = govwire::MakeApiReply(http);
  CR_RETURN_IF_ERROR(reply.ToStatus());
  auto list = govwire::RuntimeRunList::FromJson(reply.body);
  if (!list.ok()) return Status::DataLoss(list.status().message());
  std::vector<RunResult> results;
  for (const govwire::RuntimeRun& run : list->runs) {
    const std::string& id = run.run;
    if (run.state == govwire::RunState::kFailed && !cleaned_.count(id)) {
      RemoveRunObjects(*storage_, id);  // e.g. a runtime killed mid-run
      cleaned_.insert(id);
    }
    if (run.state == govwire::RunState::kRequested && !tried_.count(id) && !stopping_) {
      results.push_back(ProcessRun(id));
    }
  }
  return results;
}

Status RuntimeServer::Serve() {
  Log("runtime serving " + options_.governance_url + " with " + options_.evidence_kind +
      " evidence, storage " + storage_->url() +
      (options_.spark.has_value() ? ", engine spark at " + options_.spark->master
                                  : ", engine embedded"));
  while (!stopping_) {
    auto polled = ProcessPending();
    if (!polled.ok()) Log("poll failed: " + polled.status().ToString());
    for (int waited = 0; waited < options_.poll_interval_ms && !stopping_; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return Status::OK();
}

}  // namespace cleanroom::runtime
