#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/thread_pool.h"
#include "crypto/cose.h"
#include "governance/nonce_cache.h"
#include "governance/state.h"
#include "governance/wire.h"
#include "ledger/request_freshness.h"

namespace cleanroom::governance {

// How old or how far ahead of the service's clock a signed write may be: the ledger's replay
// rules (ledger/request_freshness.h) check the same window on every entry.
inline constexpr int64_t kMaxMessageAgeSeconds = ledger::kMaxRequestAgeSeconds;
inline constexpr int64_t kMaxClockSkewSeconds = ledger::kMaxRequestSkewSeconds;

// A write that passed every check, ready for the state machine.
struct VerifiedRequest {
  Action action;
  crypto::cose::Sign1Message message;
};

// Finds the public key of the member with id `member_id`, given the decoded message (a first
// contract proposal carries the signer's certificate in its payload).
using SignerLookup = std::function<std::optional<crypto::PublicKey>(
    const std::string& member_id, const crypto::cose::Sign1Message& message)>;

// Checks a member's signed write (a COSE_Sign1 message, docs/api.md "Signed requests"), in this
// order: well-formed with alg ES384, kid, message type, created-at and a 16-byte nonce in the
// protected header and a JSON payload (MalformedRequest); the message type is one the route
// takes (MessageTypeMismatch); the signer is known (UnknownSigner); not older than 5 minutes
// (MessageExpired) nor more than 30 s ahead (MessageFromFuture); the signature verifies
// (BadSignature); the nonce is new (NonceReplayed). The nonce is recorded only once everything
// else passed. Thread-safe.
//
// The signature check runs on a pool of one thread per core, in arrival order, while the calling
// thread waits: it is most of a write's CPU time, and letting every connection thread run it at
// once shares the cores among dozens of runnable threads (a thread preempted mid-check, or while
// it holds the service's state lock, then waits for all the others), which is what made the
// write latency's tail long. The pool threads take no lock besides the pool's own: `lookup` and
// the other checks run on the calling thread.
class RequestVerifier {
 public:
  // `threads` == 0: one per hardware thread.
  explicit RequestVerifier(NonceCache* nonces, size_t threads = 0);
  ~RequestVerifier();
  RequestVerifier(const RequestVerifier&) = delete;
  RequestVerifier& operator=(const RequestVerifier&) = delete;

  std::variant<VerifiedRequest, ApiError> Verify(ByteSpan body,
                                                 const std::vector<std::string>& allowed_types,
                                                 int64_t now, const SignerLookup& lookup) const;

 private:
  // crypto::cose::VerifySign1 on the pool; blocks until it has run.
  Status CheckSignature(const crypto::cose::Sign1Message& message,
                        const crypto::PublicKey& key) const;

  NonceCache* nonces_;
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace cleanroom::governance
