#include <map>
#include <memory>

#include "crypto/cose.h"
#include "crypto/x509.h"
#include "ledger/verify.h"

namespace cleanroom::ledger {

MemberSignatureVerifier CoseMemberSignatureVerifier() {
  auto keys = std::make_shared<std::map<Bytes, crypto::PublicKey>>();
  return [keys](ByteSpan signed_request, ByteSpan certificate_der) -> Status {
    Bytes der(certificate_der.begin(), certificate_der.end());
    auto it = keys->find(der);
    if (it == keys->end()) {
      CR_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(der));
      CR_ASSIGN_OR_RETURN(crypto::PublicKey key, cert.public_key());
      it = keys->emplace(std::move(der), std::move(key)).first;
    }
    Result<crypto::cose::Sign1Message> verified =
        crypto::cose::VerifySign1Strict(signed_request, it->second);
    if (!verified.ok()) return Status::Unauthenticated(verified.status().message());
    return Status::OK();
  };
}

}  // namespace cleanroom::ledger
