#include "attest/amd_chain.h"

#include <cstdlib>

#include "attest/rfc3339.h"

namespace cleanroom::attest {
namespace {

constexpr PinnedAmdRoot kPinnedRoots[] = {
    {AmdProduct::kMilan, "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"},
    {AmdProduct::kGenoa, "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1"},
    {AmdProduct::kTurin, "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"},
};

std::string Describe(const Certificate& cert, std::string_view role) {
  std::string name = cert.SubjectCommonName();
  return std::string(role) + " certificate (" + (name.empty() ? "no common name" : name) + ")";
}

std::optional<Refusal> CheckValidity(const Certificate& cert, std::string_view role,
                                     std::time_t at) {
  switch (cert.ValidityAt(at)) {
    case Certificate::Validity::kValid:
      return std::nullopt;
    case Certificate::Validity::kExpired:
      return Refusal{VerdictReason::kCertExpired, Describe(cert, role) + " expired at " +
                                                      cert.NotAfter() + " (verification time " +
                                                      FormatRfc3339(at) + ")"};
    case Certificate::Validity::kNotYetValid:
      break;
  }
  return Refusal{VerdictReason::kCertNotYetValid, Describe(cert, role) + " is valid only from " +
                                                      cert.NotBefore() + " (verification time " +
                                                      FormatRfc3339(at) + ")"};
}

// The authority among `authorities` named as `child`'s issuer whose key verifies `child`.
std::variant<Certificate, Refusal> FindIssuer(const Certificate& child, std::string_view role,
                                              const std::vector<Certificate>& authorities) {
  bool name_matched = false;
  for (const Certificate& candidate : authorities) {
    if (!candidate.IsIssuerNameOf(child)) continue;
    name_matched = true;
    if (child.IsSignedBy(candidate)) return candidate;
  }
  std::string issuer = child.IssuerCommonName();
  if (name_matched) {
    return Refusal{VerdictReason::kChainInvalid, "the signature of the " + Describe(child, role) +
                                                     " does not verify under " + issuer};
  }
  return Refusal{
      VerdictReason::kChainInvalid,
      "no certificate named " + issuer + " (issuer of the " + Describe(child, role) + ") is known"};
}

}  // namespace

std::span<const PinnedAmdRoot> PinnedAmdRoots() { return kPinnedRoots; }

std::optional<AmdProduct> PinnedRootProduct(const Certificate& cert) {
  std::string fingerprint = HexEncode(cert.Sha256Fingerprint());
  for (const PinnedAmdRoot& root : kPinnedRoots) {
    if (fingerprint == root.sha256_hex) return root.product;
  }
  return std::nullopt;
}

const std::vector<Certificate>& EmbeddedAmdCertificates() {
  static const std::vector<Certificate> certificates = [] {
    std::vector<Certificate> out;
    for (std::string_view pem : EmbeddedAmdCertificatePems()) {
      auto parsed = Certificate::ParseAll(AsBytes(pem), "embedded AMD certificate");
      // The embedded text is part of the program: failing to parse it is a build defect.
      if (!parsed.ok()) std::abort();
      for (Certificate& cert : *parsed) out.push_back(std::move(cert));
    }
    return out;
  }();
  return certificates;
}

std::variant<AmdChain, Refusal> VerifyAmdChain(const Certificate& vek, VekKind kind,
                                               const std::vector<Certificate>& authorities) {
  const std::string_view vek_role = kind == VekKind::kVlek ? "VLEK" : "VCEK";
  const std::string_view intermediate_role = kind == VekKind::kVlek ? "ASVK" : "ASK";
  auto intermediate = FindIssuer(vek, vek_role, authorities);
  if (auto* refusal = std::get_if<Refusal>(&intermediate)) return std::move(*refusal);
  AmdChain chain;
  chain.intermediate = std::get<Certificate>(std::move(intermediate));

  auto root = FindIssuer(chain.intermediate, intermediate_role, authorities);
  if (auto* refusal = std::get_if<Refusal>(&root)) return std::move(*refusal);
  chain.root = std::get<Certificate>(std::move(root));
  if (!chain.root.IsIssuerNameOf(chain.root) || !chain.root.IsSignedBy(chain.root)) {
    return Refusal{VerdictReason::kChainInvalid,
                   "the " + Describe(chain.root, "root") + " is not self-signed"};
  }
  std::optional<AmdProduct> product = PinnedRootProduct(chain.root);
  if (!product) {
    return Refusal{VerdictReason::kRootNotPinned,
                   "the chain ends at " + Describe(chain.root, "a root") +
                       " whose SHA-256 fingerprint is not a pinned AMD ARK (Milan, Genoa, Turin)"};
  }
  chain.product = *product;

  // An ASK signs VCEKs and an ASVK signs VLEKs; the two must not be interchangeable.
  std::string expected = std::string(kind == VekKind::kVlek ? "SEV-VLEK-" : "SEV-") +
                         std::string(AmdProductName(chain.product));
  if (chain.intermediate.SubjectCommonName() != expected) {
    return Refusal{VerdictReason::kChainInvalid, "the " + std::string(vek_role) + " is issued by " +
                                                     chain.intermediate.SubjectCommonName() +
                                                     ", expected " + expected};
  }

  return chain;
}

std::optional<Refusal> CheckChainValidity(const AmdChain& chain, const Certificate& vek,
                                          VekKind kind, std::time_t at) {
  if (auto refusal = CheckValidity(chain.root, "ARK", at)) return refusal;
  if (auto refusal =
          CheckValidity(chain.intermediate, kind == VekKind::kVlek ? "ASVK" : "ASK", at)) {
    return refusal;
  }
  return CheckValidity(vek, kind == VekKind::kVlek ? "VLEK" : "VCEK", at);
}

}  // namespace cleanroom::attest
