#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "attest/snp_report.h"
#include "attest/snp_tcb.h"
#include "base/status.h"

namespace cleanroom::attest {

// The kinds of evidence. kSimulated is INSECURE: a local key signs it, nothing proves the code.
enum class EvidenceKind { kSevSnp, kSimulated };

// "sev-snp" or "simulated".
std::string_view EvidenceKindName(EvidenceKind kind);
// Inverse of EvidenceKindName; InvalidArgument for other names.
Result<EvidenceKind> ParseEvidenceKind(std::string_view name);
// The warning printed wherever simulated evidence is mentioned.
inline constexpr std::string_view kSimulatedWarning =
    "INSECURE: simulated evidence is signed by a local platform key and proves nothing about the "
    "code that runs; for development and tests only";

// Why evidence was refused, as a stable code (VerdictReasonCode) that callers and tests match.
enum class VerdictReason {
  kValid,
  kMalformedReport,        // Not a 1184-byte report of a known version.
  kUnsupportedReport,      // A signature algorithm or signing key this verifier does not know.
  kMalformedCertificate,   // A certificate that does not parse or lacks the AMD extensions.
  kChainInvalid,           // VCEK/VLEK -> ASK/ASVK -> ARK does not verify.
  kRootNotPinned,          // The chain ends at a root that is not a pinned AMD ARK.
  kCertExpired,            // A certificate's notAfter is before the verification time.
  kCertNotYetValid,        // A certificate's notBefore is after the verification time.
  kSigningKeyMismatch,     // The report names another kind of key (VCEK/VLEK) than the one given.
  kBadSignature,           // The report signature does not verify.
  kTcbMismatch,            // The certificate's TCB extensions differ from the report's TCB.
  kChipIdMismatch,         // The VCEK's hwID differs from the report's chip_id.
  kKindNotAllowed,         // The policy does not accept this evidence kind.
  kPlatformKeyNotTrusted,  // Simulated evidence from a platform key the policy does not name.
  kDebugNotAllowed,        // The guest policy allows debugging and the verifier's policy not.
  kMigrationAgentNotAllowed,  // The guest policy allows a migration agent; the verifier's not.
  kSmtNotAllowed,             // The platform runs with SMT on and the verifier's policy forbids it.
  kTcbTooLow,                 // The reported TCB is below the policy minimum.
  kVmplNotAllowed,            // The report's VMPL is not in the allowed set.
  kGuestSvnTooLow,            // The guest SVN is below the policy minimum.
  kProductNotAllowed,         // The product (Milan, Genoa, Turin) is not in the allowed set.
  kMeasurementNotAllowed,     // The launch measurement is not in the allowed list.
  kReportDataMismatch,        // report_data differs from the expected binding.
};

// "valid", "malformed_report", "bad_signature", ...
std::string_view VerdictReasonCode(VerdictReason reason);

// A reason to refuse, with a message saying what failed (never a key or secret).
struct Refusal {
  VerdictReason reason;
  std::string message;
};

// The outcome of verifying evidence.
struct Verdict {
  VerdictReason reason = VerdictReason::kMalformedReport;
  std::string message;
  EvidenceKind kind = EvidenceKind::kSevSnp;
  // The parsed report, when the bytes parsed (also for refused evidence, for display).
  std::optional<SnpReport> report;
  AmdProduct product = AmdProduct::kUnknown;
  // Who signed the report: "VCEK", "VLEK" or "simulated platform key".
  std::string signer;

  bool valid() const { return reason == VerdictReason::kValid; }
  bool insecure() const { return kind == EvidenceKind::kSimulated; }

  // {"verdict": "valid"|"invalid", "reason", "message", "evidence_kind", ["insecure", "warning"],
  //  "product", "signer", "report": {...}}.
  nlohmann::ordered_json ToJson() const;
  // Human-readable lines: the verdict, reason and message, then the report's fields.
  std::string ToText() const;
};

// A refused verdict.
Verdict Refuse(EvidenceKind kind, Refusal refusal);

}  // namespace cleanroom::attest
