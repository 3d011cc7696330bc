#include "attest/verdict.h"

namespace cleanroom::attest {
namespace {

// Prints a JSON object as indented "key: value" lines.
void AppendFields(const nlohmann::ordered_json& object, int indent, std::string& out) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    out.append(static_cast<size_t>(indent), ' ');
    out += it.key() + ":";
    if (it->is_object()) {
      out += "\n";
      AppendFields(*it, indent + 2, out);
    } else {
      out += " " + (it->is_string() ? it->get<std::string>() : it->dump()) + "\n";
    }
  }
}

}  // namespace

std::string_view EvidenceKindName(EvidenceKind kind) {
  return kind == EvidenceKind::kSimulated ? "simulated" : "sev-snp";
}

Result<EvidenceKind> ParseEvidenceKind(std::string_view name) {
  if (name == "sev-snp") return EvidenceKind::kSevSnp;
  if (name == "simulated") return EvidenceKind::kSimulated;
  return Status::InvalidArgument("unknown evidence kind (expected sev-snp or simulated)");
}

std::string_view VerdictReasonCode(VerdictReason reason) {
  switch (reason) {
    case VerdictReason::kValid:
      return "valid";
    case VerdictReason::kMalformedReport:
      return "malformed_report";
    case VerdictReason::kUnsupportedReport:
      return "unsupported_report";
    case VerdictReason::kMalformedCertificate:
      return "malformed_certificate";
    case VerdictReason::kChainInvalid:
      return "chain_invalid";
    case VerdictReason::kRootNotPinned:
      return "root_not_pinned";
    case VerdictReason::kCertExpired:
      return "cert_expired";
    case VerdictReason::kCertNotYetValid:
      return "cert_not_yet_valid";
    case VerdictReason::kSigningKeyMismatch:
      return "signing_key_mismatch";
    case VerdictReason::kBadSignature:
      return "bad_signature";
    case VerdictReason::kTcbMismatch:
      return "tcb_mismatch";
    case VerdictReason::kChipIdMismatch:
      return "chip_id_mismatch";
    case VerdictReason::kKindNotAllowed:
      return "kind_not_allowed";
    case VerdictReason::kPlatformKeyNotTrusted:
      return "platform_key_not_trusted";
    case VerdictReason::kDebugNotAllowed:
      return "debug_not_allowed";
    case VerdictReason::kMigrationAgentNotAllowed:
      return "migration_agent_not_allowed";
    case VerdictReason::kSmtNotAllowed:
      return "smt_not_allowed";
    case VerdictReason::kTcbTooLow:
      return "tcb_too_low";
    case VerdictReason::kVmplNotAllowed:
      return "vmpl_not_allowed";
    case VerdictReason::kGuestSvnTooLow:
      return "guest_svn_too_low";
    case VerdictReason::kProductNotAllowed:
      return "product_not_allowed";
    case VerdictReason::kMeasurementNotAllowed:
      return "measurement_not_allowed";
    case VerdictReason::kReportDataMismatch:
      return "report_data_mismatch";
  }
  return "unknown";
}

Verdict Refuse(EvidenceKind kind, Refusal refusal) {
  Verdict verdict;
  verdict.kind = kind;
  verdict.reason = refusal.reason;
  verdict.message = std::move(refusal.message);
  return verdict;
}

nlohmann::ordered_json Verdict::ToJson() const {
  nlohmann::ordered_json j;
  j["verdict"] = valid() ? "valid" : "invalid";
  j["reason"] = std::string(VerdictReasonCode(reason));
  j["message"] = message;
  j["evidence_kind"] = std::string(EvidenceKindName(kind));
  if (insecure()) {
    j["insecure"] = true;
    j["warning"] = std::string(kSimulatedWarning);
  }
  if (kind == EvidenceKind::kSevSnp) j["product"] = std::string(AmdProductName(product));
  if (!signer.empty()) j["signer"] = signer;
  if (report) j["report"] = SnpReportToJson(*report, product);
  return j;
}

std::string Verdict::ToText() const {
  std::string out = "verdict: " + std::string(valid() ? "valid" : "invalid") + "\n";
  out += "reason: " + std::string(VerdictReasonCode(reason)) + "\n";
  if (!message.empty()) out += "message: " + message + "\n";
  out += "evidence kind: " + std::string(EvidenceKindName(kind));
  if (insecure()) out += " (" + std::string(kSimulatedWarning) + ")";
  out += "\n";
  if (kind == EvidenceKind::kSevSnp) {
    out += "product: " + std::string(AmdProductName(product)) + "\n";
  }
  if (!signer.empty()) out += "signer: " + signer + "\n";
  if (report) {
    out += "report:\n";
    AppendFields(SnpReportToJson(*report, product), 2, out);
  }
  return out;
}

}  // namespace cleanroom::attest
