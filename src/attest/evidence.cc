#include "attest/evidence.h"

#include "attest/amd_signature.h"
#include "attest/certificate.h"
#include "attest/rfc3339.h"
#include "attest/snp_verifier.h"
#include "crypto/hash.h"

namespace cleanroom::attest {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "cleanroom-evidence/v1";

void AppendLengthPrefixed(Bytes& out, ByteSpan data) {
  uint8_t length[8];
  PutU64BE(length, data.size());
  out.insert(out.end(), length, length + 8);
  out.insert(out.end(), data.begin(), data.end());
}

Verdict VerifySevSnp(const Evidence& evidence, const Policy& policy, std::time_t at) {
  if (evidence.certificates.empty()) {
    return Refuse(EvidenceKind::kSevSnp, {VerdictReason::kMalformedCertificate,
                                          "sev-snp evidence carries no VCEK or VLEK certificate"});
  }
  auto vek = Certificate::FromDer(evidence.certificates[0], "evidence certificate 0");
  if (!vek.ok()) {
    return Refuse(EvidenceKind::kSevSnp,
                  {VerdictReason::kMalformedCertificate, vek.status().message()});
  }
  // Authorities the runtime sent come first; the embedded ones follow. Roots are pinned, so
  // extra certificates can only help find a path, never make a foreign root trusted.
  std::vector<Certificate> authorities;
  for (size_t i = 1; i < evidence.certificates.size(); ++i) {
    auto cert =
        Certificate::FromDer(evidence.certificates[i], "evidence certificate " + std::to_string(i));
    if (!cert.ok()) {
      return Refuse(EvidenceKind::kSevSnp,
                    {VerdictReason::kMalformedCertificate, cert.status().message()});
    }
    authorities.push_back(std::move(cert).value());
  }
  const auto& embedded = EmbeddedAmdCertificates();
  authorities.insert(authorities.end(), embedded.begin(), embedded.end());
  return VerifySnpReport(evidence.report, *vek, std::nullopt, authorities, policy, at);
}

Verdict VerifySimulated(const Evidence& evidence, const Policy& policy, std::time_t at) {
  constexpr EvidenceKind kKind = EvidenceKind::kSimulated;
  auto parsed = ParseSnpReport(evidence.report);
  if (!parsed.ok())
    return Refuse(kKind, {VerdictReason::kMalformedReport, parsed.status().message()});
  auto refuse = [&](VerdictReason reason, std::string message) {
    Verdict verdict = Refuse(kKind, {reason, std::move(message)});
    verdict.report = *parsed;
    return verdict;
  };
  if (parsed->signature_algo != kSnpSigAlgoEcdsaP384Sha384) {
    return refuse(VerdictReason::kUnsupportedReport,
                  "signature algorithm at offset 0x34 is not ECDSA P-384 with SHA-384 (1)");
  }
  if (evidence.certificates.size() != 1) {
    return refuse(VerdictReason::kMalformedCertificate,
                  "simulated evidence must carry exactly one platform certificate");
  }
  auto cert = Certificate::FromDer(evidence.certificates[0], "platform certificate");
  if (!cert.ok()) return refuse(VerdictReason::kMalformedCertificate, cert.status().message());
  if (!IsP384Key(cert->PublicKey())) {
    return refuse(VerdictReason::kMalformedCertificate,
                  "the platform certificate does not hold an ECDSA P-384 key");
  }
  Bytes key_id = cert->PublicKeySha256();
  bool trusted = false;
  for (const Bytes& allowed : policy.simulated_platform_keys) {
    trusted = trusted || ConstantTimeEquals(allowed, key_id);
  }
  if (!trusted) {
    return refuse(VerdictReason::kPlatformKeyNotTrusted, "the simulated platform key (SHA-256 " +
                                                             HexEncode(key_id) +
                                                             ") is not one the policy trusts");
  }
  switch (cert->ValidityAt(at)) {
    case Certificate::Validity::kValid:
      break;
    case Certificate::Validity::kExpired:
      return refuse(VerdictReason::kCertExpired, "the platform certificate expired at " +
                                                     cert->NotAfter() + " (verification time " +
                                                     FormatRfc3339(at) + ")");
    case Certificate::Validity::kNotYetValid:
      return refuse(VerdictReason::kCertNotYetValid,
                    "the platform certificate is valid only from " + cert->NotBefore());
  }
  if (!VerifyAmdEcdsaSignature(cert->PublicKey(), ByteSpan(evidence.report).first(kSnpSignedSize),
                               ByteSpan(parsed->signature_r.data(), parsed->signature_r.size()),
                               ByteSpan(parsed->signature_s.data(), parsed->signature_s.size()))) {
    return refuse(VerdictReason::kBadSignature,
                  "the report signature does not verify with the platform key");
  }
  Verdict verdict;
  verdict.kind = kKind;
  verdict.reason = VerdictReason::kValid;
  verdict.report = *parsed;
  verdict.signer = "simulated platform key";
  if (auto refusal = ApplyPolicy(*parsed, AmdProduct::kUnknown, policy)) {
    verdict.reason = refusal->reason;
    verdict.message = std::move(refusal->message);
  }
  return verdict;
}

}  // namespace

std::string SerializeEvidenceJson(const Evidence& evidence) {
  json j;
  j["format"] = kFormat;
  j["kind"] = EvidenceKindName(evidence.kind);
  if (evidence.kind == EvidenceKind::kSimulated) {
    j["insecure"] = true;
    j["warning"] = kSimulatedWarning;
  }
  j["report"] = Base64Encode(evidence.report);
  j["certificates"] = json::array();
  for (const Bytes& cert : evidence.certificates) j["certificates"].push_back(Base64Encode(cert));
  return j.dump();
}

Result<Evidence> ParseEvidenceJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("evidence is not a JSON object");
  }
  auto format = j.find("format");
  if (format == j.end() || !format->is_string() || format->get<std::string>() != kFormat) {
    return Status::InvalidArgument("evidence field format must be \"cleanroom-evidence/v1\"");
  }
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()) {
    return Status::InvalidArgument("evidence field kind is missing or not a string");
  }
  Evidence evidence;
  CR_ASSIGN_OR_RETURN(evidence.kind, ParseEvidenceKind(kind->get<std::string>()));
  auto report = j.find("report");
  if (report == j.end() || !report->is_string()) {
    return Status::InvalidArgument("evidence field report is missing or not a string");
  }
  auto report_bytes = Base64Decode(report->get<std::string>());
  if (!report_bytes.ok()) return Status::InvalidArgument("evidence field report is not base64");
  evidence.report = std::move(report_bytes).value();
  auto certificates = j.find("certificates");
  if (certificates == j.end() || !certificates->is_array()) {
    return Status::InvalidArgument("evidence field certificates is missing or not an array");
  }
  for (size_t i = 0; i < certificates->size(); ++i) {
    const json& item = (*certificates)[i];
    auto der = item.is_string() ? Base64Decode(item.get<std::string>())
                                : Result<Bytes>(Status::InvalidArgument("not a string"));
    if (!der.ok()) {
      return Status::InvalidArgument("evidence field certificates[" + std::to_string(i) +
                                     "] is not a base64 string");
    }
    evidence.certificates.push_back(std::move(der).value());
  }
  return evidence;
}

Bytes EvidenceDigest(const Evidence& evidence) {
  Bytes input;
  AppendLengthPrefixed(input, AsBytes(EvidenceKindName(evidence.kind)));
  AppendLengthPrefixed(input, evidence.report);
  for (const Bytes& cert : evidence.certificates) AppendLengthPrefixed(input, cert);
  return crypto::Hash(crypto::HashAlgorithm::kSha384, input);
}

Verdict VerifyEvidence(const Evidence& evidence, const Policy& policy, std::time_t at) {
  if (!policy.allowed_kinds.contains(evidence.kind)) {
    return Refuse(evidence.kind, {VerdictReason::kKindNotAllowed,
                                  "the policy does not accept " +
                                      std::string(EvidenceKindName(evidence.kind)) + " evidence"});
  }
  if (evidence.kind == EvidenceKind::kSimulated) return VerifySimulated(evidence, policy, at);
  return VerifySevSnp(evidence, policy, at);
}

}  // namespace cleanroom::attest
