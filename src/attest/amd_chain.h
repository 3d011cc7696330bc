#pragma once

#include <ctime>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "attest/certificate.h"
#include "attest/snp_tcb.h"
#include "attest/verdict.h"

namespace cleanroom::attest {

// An AMD root key (ARK) this project trusts: its product and the SHA-256 of its DER certificate
// (lower-case hex), as published by AMD's Key Distribution Service.
struct PinnedAmdRoot {
  AmdProduct product;
  std::string_view sha256_hex;
};

// The pinned ARKs of Milan, Genoa and Turin.
std::span<const PinnedAmdRoot> PinnedAmdRoots();

// The product whose pinned ARK `cert` is, or nullopt when it is none of them.
std::optional<AmdProduct> PinnedRootProduct(const Certificate& cert);

// The embedded ASK, ASVK and ARK certificates of every product (PEM text; amd_roots.cc).
const std::vector<std::string_view>& EmbeddedAmdCertificatePems();
// The same, parsed once. Thread-safe.
const std::vector<Certificate>& EmbeddedAmdCertificates();

// Which kind of versioned endorsement key signs a report.
enum class VekKind { kVcek, kVlek };

// The verified path above a VCEK or VLEK.
struct AmdChain {
  AmdProduct product = AmdProduct::kUnknown;
  Certificate intermediate;  // ASK (for a VCEK) or ASVK (for a VLEK).
  Certificate root;          // The pinned ARK.
};

// Verifies `vek` -> ASK/ASVK -> ARK, taking the intermediate and the root from `authorities`
// (certificates of a chain file, or EmbeddedAmdCertificates()). Checks the issuer names and the
// RSA-PSS signatures, that the root is self-signed and pinned, and that a VCEK hangs under an
// ASK ("SEV-<product>") and a VLEK under an ASVK ("SEV-VLEK-<product>"). Returns the chain or
// the refusal (chain_invalid, root_not_pinned). Validity times are CheckChainValidity's job.
std::variant<AmdChain, Refusal> VerifyAmdChain(const Certificate& vek, VekKind kind,
                                               const std::vector<Certificate>& authorities);

// Checks that the ARK, the ASK/ASVK and `vek` are all valid at `at` (cert_expired,
// cert_not_yet_valid, naming the certificate).
std::optional<Refusal> CheckChainValidity(const AmdChain& chain, const Certificate& vek,
                                          VekKind kind, std::time_t at);

}  // namespace cleanroom::attest
