#include "attest/snp_tcb.h"

namespace cleanroom::attest {

std::string_view AmdProductName(AmdProduct product) {
  switch (product) {
    case AmdProduct::kMilan:
      return "Milan";
    case AmdProduct::kGenoa:
      return "Genoa";
    case AmdProduct::kTurin:
      return "Turin";
    case AmdProduct::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<AmdProduct> ParseAmdProduct(std::string_view name) {
  for (AmdProduct p : {AmdProduct::kMilan, AmdProduct::kGenoa, AmdProduct::kTurin}) {
    if (AmdProductName(p) == name) return p;
  }
  return std::nullopt;
}

TcbVersion TcbVersion::Decode(uint64_t raw, AmdProduct product) {
  auto byte = [raw](int i) { return static_cast<uint8_t>(raw >> (8 * i)); };
  TcbVersion tcb;
  if (product == AmdProduct::kTurin) {
    tcb.fmc = byte(0);
    tcb.bootloader = byte(1);
    tcb.tee = byte(2);
    tcb.snp = byte(3);
  } else {
    tcb.bootloader = byte(0);
    tcb.tee = byte(1);
    tcb.snp = byte(6);
  }
  tcb.microcode = byte(7);
  return tcb;
}

uint64_t TcbVersion::Encode(AmdProduct product) const {
  auto at = [](uint8_t v, int i) { return static_cast<uint64_t>(v) << (8 * i); };
  if (product == AmdProduct::kTurin) {
    return at(fmc.value_or(0), 0) | at(bootloader, 1) | at(tee, 2) | at(snp, 3) | at(microcode, 7);
  }
  return at(bootloader, 0) | at(tee, 1) | at(snp, 6) | at(microcode, 7);
}

bool TcbVersion::AtLeast(const TcbVersion& minimum) const {
  return bootloader >= minimum.bootloader && tee >= minimum.tee && snp >= minimum.snp &&
         microcode >= minimum.microcode && fmc.value_or(0) >= minimum.fmc.value_or(0);
}

std::string TcbVersion::ToString() const {
  std::string out;
  if (fmc) out = "fmc=" + std::to_string(*fmc) + " ";
  out += "bl=" + std::to_string(bootloader) + " tee=" + std::to_string(tee) +
         " snp=" + std::to_string(snp) + " ucode=" + std::to_string(microcode);
  return out;
}

}  // namespace cleanroom::attest
