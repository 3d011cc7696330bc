#include "governance/challenge.h"

#include "crypto/hash.h"
#include "governance/secret_store.h"

namespace cleanroom::governance {

std::string_view ChallengeRefusalCode(ChallengeRefusal refusal) {
  switch (refusal) {
    case ChallengeRefusal::kNone:
      return "";
    case ChallengeRefusal::kMissing:
      return "challenge_missing";
    case ChallengeRefusal::kExpired:
      return "challenge_expired";
    case ChallengeRefusal::kForeign:
      return "challenge_not_issued_for_this_run";
  }
  return "challenge_not_issued_for_this_run";
}

Result<ChallengeIssuer> ChallengeIssuer::Create(const crypto::PrivateKey& service_key) {
  CR_ASSIGN_OR_RETURN(Bytes key, DeriveServiceKey(service_key, "cleanroom-governance-challenges-v1",
                                                  "key release challenges, HMAC-SHA256"));
  return ChallengeIssuer(std::move(key));
}

ChallengeIssuer::~ChallengeIssuer() { SecureWipe(key_); }

Bytes ChallengeIssuer::Mac(const std::string& run_id, ByteSpan expiry) const {
  std::string_view domain = "cleanroom.challenge.v1";
  Bytes input(domain.begin(), domain.end());
  input.push_back(0);
  input.insert(input.end(), run_id.begin(), run_id.end());
  input.push_back(0);
  input.insert(input.end(), expiry.begin(), expiry.end());
  return crypto::Hmac(crypto::HashAlgorithm::kSha256, key_, input);
}

Bytes ChallengeIssuer::Issue(const std::string& run_id, int64_t now, int64_t* expires_at) const {
  int64_t expiry = now + kChallengeLifetimeSeconds;
  if (expires_at != nullptr) *expires_at = expiry;
  Bytes challenge(8);
  for (int i = 0; i < 8; ++i) {
    challenge[static_cast<size_t>(i)] =
        static_cast<uint8_t>(static_cast<uint64_t>(expiry) >> (56 - 8 * i));
  }
  Bytes mac = Mac(run_id, challenge);
  challenge.insert(challenge.end(), mac.begin(), mac.end());
  return challenge;
}

ChallengeRefusal ChallengeIssuer::Check(const std::string& run_id, ByteSpan challenge,
                                        int64_t now) const {
  if (challenge.empty()) return ChallengeRefusal::kMissing;
  if (challenge.size() != kChallengeSize) return ChallengeRefusal::kForeign;
  ByteSpan expiry = challenge.subspan(0, 8);
  Bytes mac = Mac(run_id, expiry);
  if (!ConstantTimeEquals(mac, challenge.subspan(8))) return ChallengeRefusal::kForeign;
  uint64_t at = 0;
  for (uint8_t b : expiry) at = (at << 8) | b;
  if (static_cast<int64_t>(at) < now) return ChallengeRefusal::kExpired;
  return ChallengeRefusal::kNone;
}

}  // namespace cleanroom::governance
