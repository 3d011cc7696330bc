// The routes of the API (docs/api.md): which message types each write route takes, and the
// read routes.
#include <charconv>
#include <mutex>

#include "crypto/hash.h"
#include "governance/ids.h"
#include "governance/service.h"
#include "governance/views.h"
#include "ledger/receipt.h"
#include "sql/catalog.h"

namespace cleanroom::governance {
namespace {

constexpr size_t kMaxBodyBytes = 4u << 20;

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t end = path.find('?');
  std::string_view p(path.data(), end == std::string::npos ? path.size() : end);
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The path is the client's and not quoted back (it may be any bytes).
ApiResponse NotFoundRoute(const std::string& method) {
  return ApiResponse::Error({404, "NoSuchRoute", "no route for " + method + " at this path"});
}

ApiResponse FromResult(const Result<Json>& r) {
  if (!r.ok()) return ApiResponse::Error(ApiErrorFromStatus(r.status()));
  return ApiResponse::WithJson(200, r->dump());
}

// The message types a write route takes, or empty when the path is not a write route.
std::vector<std::string> WriteTypes(const std::vector<std::string>& s) {
  size_t n = s.size();
  if (n == 3 && s[1] == "collab" && s[2] == "proposals") return {"collab.propose"};
  if (n == 3 && s[1] == "collab" && s[2] == "votes") return {"collab.accept", "collab.reject"};
  if (n == 3 && s[1] == "collab" && s[2] == "consent") return {"collab.stop", "collab.resume"};
  if (n == 2 && s[1] == "datasets") return {"dataset.register"};
  if (n == 4 && s[1] == "datasets" && s[3] == "consent") {
    return {"dataset.enable", "dataset.disable"};
  }
  if (n == 4 && s[1] == "datasets" && s[3] == "secret") return {"dataset.secret"};
  if (n == 2 && s[1] == "queries") return {"query.propose"};
  if (n == 4 && s[1] == "queries" && s[3] == "votes") return {"query.accept", "query.reject"};
  if (n == 4 && s[1] == "queries" && s[3] == "withdraw") return {"query.withdraw"};
  if (n == 4 && s[1] == "queries" && s[3] == "consent") return {"query.enable", "query.disable"};
  if (n == 2 && s[1] == "runs") return {"run.request"};
  return {};
}

// A route naming a dataset or query in its path must name the same one in its payload.
Status CheckPathMatchesPayload(const std::vector<std::string>& s, const Json& payload) {
  if (s.size() != 4) return Status::OK();
  const char* field = s[1] == "datasets" ? "dataset" : "query";
  if (!payload.is_object() || !payload.contains(field) || !payload[field].is_string()) {
    return Status::InvalidArgument(std::string("payload.") + field + ": missing");
  }
  std::string named = payload[field].get<std::string>();
  bool same = s[1] == "datasets" ? sql::ToLowerAscii(named) == sql::ToLowerAscii(s[2])
                                 : named == s[2];
  if (!same) {
    return Status::InvalidArgument(std::string("payload.") + field +
                                   ": differs from the one the path names");
  }
  return Status::OK();
}

// A decimal number in a path segment; InvalidArgument naming `what` otherwise.
Result<uint64_t> PathNumber(const std::string& segment, const char* what) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), value);
  if (ec != std::errc() || end != segment.data() + segment.size()) {
    return Status::InvalidArgument(std::string(what) + ": expected a number");
  }
  return value;
}

// The id a path names in its third segment has the form its noun's ids have.
Status CheckPathIds(const std::vector<std::string>& s) {
  if (s.size() < 3) return Status::OK();
  const std::string& id = s[2];
  if (s[1] == "runs" && !IsRunId(id)) {
    return Status::InvalidArgument("path: a run id is 'r' and a number");
  }
  if (s[1] == "queries" && !IsQueryId(id)) {
    return Status::InvalidArgument("path: a query id is 'q' and a number");
  }
  if (s[1] == "datasets" && !IsValidDatasetName(id)) {
    return Status::InvalidArgument("path: not a valid dataset name");
  }
  return Status::OK();
}

}  // namespace

ApiResponse Service::Handle(const std::string& method, const std::string& path,
                            std::string_view body, const std::string& client_member_id) {
  if (path.size() > kMaxPathBytes) {
    return ApiResponse::Error({414, "UriTooLong", "request paths are limited to 512 bytes"});
  }
  std::vector<std::string> segments = SplitPath(path);
  if (segments.empty() || segments[0] != "v1") return NotFoundRoute(method);
  if (body.size() > kMaxBodyBytes) {
    return ApiResponse::Error({413, "PayloadTooLarge", "request bodies are limited to 4 MiB"});
  }
  if (Status ids = CheckPathIds(segments); !ids.ok()) {
    return ApiResponse::Error(ApiErrorFromStatus(ids));
  }
  bool runtime_route = segments.size() == 4 && segments[1] == "runs" &&
                       (segments[3] == "keys" || segments[3] == "report");
  if (method == "POST" && runtime_route) {
    return segments[3] == "keys" ? ReleaseKeys(segments[2], body) : ReportRun(segments[2], body);
  }
  if (method == "GET" && segments.size() == 3 && segments[1] == "runtime" && segments[2] == "runs") {
    return RuntimeRuns();
  }
  if (method == "POST") {
    if (WriteTypes(segments).empty()) return NotFoundRoute(method);
    return HandleWrite(path, segments, body);
  }
  if (method == "GET") return HandleRead(segments, client_member_id);
  return ApiResponse::Error({405, "MethodNotAllowed", "only GET and POST are served"});
}

ApiResponse Service::HandleWrite(const std::string& route, const std::vector<std::string>& segments,
                                 std::string_view body) {
  if (segments.size() == 4 && segments[3] == "secret") return StoreSecret(segments, body);
  auto lookup = [this](const std::string& id, const crypto::cose::Sign1Message& m) {
    return LookupSigner(id, m);
  };
  auto verified = verifier_.Verify(AsBytes(body), WriteTypes(segments), Now(), lookup);
  if (auto* error = std::get_if<ApiError>(&verified)) return ApiResponse::Error(*error);
  VerifiedRequest& request = std::get<VerifiedRequest>(verified);
  Status match = CheckPathMatchesPayload(segments, request.action.payload);
  if (!match.ok()) return ApiResponse::Error(ApiErrorFromStatus(match));
  return Commit(request, AsBytes(body), ApplyContext{}, nullptr);
}

// POST /v1/datasets/{name}/secret: {"request": base64 COSE_Sign1, "key": base64}. The signed
// request commits to the key by its SHA-256, so the ledger never holds the key itself.
ApiResponse Service::StoreSecret(const std::vector<std::string>& segments, std::string_view body) {
  auto envelope = ParseJson(body, "body");
  if (!envelope.ok()) return ApiResponse::Error(ApiErrorFromStatus(envelope.status()));
  JsonReader r(*envelope, "body");
  auto request_b64 = r.String("request");
  auto key_b64 = r.String("key");
  if (!request_b64.ok() || !key_b64.ok()) {
    return ApiResponse::Error(
        {400, kMalformedRequest, "body: expected {\"request\": base64, \"key\": base64}"});
  }
  auto raw = Base64Decode(*request_b64);
  auto key = Base64Decode(*key_b64);
  if (!raw.ok() || !key.ok()) {
    return ApiResponse::Error({400, kMalformedRequest, "body: request and key must be base64"});
  }
  auto lookup = [this](const std::string& id, const crypto::cose::Sign1Message& m) {
    return LookupSigner(id, m);
  };
  auto verified = verifier_.Verify(*raw, {"dataset.secret"}, Now(), lookup);
  if (auto* error = std::get_if<ApiError>(&verified)) {
    SecureWipe(*key);
    return ApiResponse::Error(*error);
  }
  VerifiedRequest& request = std::get<VerifiedRequest>(verified);
  const Json& payload = request.action.payload;
  Status match = CheckPathMatchesPayload(segments, payload);
  std::string commitment = crypto::Sha256Hex(*key);
  if (match.ok() && !(payload.contains("keyCommitment") && payload["keyCommitment"].is_string() &&
                      sql::ToLowerAscii(payload["keyCommitment"].get<std::string>()) == commitment)) {
    match = Status::InvalidArgument("payload.keyCommitment: is not the SHA-256 of the key sent");
  }
  if (match.ok() && !(payload.contains("version") && payload["version"].is_number_integer() &&
                      payload.contains("keyId") && payload["keyId"].is_string())) {
    match = Status::InvalidArgument("payload: version and keyId are required");
  }
  if (!match.ok()) {
    SecureWipe(*key);
    return ApiResponse::Error(ApiErrorFromStatus(match));
  }
  // Authorisation before any file effect: a member who may not store this key (not the owner,
  // a version that has its key already) gets its refusal recorded and touches no file.
  SecretStore::Binding binding;
  Result<State::SecretTarget> target = Status::Internal("unset");
  {
    std::shared_lock lock(mu_);
    binding.collaboration = state_.collaboration_id();
    target = state_.CheckSecret(request.action);
  }
  if (!target.ok()) {
    SecureWipe(*key);
    return Commit(request, *raw, ApplyContext{}, nullptr);
  }
  binding.dataset = target->dataset;
  binding.version = target->version;
  binding.key_id = target->key_id;
  auto pending = secrets_->SealPending(binding, *key);
  SecureWipe(*key);
  if (!pending.ok()) return ApiResponse::Error(ApiErrorFromStatus(pending.status()));
  PendingSecret secret{*pending, SecretStore::FileName(binding)};
  ApplyContext context;
  context.sealed_secret_file = secret.file;
  return Commit(request, *raw, context, &secret);
}

ApiResponse Service::HandleRead(const std::vector<std::string>& s,
                                const std::string& client_member_id) {
  size_t n = s.size();
  if (n == 2 && s[1] == "service") {
    // Public: the certificate a TLS client sees anyway.
    Json body = {{"fingerprint", fingerprint()},
                 {"certificate", identity_.public_identity.certificate.ToPem()},
                 {"lastSeqno", ledger_->last_seqno()},
                 {"durableSeqno", ledger_->durable_seqno()}};
    return ApiResponse::WithJson(200, body.dump());
  }
  {
    std::shared_lock lock(mu_);
    if (client_member_id.empty() || !state_.IsReader(client_member_id)) {
      return ApiResponse::Error(
          {401, kUnauthenticatedRead,
           "reads need the TLS client certificate of a member of the collaboration"});
    }
    if (n == 2 && s[1] == "collab") return ApiResponse::WithJson(200, CollaborationView(state_).dump());
    if (n == 2 && s[1] == "datasets") return ApiResponse::WithJson(200, DatasetListView(state_).dump());
    if (n == 3 && s[1] == "datasets") return FromResult(DatasetView(state_, s[2]));
    if (n == 2 && s[1] == "queries") return ApiResponse::WithJson(200, QueryListView(state_).dump());
    if (n == 3 && s[1] == "queries") return FromResult(QueryView(state_, s[2]));
    if (n == 2 && s[1] == "runs") return ApiResponse::WithJson(200, RunListView(state_).dump());
    if (n == 3 && s[1] == "runs") return FromResult(RunView(state_, s[2]));
  }
  if (n == 2 && s[1] == "ledger") {
    // A head over everything appended so far, so that the download ends signed (an unsigned
    // tail fails `audit verify`); entries appended meanwhile may still follow it.
    Status signed_head = ledger_->Sync();
    if (!signed_head.ok()) {
      return ApiResponse::Error({503, "Unavailable", "the ledger cannot sign a tree head now"});
    }
    ApiResponse r;
    r.content_type = "application/octet-stream";
    ledger::Ledger* ledger = ledger_.get();
    r.stream = [ledger](const std::function<Status(ByteSpan)>& sink) {
      return ledger->Export(sink);
    };
    return r;
  }
  if (n == 4 && s[1] == "ledger" && s[2] == "consistency") {
    auto old_size = PathNumber(s[3], "tree size");
    if (!old_size.ok()) return ApiResponse::Error(ApiErrorFromStatus(old_size.status()));
    auto consistency = ledger_->ConsistencyFrom(*old_size);
    if (!consistency.ok()) return ApiResponse::Error(ApiErrorFromStatus(consistency.status()));
    auto head = ParseJson(ledger::TreeHeadToJson(consistency->first), "tree head");
    if (!head.ok()) return ApiResponse::Error(ApiErrorFromStatus(head.status()));
    Json proof = Json::array();
    for (const ledger::Hash& h : consistency->second) proof.push_back(HexEncode(h));
    return ApiResponse::WithJson(200, Json{{"treeHead", *head}, {"proof", proof}}.dump());
  }
  if (n == 3 && s[1] == "receipts") {
    auto seqno = PathNumber(s[2], "receipt seqno");
    if (!seqno.ok()) return ApiResponse::Error(ApiErrorFromStatus(seqno.status()));
    auto receipt = ledger_->GetReceipt(*seqno);
    if (!receipt.ok()) return ApiResponse::Error(ApiErrorFromStatus(receipt.status()));
    return ApiResponse::WithJson(200, receipt->ToJson());
  }
  return NotFoundRoute("GET");
}

}  // namespace cleanroom::governance
