// The handlers of the member routes (docs/api.md "Write routes", "Read routes"); the route
// table that dispatches to them is routes.cc.
#include <charconv>
#include <mutex>

#include "crypto/hash.h"
#include "governance/route.h"
#include "governance/service.h"
#include "governance/views.h"
#include "ledger/receipt.h"
#include "sql/catalog.h"

namespace cleanroom::governance {
namespace {

ApiResponse FromResult(const Result<Json>& r) {
  if (!r.ok()) return ApiResponse::Error(ApiErrorFromStatus(r.status()));
  return ApiResponse::WithJson(200, r->dump());
}

// A route naming a dataset or query in its path must name the same one in its payload.
Status CheckPathMatchesPayload(const std::vector<std::string>& s, const Json& payload) {
  if (s.size() != 4) return Status::OK();
  const char* field = s[1] == "datasets" ? "dataset" : "query";
  if (!payload.is_object() || !payload.contains(field) || !payload[field].is_string()) {
    return Status::InvalidArgument(std::string("payload.") + field + ": missing");
  }
  std::string named = payload[field].get<std::string>();
  bool same =
      s[1] == "datasets" ? sql::ToLowerAscii(named) == sql::ToLowerAscii(s[2]) : named == s[2];
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

}  // namespace

std::variant<VerifiedRequest, ApiError> Service::VerifyWrite(
    ByteSpan body, const std::vector<std::string>& message_types) {
  auto lookup = [this](const std::string& id, const crypto::cose::Sign1Message& m) {
    return LookupSigner(id, m);
  };
  return verifier_.Verify(body, message_types, Now(), lookup);
}

ApiResponse Service::Write(const RouteCall& call) {
  Status match = CheckPathMatchesPayload(call.segments, call.verified->action.payload);
  if (!match.ok()) return ApiResponse::Error(ApiErrorFromStatus(match));
  return Commit(*call.verified, AsBytes(call.body), ApplyContext{}, nullptr);
}

// POST /v1/datasets/{name}/secret: {"request": base64 COSE_Sign1, "key": base64}. The signed
// request commits to the key by its SHA-256, so the ledger never holds the key itself.
ApiResponse Service::StoreSecret(const RouteCall& call) {
  const std::vector<std::string>& segments = call.segments;
  auto envelope = ParseJson(call.body, "body");
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
  auto verified = VerifyWrite(*raw, {"dataset.secret"});
  if (auto* error = std::get_if<ApiError>(&verified)) {
    SecureWipe(*key);
    return ApiResponse::Error(*error);
  }
  VerifiedRequest& request = std::get<VerifiedRequest>(verified);
  const Json& payload = request.action.payload;
  Status match = CheckPathMatchesPayload(segments, payload);
  std::string commitment = crypto::Sha256Hex(*key);
  if (match.ok() &&
      !(payload.contains("keyCommitment") && payload["keyCommitment"].is_string() &&
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

bool Service::IsReader(const std::string& client_member_id) const {
  std::shared_lock lock(mu_);
  return !client_member_id.empty() && state_.IsReader(client_member_id);
}

ApiResponse Service::UnauthenticatedRead() {
  return ApiResponse::Error(
      {401, kUnauthenticatedRead,
       "reads need the TLS client certificate of a member of the collaboration"});
}

ApiResponse Service::ServiceInfo() const {
  // Public: the certificate a TLS client sees anyway.
  Json body = {{"fingerprint", fingerprint()},
               {"certificate", identity_.public_identity.certificate.ToPem()},
               {"lastSeqno", ledger_->last_seqno()},
               {"durableSeqno", ledger_->durable_seqno()}};
  return ApiResponse::WithJson(200, body.dump());
}

ApiResponse Service::ReadState(const std::function<Result<Json>(const State&)>& view) const {
  std::shared_lock lock(mu_);
  return FromResult(view(state_));
}

ApiResponse Service::DownloadLedger() {
  // A head over everything appended so far, so that the download ends signed (an unsigned
  // tail fails `audit verify`); entries appended meanwhile may still follow it.
  Status signed_head = ledger_->Sync();
  if (!signed_head.ok()) {
    return ApiResponse::Error({503, "Unavailable", "the ledger cannot sign a tree head now"});
  }
  ApiResponse r;
  r.content_type = "application/octet-stream";
  ledger::Ledger* ledger = ledger_.get();
  r.stream = [ledger](const std::function<Status(ByteSpan)>& sink) { return ledger->Export(sink); };
  return r;
}

ApiResponse Service::Consistency(const std::string& size) {
  auto old_size = PathNumber(size, "tree size");
  if (!old_size.ok()) return ApiResponse::Error(ApiErrorFromStatus(old_size.status()));
  auto consistency = ledger_->ConsistencyFrom(*old_size);
  if (!consistency.ok()) return ApiResponse::Error(ApiErrorFromStatus(consistency.status()));
  auto head = ParseJson(ledger::TreeHeadToJson(consistency->first), "tree head");
  if (!head.ok()) return ApiResponse::Error(ApiErrorFromStatus(head.status()));
  Json proof = Json::array();
  for (const ledger::Hash& h : consistency->second) proof.push_back(HexEncode(h));
  return ApiResponse::WithJson(200, Json{{"treeHead", *head}, {"proof", proof}}.dump());
}

ApiResponse Service::Receipt(const std::string& seqno_text) {
  auto seqno = PathNumber(seqno_text, "receipt seqno");
  if (!seqno.ok()) return ApiResponse::Error(ApiErrorFromStatus(seqno.status()));
  auto receipt = ledger_->GetReceipt(*seqno);
  if (!receipt.ok()) return ApiResponse::Error(ApiErrorFromStatus(receipt.status()));
  return ApiResponse::WithJson(200, receipt->ToJson());
}

}  // namespace cleanroom::governance
