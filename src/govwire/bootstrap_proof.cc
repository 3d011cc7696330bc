#include "govwire/bootstrap_proof.h"

#include "crypto/hash.h"

namespace cleanroom::govwire {

std::string BootstrapProof(const std::string& token, const std::string& proposer_id) {
  return crypto::Sha256Hex(AsBytes("cleanroom-bootstrap-v1\n" + token + "\n" + proposer_id));
}

}  // namespace cleanroom::govwire
