#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "crypto/cose.h"
#include "crypto/x509.h"
#include "ledger/verify.h"

namespace cleanroom::ledger {

MemberSignatureVerifier CoseMemberSignatureVerifier() {
  struct Cache {
    std::mutex mu;
    std::map<Bytes, crypto::PublicKey> keys;
  };
  auto cache = std::make_shared<Cache>();
  return [cache](ByteSpan signed_request, ByteSpan certificate_der) -> Status {
    Bytes der(certificate_der.begin(), certificate_der.end());
    std::optional<crypto::PublicKey> key;
    {
      std::lock_guard<std::mutex> lock(cache->mu);
      auto it = cache->keys.find(der);
      if (it != cache->keys.end()) key = it->second;
    }
    if (!key) {
      CR_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(der));
      CR_ASSIGN_OR_RETURN(crypto::PublicKey parsed, cert.public_key());
      key = parsed;
      std::lock_guard<std::mutex> lock(cache->mu);
      cache->keys.emplace(std::move(der), std::move(parsed));
    }
    // PublicKey::Verify is thread-safe: the checks of one key run in parallel.
    Result<crypto::cose::Sign1Message> verified =
        crypto::cose::VerifySign1Strict(signed_request, *key);
    if (!verified.ok()) return Status::Unauthenticated(verified.status().message());
    return Status::OK();
  };
}

}  // namespace cleanroom::ledger
