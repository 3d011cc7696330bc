#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "attest/policy.h"
#include "attest/verdict.h"
#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// What a runtime presents to prove what it runs: a 1184-byte report and the certificates
// that vouch for its signer.
//   sev-snp:   certificates[0] is the VCEK or VLEK (DER); any further ones (ASK/ASVK, ARK) are
//              optional, since the AMD authorities are embedded and the roots pinned.
//   simulated: certificates[0] is the platform certificate made by `runtime init-platform`.
//              INSECURE: for development and tests only.
struct Evidence {
  EvidenceKind kind = EvidenceKind::kSevSnp;
  Bytes report;
  std::vector<Bytes> certificates;
};

// The JSON form used over HTTP:
//   {"format": "cleanroom-evidence/v1", "kind": "sev-snp"|"simulated",
//    "report": base64, "certificates": [base64 DER, ...]}
// plus "insecure": true and a "warning" for simulated evidence.
std::string SerializeEvidenceJson(const Evidence& evidence);
// Inverse of SerializeEvidenceJson. InvalidArgument naming the field on malformed input.
Result<Evidence> ParseEvidenceJson(std::string_view text);

// SHA-384 over the kind, the report and each certificate, each length-prefixed: the digest the
// ledger records for a key release.
Bytes EvidenceDigest(const Evidence& evidence);

// Verifies `evidence` at time `at` (seconds since the epoch): the kind must be allowed by
// `policy` (kind_not_allowed); then sev-snp goes through VerifySnpReport, and simulated
// through the platform key checks (certificate parses, its key is listed in
// policy.simulated_platform_keys, it is valid at `at`, the report signature verifies); then the
// policy (ApplyPolicy). Never fails: every problem is a refused verdict with its reason.
Verdict VerifyEvidence(const Evidence& evidence, const Policy& policy, std::time_t at);

}  // namespace cleanroom::attest
