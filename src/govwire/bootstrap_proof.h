#pragma once

#include <string>

// The proof of a service's one-time bootstrap token (docs/api.md, "Bootstrap"): hex SHA-256 of
// "cleanroom-bootstrap-v1\n" || token || "\n" || proposer member id. The proposer sends it as
// "bootstrapProof" so the ledger never holds the token and no other member can reuse the proof.
namespace cleanroom::govwire {

std::string BootstrapProof(const std::string& token, const std::string& proposer_id);

}  // namespace cleanroom::govwire
