#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cleanroom::attest {

// The AMD EPYC generations whose roots are pinned. The generation decides the TCB layout.
enum class AmdProduct { kUnknown, kMilan, kGenoa, kTurin };

// "Milan", "Genoa", "Turin" or "unknown".
std::string_view AmdProductName(AmdProduct product);
// Inverse of AmdProductName (case-sensitive); nullopt for other names.
std::optional<AmdProduct> ParseAmdProduct(std::string_view name);

// The security patch levels packed in a 64-bit TCB_VERSION. Milan and Genoa: byte 0
// bootloader, 1 TEE, 6 SNP, 7 microcode. Turin: byte 0 FMC, 1 bootloader, 2 TEE, 3 SNP,
// 7 microcode.
struct TcbVersion {
  uint8_t bootloader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
  std::optional<uint8_t> fmc;  // Turin only.

  static TcbVersion Decode(uint64_t raw, AmdProduct product);
  uint64_t Encode(AmdProduct product) const;
  // True when every component is at least the one in `minimum` (an absent FMC counts as 0).
  bool AtLeast(const TcbVersion& minimum) const;
  // "bl=3 tee=0 snp=8 ucode=115" (and "fmc=N " first on Turin).
  std::string ToString() const;
};

inline bool operator==(const TcbVersion& a, const TcbVersion& b) {
  return a.bootloader == b.bootloader && a.tee == b.tee && a.snp == b.snp &&
         a.microcode == b.microcode && a.fmc == b.fmc;
}

}  // namespace cleanroom::attest
