#pragma once

#include <string_view>

#include "attest/evidence.h"
#include "base/status.h"

namespace cleanroom::attest {

// Imports the SEV-SNP evidence JSON of the Confidential Containers "trustee" project
// (SnpEvidence: "attestation_report" in the serde form of the Rust `sev` crate, every field an
// integer or a byte array, and "cert_chain": [{"cert_type": "VCEK"|"VLEK"|..., "data": [...]}]):
// rebuilds the 1184-byte report from its fields and puts the VCEK or VLEK first. A TCB with a
// non-null "fmc" is encoded with the Turin layout. InvalidArgument naming the field on
// malformed input.
Result<Evidence> EvidenceFromTrusteeJson(std::string_view text);

}  // namespace cleanroom::attest
