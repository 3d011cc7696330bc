#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "attest/snp_policy.h"
#include "attest/snp_report.h"
#include "attest/snp_tcb.h"
#include "attest/verdict.h"
#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// What a verifier accepts once evidence is authentic. Optional members left empty are not
// checked; an empty list (as opposed to an absent one) allows nothing. The defaults are a
// production policy: sev-snp only, debug forbidden.
struct Policy {
  std::set<EvidenceKind> allowed_kinds = {EvidenceKind::kSevSnp};
  // The report's platform and guest policy: debug, migration agent, SMT, product, TCB, VMPL,
  // guest SVN (snp_policy.h). Governance takes it from the contract.
  SnpPolicy snp;
  std::optional<std::vector<Bytes>> allowed_measurements;  // 48 bytes each.
  std::optional<Bytes> expected_report_data;               // 64 bytes.
  // SHA-256 of the SubjectPublicKeyInfo of each platform key trusted for simulated evidence.
  // Simulated evidence is refused (platform_key_not_trusted) when its key is not listed.
  std::vector<Bytes> simulated_platform_keys;

  // Reads the JSON form (fields in docs/attestation.md). InvalidArgument naming the field for
  // an unknown field, a wrong type or a hex value of the wrong length.
  static Result<Policy> FromJson(std::string_view text);
  nlohmann::json ToJson() const;
};

// Checks an authentic report against `policy` (everything except the evidence kind and the
// platform key, which VerifyEvidence checks). Returns the first refusal, in this order: the SNP
// policy (Check in snp_policy.h), measurement, report_data.
std::optional<Refusal> ApplyPolicy(const SnpReport& report, AmdProduct product,
                                   const Policy& policy);

}  // namespace cleanroom::attest
