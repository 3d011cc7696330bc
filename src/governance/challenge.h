#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signature.h"

// Fresh challenges for key release (docs/attestation.md, "Challenge"). A runtime asks for one
// per run (GET /v1/runs/{run}/challenge) and binds it into its evidence's report_data; key
// release refuses evidence without a challenge, with one that expired, or with one the service
// did not issue for this run. Stateless, so that asking for challenges grows nothing:
//   challenge = expiry (8 bytes, big-endian unix seconds) ||
//               HMAC-SHA256(k, "cleanroom.challenge.v1" || 0x00 || run id || 0x00 || expiry)
// with k derived (HKDF-SHA256) from the service's private key: another service's challenge, or
// another run's, does not verify. Single use follows from a run receiving its keys once: the
// release is ordered in the ledger and moves the run out of `requested` atomically.
namespace cleanroom::governance {

inline constexpr int64_t kChallengeLifetimeSeconds = 120;
inline constexpr size_t kChallengeSize = 8 + 32;

// Why a challenge is refused; its code is the prefix of the EvidenceRefused message.
enum class ChallengeRefusal { kNone, kMissing, kExpired, kForeign };
std::string_view ChallengeRefusalCode(ChallengeRefusal refusal);

class ChallengeIssuer {
 public:
  // Derives the MAC key from the service's private key.
  static Result<ChallengeIssuer> Create(const crypto::PrivateKey& service_key);
  ChallengeIssuer(ChallengeIssuer&& other) noexcept : key_(std::move(other.key_)) {}
  ~ChallengeIssuer();

  // A challenge for `run_id`, valid until now + kChallengeLifetimeSeconds. Its expiry in
  // `expires_at` when not null.
  Bytes Issue(const std::string& run_id, int64_t now, int64_t* expires_at = nullptr) const;
  // kNone when `challenge` was issued by this service for `run_id` and has not expired at `now`.
  ChallengeRefusal Check(const std::string& run_id, ByteSpan challenge, int64_t now) const;

 private:
  explicit ChallengeIssuer(Bytes key) : key_(std::move(key)) {}
  Bytes Mac(const std::string& run_id, ByteSpan expiry) const;
  Bytes key_;
};

}  // namespace cleanroom::governance
