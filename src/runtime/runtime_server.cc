#include "runtime/runtime_server.h"

#include <chrono>
#include <thread>

#include "base/logging.h"
#include "crypto/hpke.h"
#include "governance/api_error.h"
#include "governance/client/governance_client.h"
#include "governance/key_release.h"
#include "runtime/run_execution.h"
#include "runtime/sealed_result.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;

Result<Bytes> Base64Of(const json& object, const char* field, const std::string& where) {
  if (!object.is_object() || !object.contains(field) || !object[field].is_string()) {
    return Status::DataLoss(where + "." + field + ": missing in governance's reply");
  }
  auto bytes = Base64Decode(object[field].get<std::string>());
  if (!bytes.ok()) return Status::DataLoss(where + "." + field + ": not base64");
  return bytes;
}

// The spec of a run from governance's work order (the query, dataset documents, recipients).
Result<RunSpec> SpecFromWorkOrder(const std::string& run_id, const json& work) {
  RunSpec spec;
  spec.run_id = run_id;
  const json& query = work["query"];
  if (!query.is_object() || !query["document"].is_object()) {
    return Status::DataLoss("work order: no query document");
  }
  const json& doc = query["document"];
  spec.query_id = query.value("id", "");
  spec.query_hash = query.value("hash", "");
  if (!doc["steps"].is_array()) return Status::DataLoss("work order: the query has no steps");
  for (const json& step : doc["steps"]) spec.steps.push_back(step.get<std::string>());
  spec.guards = doc.value("guards", json::object());
  spec.privacy = doc.value("privacy", json::object());
  spec.output_format = doc.value("outputFormat", "csv");
  for (const json& r : work.value("recipients", json::array())) {
    auto key = crypto::PublicKey::FromPem(r.value("encryptionPublicKey", ""));
    if (!key.ok()) {
      return Status::FailedPrecondition("recipient " + r.value("member", "") +
                                        " has no encryption key in the contract");
    }
    spec.recipients.push_back({r.value("member", ""), std::move(key).value()});
  }
  return spec;
}

}  // namespace

Result<std::unique_ptr<RuntimeServer>> RuntimeServer::Create(RuntimeServerOptions options) {
  if (!options.evidence) return Status::InvalidArgument("the runtime needs an evidence producer");
  governance::client::ConnectionOptions connection;
  CR_RETURN_IF_ERROR(governance::client::ParseServiceUrl(options.governance_url, &connection.host,
                                                         &connection.port));
  connection.service_fingerprint = options.service_fingerprint;
  CR_ASSIGN_OR_RETURN(auto https, governance::client::HttpsConnection::Connect(connection));
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
  CR_ASSIGN_OR_RETURN(governance::client::HttpReply http,
                      connection_->Request("POST", path, "application/json", body.dump()));
  governance::client::ApiReply reply = governance::client::MakeApiReply(http);
  CR_RETURN_IF_ERROR(reply.ToStatus());
  return reply.body;
}

Status RuntimeServer::Report(const std::string& run_id, ByteSpan token, ByteSpan signed_record) {
  governance::RunReport report{run_id, Bytes(token.begin(), token.end()),
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
  auto request = MakeKeyRequest(run_id, options_.evidence);
  if (!request.ok()) {
    result.status = request.status().WithContext("run " + run_id + ": evidence");
    Log(result.status.ToString());
    return result;
  }
  auto reply = Post("/v1/runs/" + run_id + "/keys", request->ToJson());
  if (!reply.ok()) {
    result.status = reply.status().WithContext("run " + run_id + ": keys refused");
    Log(result.status.ToString());
    return result;
  }

  // Open the token and keys; build the spec. A failure from here on is reported as failed.
  Bytes token;
  std::vector<crypto::container::DataKey> keys;
  auto prepare = [&]() -> Result<RunSpec> {
    CR_ASSIGN_OR_RETURN(Bytes enc, Base64Of((*reply)["token"], "enc", "token"));
    CR_ASSIGN_OR_RETURN(Bytes sealed, Base64Of((*reply)["token"], "sealed", "token"));
    CR_ASSIGN_OR_RETURN(token, OpenRunToken(*request, enc, sealed));
    const json& work = (*reply)["work"];
    CR_ASSIGN_OR_RETURN(RunSpec spec, SpecFromWorkOrder(run_id, work));
    spec.evidence_kind = options_.evidence_kind;
    spec.evidence_digest = request->EvidenceDigestHex();
    spec.engine_threads = options_.engine_threads;
    const json& released = (*reply)["keys"];
    const json& datasets = work["datasets"];
    if (!released.is_array() || !datasets.is_array() || released.size() != datasets.size()) {
      return Status::DataLoss("governance released another set of keys than the run's datasets");
    }
    keys.reserve(released.size());
    for (size_t i = 0; i < released.size(); ++i) {
      const json& k = released[i];
      const json& d = datasets[i];
      std::string name = d.value("name", "");
      int64_t version = d.value("version", int64_t{0});
      CR_ASSIGN_OR_RETURN(Bytes key_enc, Base64Of(k, "enc", "keys"));
      CR_ASSIGN_OR_RETURN(Bytes key_sealed, Base64Of(k, "sealed", "keys"));
      std::string key_id = d["document"].value("keyId", "");
      CR_ASSIGN_OR_RETURN(crypto::container::DataKey key,
                          OpenReleasedKey(*request, name, version, key_id, key_enc, key_sealed));
      keys.push_back(std::move(key));
      spec.inputs.push_back({d["document"], version, d.value("documentHash", ""), nullptr});
    }
    for (size_t i = 0; i < keys.size(); ++i) spec.inputs[i].key = &keys[i];
    return spec;
  };
  auto spec = prepare();
  Log("run " + run_id + ": " + std::to_string(keys.size()) +
      " dataset key(s) released (ledger seqno " +
      std::to_string(reply->value("seqno", uint64_t{0})) + ")");

  RunOutcome outcome;
  if (spec.ok()) {
    RemoveRunObjects(*storage_, run_id);  // leftovers of an earlier attempt, if any
    outcome = ExecuteRun(*spec, *storage_);
  } else {
    outcome.status = spec.status();
    outcome.record = {{"run", run_id},
                      {"query", (*reply)["work"]["query"].value("id", "")},
                      {"queryHash", (*reply)["work"]["query"].value("hash", "")},
                      {"state", "failed"},
                      {"reason", spec.status().ToString()},
                      {"evidence", {{"kind", options_.evidence_kind},
                                    {"digest", request->EvidenceDigestHex()}}}};
  }
  keys.clear();  // DataKey wipes itself

  // Sign the record with a key of this run; store it (succeeded runs only), then report.
  auto signing_key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  Result<Bytes> signed_record = signing_key.status();
  if (signing_key.ok()) {
    json record = outcome.record;
    auto pem = signing_key->public_key().ToPem();
    if (pem.ok()) record["runtimeKey"] = *pem;
    signed_record = pem.ok() ? SignRunRecord(record, *signing_key, "runtime") : pem.status();
    if (signed_record.ok() && outcome.status.ok()) {
      Status stored = storage_->Put(RunRecordKey(run_id), *signed_record);
      if (!stored.ok()) {
        RemoveRunObjects(*storage_, run_id);
        outcome.status = stored;
        record["state"] = "failed";
        record["reason"] = stored.ToString();
        signed_record = SignRunRecord(record, *signing_key, "runtime");
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
  result.rows_out = outcome.record.value("rowsOut", uint64_t{0});
  Status reported = Report(run_id, token, *signed_record);
  SecureWipe(token);
  if (!reported.ok()) {
    // Governance will mark the run failed when its deadline passes; keep nothing it won't vouch for.
    RemoveRunObjects(*storage_, run_id);
    result.status = reported.WithContext("run " + run_id + ": report");
    result.state = "failed";
    Log(result.status.ToString());
    return result;
  }
  result.status = outcome.status;
  if (outcome.status.ok()) {
    Log("run " + run_id + ": succeeded, " + std::to_string(result.rows_out) +
        " row(s) sealed to " + std::to_string(spec->recipients.size()) + " recipient(s)");
  } else {
    Log("run " + run_id + ": failed: " + outcome.status.ToString());
  }
  return result;
}

Result<std::vector<RunResult>> RuntimeServer::ProcessPending() {
  CR_ASSIGN_OR_RETURN(governance::client::HttpReply http,
                      connection_->Request("GET", "/v1/runtime/runs", "", ""));
  governance::client::ApiReply reply = governance::client::MakeApiReply(http);
  CR_RETURN_IF_ERROR(reply.ToStatus());
  std::vector<RunResult> results;
  for (const json& run : reply.body.value("runs", json::array())) {
    std::string id = run.value("run", "");
    std::string state = run.value("state", "");
    if (state == "failed" && !cleaned_.count(id)) {
      RemoveRunObjects(*storage_, id);  // e.g. a runtime killed mid-run
      cleaned_.insert(id);
    }
    if (state == "requested" && !tried_.count(id) && !stopping_) {
      results.push_back(ProcessRun(id));
    }
  }
  return results;
}

Status RuntimeServer::Serve() {
  Log("runtime serving " + options_.governance_url + " with " + options_.evidence_kind +
      " evidence, storage " + storage_->url());
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
