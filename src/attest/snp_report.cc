#include "attest/snp_report.h"

#include <algorithm>
#include <cstring>

namespace cleanroom::attest {
namespace {

// Field offsets (SEV-SNP ABI, ATTESTATION_REPORT).
constexpr size_t kVersion = 0x00, kGuestSvn = 0x04, kPolicy = 0x08, kFamilyId = 0x10,
                 kImageId = 0x20, kVmpl = 0x30, kSignatureAlgo = 0x34, kCurrentTcb = 0x38,
                 kPlatformInfo = 0x40, kKeyInfo = 0x48, kReportData = 0x50, kMeasurement = 0x90,
                 kHostData = 0xC0, kIdKeyDigest = 0xE0, kAuthorKeyDigest = 0x110, kReportId = 0x140,
                 kReportIdMa = 0x160, kReportedTcb = 0x180, kCpuidFamily = 0x188,
                 kCpuidModel = 0x189, kCpuidStepping = 0x18A, kChipId = 0x1A0,
                 kCommittedTcb = 0x1E0, kCurrentBuild = 0x1E8, kCurrentMinor = 0x1E9,
                 kCurrentMajor = 0x1EA, kCommittedBuild = 0x1EC, kCommittedMinor = 0x1ED,
                 kCommittedMajor = 0x1EE, kLaunchTcb = 0x1F0, kLaunchMitVector = 0x1F8,
                 kCurrentMitVector = 0x200;

template <size_t N>
void ReadArray(const uint8_t* base, size_t offset, std::array<uint8_t, N>& out) {
  std::memcpy(out.data(), base + offset, N);
}

template <size_t N>
void WriteArray(uint8_t* base, size_t offset, const std::array<uint8_t, N>& in) {
  std::memcpy(base + offset, in.data(), N);
}

template <size_t N>
std::string Hex(const std::array<uint8_t, N>& a) {
  return HexEncode(ByteSpan(a.data(), a.size()));
}

nlohmann::ordered_json TcbJson(uint64_t raw, AmdProduct product) {
  TcbVersion tcb = TcbVersion::Decode(raw, product);
  nlohmann::ordered_json j = {{"raw", raw},
                              {"bootloader", tcb.bootloader},
                              {"tee", tcb.tee},
                              {"snp", tcb.snp},
                              {"microcode", tcb.microcode}};
  if (tcb.fmc) j["fmc"] = *tcb.fmc;
  return j;
}

}  // namespace

std::string_view SnpSigningKeyName(SnpSigningKey key) {
  switch (key) {
    case SnpSigningKey::kVcek:
      return "VCEK";
    case SnpSigningKey::kVlek:
      return "VLEK";
    case SnpSigningKey::kNone:
      return "none";
    case SnpSigningKey::kReserved:
      break;
  }
  return "reserved";
}

SnpSigningKey SnpReport::signing_key() const {
  switch ((key_info >> 2) & 0x7) {
    case 0:
      return SnpSigningKey::kVcek;
    case 1:
      return SnpSigningKey::kVlek;
    case 7:
      return SnpSigningKey::kNone;
    default:
      return SnpSigningKey::kReserved;
  }
}

AmdProduct SnpReport::CpuidProduct() const {
  if (version < 3) return AmdProduct::kUnknown;
  // Family 19h: models 00h-0Fh are Milan, 10h-1Fh and A0h-AFh Genoa (and its Bergamo/Siena
  // variants, which AMD's key server serves as Genoa). Family 1Ah: Turin.
  if (cpuid_family == 0x19 && cpuid_model <= 0x0F) return AmdProduct::kMilan;
  if (cpuid_family == 0x19 && ((cpuid_model >= 0x10 && cpuid_model <= 0x1F) ||
                               (cpuid_model >= 0xA0 && cpuid_model <= 0xAF))) {
    return AmdProduct::kGenoa;
  }
  if (cpuid_family == 0x1A && cpuid_model <= 0x1F) return AmdProduct::kTurin;
  return AmdProduct::kUnknown;
}

Result<SnpReport> ParseSnpReport(ByteSpan bytes) {
  if (bytes.size() != kSnpReportSize) {
    return Status::InvalidArgument("malformed SEV-SNP report: expected " +
                                   std::to_string(kSnpReportSize) + " bytes, got " +
                                   std::to_string(bytes.size()));
  }
  const uint8_t* p = bytes.data();
  SnpReport r;
  r.version = GetU32LE(p + kVersion);
  if (r.version < 2) {
    return Status::InvalidArgument("malformed SEV-SNP report: version " +
                                   std::to_string(r.version) +
                                   " at offset 0x0 (2 or later expected)");
  }
  r.guest_svn = GetU32LE(p + kGuestSvn);
  r.policy = GetU64LE(p + kPolicy);
  ReadArray(p, kFamilyId, r.family_id);
  ReadArray(p, kImageId, r.image_id);
  r.vmpl = GetU32LE(p + kVmpl);
  r.signature_algo = GetU32LE(p + kSignatureAlgo);
  r.current_tcb = GetU64LE(p + kCurrentTcb);
  r.platform_info = GetU64LE(p + kPlatformInfo);
  r.key_info = GetU32LE(p + kKeyInfo);
  ReadArray(p, kReportData, r.report_data);
  ReadArray(p, kMeasurement, r.measurement);
  ReadArray(p, kHostData, r.host_data);
  ReadArray(p, kIdKeyDigest, r.id_key_digest);
  ReadArray(p, kAuthorKeyDigest, r.author_key_digest);
  ReadArray(p, kReportId, r.report_id);
  ReadArray(p, kReportIdMa, r.report_id_ma);
  r.reported_tcb = GetU64LE(p + kReportedTcb);
  if (r.version >= 3) {
    r.cpuid_family = p[kCpuidFamily];
    r.cpuid_model = p[kCpuidModel];
    r.cpuid_stepping = p[kCpuidStepping];
  }
  ReadArray(p, kChipId, r.chip_id);
  r.committed_tcb = GetU64LE(p + kCommittedTcb);
  r.current_build = p[kCurrentBuild];
  r.current_minor = p[kCurrentMinor];
  r.current_major = p[kCurrentMajor];
  r.committed_build = p[kCommittedBuild];
  r.committed_minor = p[kCommittedMinor];
  r.committed_major = p[kCommittedMajor];
  r.launch_tcb = GetU64LE(p + kLaunchTcb);
  if (r.version >= 5) {
    r.launch_mit_vector = GetU64LE(p + kLaunchMitVector);
    r.current_mit_vector = GetU64LE(p + kCurrentMitVector);
  }
  ReadArray(p, kSnpSignatureOffset, r.signature_r);
  ReadArray(p, kSnpSignatureOffset + kSnpSignatureComponentSize, r.signature_s);
  return r;
}

Bytes SerializeSnpReport(const SnpReport& r) {
  Bytes out(kSnpReportSize, 0);
  uint8_t* p = out.data();
  PutU32LE(p + kVersion, r.version);
  PutU32LE(p + kGuestSvn, r.guest_svn);
  PutU64LE(p + kPolicy, r.policy);
  WriteArray(p, kFamilyId, r.family_id);
  WriteArray(p, kImageId, r.image_id);
  PutU32LE(p + kVmpl, r.vmpl);
  PutU32LE(p + kSignatureAlgo, r.signature_algo);
  PutU64LE(p + kCurrentTcb, r.current_tcb);
  PutU64LE(p + kPlatformInfo, r.platform_info);
  PutU32LE(p + kKeyInfo, r.key_info);
  WriteArray(p, kReportData, r.report_data);
  WriteArray(p, kMeasurement, r.measurement);
  WriteArray(p, kHostData, r.host_data);
  WriteArray(p, kIdKeyDigest, r.id_key_digest);
  WriteArray(p, kAuthorKeyDigest, r.author_key_digest);
  WriteArray(p, kReportId, r.report_id);
  WriteArray(p, kReportIdMa, r.report_id_ma);
  PutU64LE(p + kReportedTcb, r.reported_tcb);
  if (r.version >= 3) {
    p[kCpuidFamily] = r.cpuid_family;
    p[kCpuidModel] = r.cpuid_model;
    p[kCpuidStepping] = r.cpuid_stepping;
  }
  WriteArray(p, kChipId, r.chip_id);
  PutU64LE(p + kCommittedTcb, r.committed_tcb);
  p[kCurrentBuild] = r.current_build;
  p[kCurrentMinor] = r.current_minor;
  p[kCurrentMajor] = r.current_major;
  p[kCommittedBuild] = r.committed_build;
  p[kCommittedMinor] = r.committed_minor;
  p[kCommittedMajor] = r.committed_major;
  PutU64LE(p + kLaunchTcb, r.launch_tcb);
  if (r.version >= 5) {
    PutU64LE(p + kLaunchMitVector, r.launch_mit_vector);
    PutU64LE(p + kCurrentMitVector, r.current_mit_vector);
  }
  WriteArray(p, kSnpSignatureOffset, r.signature_r);
  WriteArray(p, kSnpSignatureOffset + kSnpSignatureComponentSize, r.signature_s);
  return out;
}

nlohmann::ordered_json SnpReportToJson(const SnpReport& r, AmdProduct product) {
  nlohmann::ordered_json j;
  j["version"] = r.version;
  j["guest_svn"] = r.guest_svn;
  j["policy"] = {{"raw", r.policy},
                 {"abi_major", (r.policy >> 8) & 0xFF},
                 {"abi_minor", r.policy & 0xFF},
                 {"smt_allowed", (r.policy & kSnpPolicySmt) != 0},
                 {"migrate_ma_allowed", (r.policy & kSnpPolicyMigrateMa) != 0},
                 {"debug_allowed", r.debug_allowed()},
                 {"single_socket", (r.policy & kSnpPolicySingleSocket) != 0}};
  j["family_id"] = Hex(r.family_id);
  j["image_id"] = Hex(r.image_id);
  j["vmpl"] = r.vmpl;
  j["signature_algo"] = r.signature_algo;
  j["current_tcb"] = TcbJson(r.current_tcb, product);
  j["platform_info"] = r.platform_info;
  j["key_info"] = {{"raw", r.key_info},
                   {"author_key_en", (r.key_info & 1) != 0},
                   {"mask_chip_key", (r.key_info & 2) != 0},
                   {"signing_key", std::string(SnpSigningKeyName(r.signing_key()))}};
  j["report_data"] = Hex(r.report_data);
  j["measurement"] = Hex(r.measurement);
  j["host_data"] = Hex(r.host_data);
  j["id_key_digest"] = Hex(r.id_key_digest);
  j["author_key_digest"] = Hex(r.author_key_digest);
  j["report_id"] = Hex(r.report_id);
  j["report_id_ma"] = Hex(r.report_id_ma);
  j["reported_tcb"] = TcbJson(r.reported_tcb, product);
  if (r.version >= 3) {
    j["cpuid"] = {
        {"family", r.cpuid_family}, {"model", r.cpuid_model}, {"stepping", r.cpuid_stepping}};
  }
  j["chip_id"] = Hex(r.chip_id);
  j["committed_tcb"] = TcbJson(r.committed_tcb, product);
  j["current_firmware"] = std::to_string(r.current_major) + "." + std::to_string(r.current_minor) +
                          "." + std::to_string(r.current_build);
  j["committed_firmware"] = std::to_string(r.committed_major) + "." +
                            std::to_string(r.committed_minor) + "." +
                            std::to_string(r.committed_build);
  j["launch_tcb"] = TcbJson(r.launch_tcb, product);
  if (r.version >= 5) {
    j["launch_mit_vector"] = r.launch_mit_vector;
    j["current_mit_vector"] = r.current_mit_vector;
  }
  j["signature"] = {{"r", Hex(r.signature_r)}, {"s", Hex(r.signature_s)}};
  return j;
}

}  // namespace cleanroom::attest
