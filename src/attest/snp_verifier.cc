#include "attest/snp_verifier.h"

#include "attest/amd_signature.h"
#include "attest/vek_extensions.h"

namespace cleanroom::attest {
namespace {

constexpr EvidenceKind kKind = EvidenceKind::kSevSnp;

// The kind of key a certificate holds, from its subject name.
std::optional<VekKind> CertificateKind(const Certificate& vek) {
  std::string name = vek.SubjectCommonName();
  if (name == "SEV-VCEK") return VekKind::kVcek;
  if (name == "SEV-VLEK") return VekKind::kVlek;
  return std::nullopt;
}

std::string_view KindName(VekKind kind) { return kind == VekKind::kVlek ? "VLEK" : "VCEK"; }

}  // namespace

Verdict VerifySnpAuthenticity(ByteSpan report_bytes, const Certificate& vek,
                              std::optional<VekKind> expected_kind,
                              const std::vector<Certificate>& authorities, std::time_t at) {
  auto parsed = ParseSnpReport(report_bytes);
  if (!parsed.ok())
    return Refuse(kKind, {VerdictReason::kMalformedReport, parsed.status().message()});
  const SnpReport& report = *parsed;
  // From here on the verdict keeps the parsed report for display, refused or not.
  auto refuse = [&](VerdictReason reason, std::string message, AmdProduct product) {
    Verdict verdict = Refuse(kKind, {reason, std::move(message)});
    verdict.report = report;
    verdict.product = product;
    return verdict;
  };

  if (report.signature_algo != kSnpSigAlgoEcdsaP384Sha384) {
    return refuse(VerdictReason::kUnsupportedReport,
                  "signature algorithm " + std::to_string(report.signature_algo) +
                      " at offset 0x34 is not ECDSA P-384 with SHA-384 (1)",
                  AmdProduct::kUnknown);
  }
  SnpSigningKey report_key = report.signing_key();
  if (report_key != SnpSigningKey::kVcek && report_key != SnpSigningKey::kVlek) {
    return refuse(VerdictReason::kUnsupportedReport,
                  "the report is signed by key kind " + std::string(SnpSigningKeyName(report_key)) +
                      ", not a VCEK or VLEK",
                  AmdProduct::kUnknown);
  }
  std::optional<VekKind> kind = CertificateKind(vek);
  if (!kind) {
    return refuse(VerdictReason::kMalformedCertificate,
                  "the endorsement certificate's subject is neither SEV-VCEK nor SEV-VLEK",
                  AmdProduct::kUnknown);
  }
  if (!IsP384Key(vek.PublicKey())) {
    return refuse(VerdictReason::kMalformedCertificate,
                  "the " + std::string(KindName(*kind)) + " does not hold an ECDSA P-384 key",
                  AmdProduct::kUnknown);
  }

  const std::vector<Certificate>& pool =
      authorities.empty() ? EmbeddedAmdCertificates() : authorities;
  auto chain_or = VerifyAmdChain(vek, *kind, pool);
  if (auto* refusal = std::get_if<Refusal>(&chain_or)) {
    return refuse(refusal->reason, std::move(refusal->message), AmdProduct::kUnknown);
  }
  const AmdChain& chain = std::get<AmdChain>(chain_or);
  const AmdProduct product = chain.product;
  if (auto refusal = CheckChainValidity(chain, vek, *kind, at)) {
    return refuse(refusal->reason, std::move(refusal->message), product);
  }

  VekKind report_kind = report_key == SnpSigningKey::kVlek ? VekKind::kVlek : VekKind::kVcek;
  if (report_kind != *kind || (expected_kind && *expected_kind != *kind)) {
    std::string message = "the report names a " + std::string(KindName(report_kind)) +
                          " as its signing key and the certificate given is a " +
                          std::string(KindName(*kind));
    if (expected_kind) message += " (expected a " + std::string(KindName(*expected_kind)) + ")";
    return refuse(VerdictReason::kSigningKeyMismatch, message, product);
  }
  AmdProduct cpuid_product = report.CpuidProduct();
  if (cpuid_product != AmdProduct::kUnknown && cpuid_product != product) {
    return refuse(VerdictReason::kChainInvalid,
                  "the report's CPUID names " + std::string(AmdProductName(cpuid_product)) +
                      " but the certificate chain is " + std::string(AmdProductName(product)) +
                      "'s",
                  product);
  }

  auto extensions = ReadVekExtensions(vek);
  if (!extensions.ok()) {
    return refuse(VerdictReason::kMalformedCertificate, extensions.status().message(), product);
  }
  TcbVersion reported = TcbVersion::Decode(report.reported_tcb, product);
  TcbVersion certified = extensions->tcb;
  if (product != AmdProduct::kTurin) certified.fmc.reset();
  if (product == AmdProduct::kTurin && !certified.fmc) certified.fmc = 0;
  if (!(reported == certified)) {
    return refuse(VerdictReason::kTcbMismatch,
                  "the report's reported_tcb (" + reported.ToString() + ") differs from the " +
                      std::string(KindName(*kind)) + "'s TCB (" + certified.ToString() + ")",
                  product);
  }
  if (*kind == VekKind::kVcek) {
    if (!extensions->hw_id) {
      return refuse(VerdictReason::kMalformedCertificate, "the VCEK lacks the hwID extension",
                    product);
    }
    if (!ConstantTimeEquals(*extensions->hw_id,
                            ByteSpan(report.chip_id.data(), report.chip_id.size()))) {
      return refuse(VerdictReason::kChipIdMismatch,
                    "the VCEK belongs to another chip (hwID differs from the report's chip_id)",
                    product);
    }
  }
  if (!VerifyAmdEcdsaSignature(vek.PublicKey(), report_bytes.first(kSnpSignedSize),
                               ByteSpan(report.signature_r.data(), report.signature_r.size()),
                               ByteSpan(report.signature_s.data(), report.signature_s.size()))) {
    return refuse(VerdictReason::kBadSignature,
                  "the report signature does not verify with the " + std::string(KindName(*kind)),
                  product);
  }
  Verdict verdict;
  verdict.kind = kKind;
  verdict.reason = VerdictReason::kValid;
  verdict.report = report;
  verdict.product = product;
  verdict.signer = std::string(KindName(*kind));
  return verdict;
}

Verdict VerifySnpReport(ByteSpan report_bytes, const Certificate& vek,
                        std::optional<VekKind> expected_kind,
                        const std::vector<Certificate>& authorities, const Policy& policy,
                        std::time_t at) {
  Verdict verdict = VerifySnpAuthenticity(report_bytes, vek, expected_kind, authorities, at);
  if (!verdict.valid()) return verdict;
  if (!policy.allowed_kinds.contains(kKind)) {
    verdict.reason = VerdictReason::kKindNotAllowed;
    verdict.message = "the policy does not accept sev-snp evidence";
    return verdict;
  }
  if (auto refusal = ApplyPolicy(*verdict.report, verdict.product, policy)) {
    verdict.reason = refusal->reason;
    verdict.message = std::move(refusal->message);
  }
  return verdict;
}

}  // namespace cleanroom::attest
