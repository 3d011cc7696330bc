#pragma once

#include <ctime>
#include <optional>
#include <vector>

#include "attest/amd_chain.h"
#include "attest/certificate.h"
#include "attest/policy.h"
#include "attest/verdict.h"
#include "base/bytes.h"

namespace cleanroom::attest {

// Verifies that `report_bytes` is an authentic SEV-SNP report signed by `vek` (a VCEK or a
// VLEK, told apart by its subject "SEV-VCEK" / "SEV-VLEK"), in this order:
//   1. the report parses (malformed_report) and is signed with ECDSA P-384 by a VCEK or VLEK
//      (unsupported_report);
//   2. `vek` -> ASK/ASVK -> pinned ARK, every certificate valid at `at` (VerifyAmdChain); the
//      authorities come from `authorities`, or the embedded AMD certificates when it is empty;
//   3. the report names the same kind of key as `vek`, and as `expected_kind` when given
//      (signing_key_mismatch); a version 3+ report's CPUID names the chain's product;
//   4. the VEK's SPL extensions equal the report's reported_tcb (tcb_mismatch);
//   5. a VCEK's hwID equals chip_id (chip_id_mismatch);
//   6. the signature over bytes 0..0x29F verifies with the VEK (bad_signature).
// The verdict carries the parsed report, the product and the signer.
Verdict VerifySnpAuthenticity(ByteSpan report_bytes, const Certificate& vek,
                              std::optional<VekKind> expected_kind,
                              const std::vector<Certificate>& authorities, std::time_t at);

// VerifySnpAuthenticity, then ApplyPolicy (and the policy must allow the sev-snp kind).
Verdict VerifySnpReport(ByteSpan report_bytes, const Certificate& vek,
                        std::optional<VekKind> expected_kind,
                        const std::vector<Certificate>& authorities, const Policy& policy,
                        std::time_t at);

}  // namespace cleanroom::attest
