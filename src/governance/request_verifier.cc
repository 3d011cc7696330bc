#include "governance/request_verifier.h"

#include <algorithm>
#include <future>

namespace cleanroom::governance {
namespace {

ApiError Reject(int http, const char* code, std::string message) {
  return ApiError{http, code, std::move(message)};
}

bool IsMemberId(const Bytes& kid) {
  if (kid.size() != 64) return false;
  return std::all_of(kid.begin(), kid.end(),
                     [](uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

RequestVerifier::RequestVerifier(NonceCache* nonces, size_t threads)
    : nonces_(nonces), pool_(std::make_unique<ThreadPool>(threads)) {}

RequestVerifier::~RequestVerifier() = default;

Status RequestVerifier::CheckSignature(const crypto::cose::Sign1Message& message,
                                       const crypto::PublicKey& key) const {
  // The arguments outlive the task: this thread waits for it.
  std::promise<Status> done;
  std::future<Status> result = done.get_future();
  pool_->Submit([&] { done.set_value(crypto::cose::VerifySign1(message, key)); });
  return result.get();
}

std::variant<VerifiedRequest, ApiError> RequestVerifier::Verify(
    ByteSpan body, const std::vector<std::string>& allowed_types, int64_t now,
    const SignerLookup& lookup) const {
  auto decoded = crypto::cose::DecodeSign1(body, crypto::cose::DecodeMode::kStrict);
  if (!decoded.ok()) {
    return Reject(400, kMalformedRequest,
                  "not a COSE_Sign1 message: " + decoded.status().message());
  }
  VerifiedRequest out;
  out.message = std::move(decoded).value();
  const crypto::cose::Headers& h = out.message.headers;
  if (!h.alg_protected || h.alg != crypto::cose::kAlgEs384) {
    return Reject(400, kMalformedRequest, "protected header: alg must be ES384 (-35)");
  }
  if (!h.kid || !IsMemberId(*h.kid)) {
    return Reject(400, kMalformedRequest,
                  "protected header: kid must be the signer's member id (64 lower-case hex)");
  }
  if (!h.msg_type) return Reject(400, kMalformedRequest, "protected header: message type missing");
  if (!h.created_at) return Reject(400, kMalformedRequest, "protected header: created-at missing");
  if (!h.nonce || h.nonce->size() != crypto::cose::kNonceSize) {
    return Reject(400, kMalformedRequest, "protected header: nonce must be 16 bytes");
  }
  if (h.content_type && *h.content_type != "application/json") {
    return Reject(400, kMalformedRequest,
                  "protected header: content type must be application/json");
  }
  if (!out.message.payload) return Reject(400, kMalformedRequest, "the payload is detached");
  if (std::find(allowed_types.begin(), allowed_types.end(), *h.msg_type) == allowed_types.end()) {
    return Reject(400, kMessageTypeMismatch,
                  "message type '" + *h.msg_type + "' is not accepted on this route");
  }
  std::string signer(h.kid->begin(), h.kid->end());
  std::optional<crypto::PublicKey> key = lookup(signer, out.message);
  if (!key) {
    return Reject(401, kUnknownSigner,
                  "signer " + signer + " is not a member of the collaboration");
  }
  if (now - *h.created_at > kMaxMessageAgeSeconds) {
    return Reject(
        401, kMessageExpired,
        "the message was created more than " + std::to_string(kMaxMessageAgeSeconds) + " s ago");
  }
  if (*h.created_at - now > kMaxClockSkewSeconds) {
    return Reject(401, kMessageFromFuture,
                  "the message was created more than " + std::to_string(kMaxClockSkewSeconds) +
                      " s in the future");
  }
  Status signature = CheckSignature(out.message, *key);
  if (!signature.ok()) {
    return Reject(401, kBadSignature, "the signature does not verify with the key of " + signer);
  }
  auto payload = ParseJson(AsStringView(*out.message.payload), "payload");
  if (!payload.ok()) return Reject(400, kMalformedRequest, payload.status().message());
  // After the signature: an attacker must not be able to burn a member's nonces.
  if (!nonces_->Insert(signer, *h.nonce, *h.created_at + kMaxMessageAgeSeconds + 1, now)) {
    return Reject(409, kNonceReplayed, "the nonce of this message was already used");
  }
  out.action.signer = std::move(signer);
  out.action.type = *h.msg_type;
  out.action.created_at = *h.created_at;
  out.action.payload = std::move(payload).value();
  return out;
}

}  // namespace cleanroom::governance
