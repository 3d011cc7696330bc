#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "attest/snp_tcb.h"
#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// Sizes and offsets of the SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP ABI, "ATTESTATION_REPORT
// Structure"). All integers are little-endian.
inline constexpr size_t kSnpReportSize = 0x4A0;  // 1184 bytes.
inline constexpr size_t kSnpSignedSize = 0x2A0;  // The signature covers bytes 0..0x29F.
inline constexpr size_t kSnpSignatureOffset = 0x2A0;
inline constexpr size_t kSnpSignatureComponentSize = 72;  // r and s, little-endian, 48 bytes used.
inline constexpr uint32_t kSnpSigAlgoEcdsaP384Sha384 = 1;

// Guest policy bits (POLICY at 0x08).
inline constexpr uint64_t kSnpPolicySmt = 1ull << 16;
inline constexpr uint64_t kSnpPolicyReservedOne = 1ull << 17;
inline constexpr uint64_t kSnpPolicyMigrateMa = 1ull << 18;
inline constexpr uint64_t kSnpPolicyDebug = 1ull << 19;
inline constexpr uint64_t kSnpPolicySingleSocket = 1ull << 20;

// Which key signed a report (bits 2..4 of the word at 0x48).
enum class SnpSigningKey { kVcek = 0, kVlek = 1, kNone = 7, kReserved = 8 };
std::string_view SnpSigningKeyName(SnpSigningKey key);  // "VCEK", "VLEK", "none", "reserved"

// Every field of a report. Reserved bytes are not kept; a report rebuilt by SerializeSnpReport
// has them zero (as firmware writes them).
struct SnpReport {
  uint32_t version = 0;
  uint32_t guest_svn = 0;
  uint64_t policy = 0;
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  uint32_t vmpl = 0;
  uint32_t signature_algo = 0;
  uint64_t current_tcb = 0;
  uint64_t platform_info = 0;
  uint32_t key_info = 0;  // bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 2..4 SIGNING_KEY.
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  std::array<uint8_t, 48> id_key_digest{};
  std::array<uint8_t, 48> author_key_digest{};
  std::array<uint8_t, 32> report_id{};
  std::array<uint8_t, 32> report_id_ma{};
  uint64_t reported_tcb = 0;
  uint8_t cpuid_family = 0;  // Version 3 and later.
  uint8_t cpuid_model = 0;
  uint8_t cpuid_stepping = 0;
  std::array<uint8_t, 64> chip_id{};
  uint64_t committed_tcb = 0;
  uint8_t current_build = 0, current_minor = 0, current_major = 0;
  uint8_t committed_build = 0, committed_minor = 0, committed_major = 0;
  uint64_t launch_tcb = 0;
  uint64_t launch_mit_vector = 0;   // Version 5 and later.
  uint64_t current_mit_vector = 0;  // Version 5 and later.
  std::array<uint8_t, kSnpSignatureComponentSize> signature_r{};
  std::array<uint8_t, kSnpSignatureComponentSize> signature_s{};

  bool debug_allowed() const { return (policy & kSnpPolicyDebug) != 0; }
  SnpSigningKey signing_key() const;
  // The generation the CPUID fields name (version 3+), or kUnknown.
  AmdProduct CpuidProduct() const;
};

// Parses a report. InvalidArgument ("malformed") when it is not exactly 1184 bytes, or when its
// version is below 2 (version 1 predates the published layout this parser follows).
Result<SnpReport> ParseSnpReport(ByteSpan bytes);

// The 1184 bytes of `report` (reserved bytes zero).
Bytes SerializeSnpReport(const SnpReport& report);

// Every field, for display: integers as numbers, byte strings as lower-case hex, TCBs decoded
// with `product`'s layout (kUnknown: Milan/Genoa layout).
nlohmann::ordered_json SnpReportToJson(const SnpReport& report, AmdProduct product);

}  // namespace cleanroom::attest
