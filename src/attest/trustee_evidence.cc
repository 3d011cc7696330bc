#include "attest/trustee_evidence.h"

#include <nlohmann/json.hpp>

#include "attest/snp_report.h"

namespace cleanroom::attest {
namespace {

using nlohmann::json;

Status Bad(const std::string& field, std::string_view what) {
  return Status::InvalidArgument("trustee evidence field attestation_report." + field + " " +
                                 std::string(what));
}

Result<uint64_t> Number(const json& object, const std::string& field, uint64_t max) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_number_unsigned() || it->get<uint64_t>() > max) {
    return Bad(field, "is missing or not an integer in range");
  }
  return it->get<uint64_t>();
}

template <size_t N>
Status ByteArray(const json& object, const std::string& field, std::array<uint8_t, N>& out) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_array() || it->size() != N) {
    return Bad(field, "must be an array of " + std::to_string(N) + " bytes");
  }
  for (size_t i = 0; i < N; ++i) {
    const json& b = (*it)[i];
    if (!b.is_number_unsigned() || b.get<uint64_t>() > 255) return Bad(field, "holds a non-byte");
    out[i] = static_cast<uint8_t>(b.get<uint64_t>());
  }
  return Status::OK();
}

Result<uint64_t> Tcb(const json& object, const std::string& field) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_object()) return Bad(field, "is missing or not an object");
  TcbVersion tcb;
  CR_ASSIGN_OR_RETURN(uint64_t bootloader, Number(*it, "bootloader", 255));
  CR_ASSIGN_OR_RETURN(uint64_t tee, Number(*it, "tee", 255));
  CR_ASSIGN_OR_RETURN(uint64_t snp, Number(*it, "snp", 255));
  CR_ASSIGN_OR_RETURN(uint64_t microcode, Number(*it, "microcode", 255));
  tcb.bootloader = static_cast<uint8_t>(bootloader);
  tcb.tee = static_cast<uint8_t>(tee);
  tcb.snp = static_cast<uint8_t>(snp);
  tcb.microcode = static_cast<uint8_t>(microcode);
  AmdProduct layout = AmdProduct::kMilan;
  auto fmc = it->find("fmc");
  if (fmc != it->end() && !fmc->is_null()) {
    CR_ASSIGN_OR_RETURN(uint64_t value, Number(*it, "fmc", 255));
    tcb.fmc = static_cast<uint8_t>(value);
    layout = AmdProduct::kTurin;
  }
  return tcb.Encode(layout);
}

Status Version(const json& object, const std::string& field, uint8_t& major, uint8_t& minor,
               uint8_t& build) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_object()) return Bad(field, "is missing or not an object");
  CR_ASSIGN_OR_RETURN(uint64_t a, Number(*it, "major", 255));
  CR_ASSIGN_OR_RETURN(uint64_t b, Number(*it, "minor", 255));
  CR_ASSIGN_OR_RETURN(uint64_t c, Number(*it, "build", 255));
  major = static_cast<uint8_t>(a);
  minor = static_cast<uint8_t>(b);
  build = static_cast<uint8_t>(c);
  return Status::OK();
}

Result<SnpReport> ReportFromJson(const json& j) {
  SnpReport r;
  constexpr uint64_t kU32 = 0xFFFFFFFFu, kU64 = ~0ull, kU8 = 255;
  CR_ASSIGN_OR_RETURN(uint64_t version, Number(j, "version", kU32));
  CR_ASSIGN_OR_RETURN(uint64_t guest_svn, Number(j, "guest_svn", kU32));
  CR_ASSIGN_OR_RETURN(r.policy, Number(j, "policy", kU64));
  CR_ASSIGN_OR_RETURN(uint64_t vmpl, Number(j, "vmpl", kU32));
  CR_ASSIGN_OR_RETURN(uint64_t sig_algo, Number(j, "sig_algo", kU32));
  CR_ASSIGN_OR_RETURN(r.platform_info, Number(j, "plat_info", kU64));
  CR_ASSIGN_OR_RETURN(uint64_t key_info, Number(j, "key_info", kU32));
  r.version = static_cast<uint32_t>(version);
  r.guest_svn = static_cast<uint32_t>(guest_svn);
  r.vmpl = static_cast<uint32_t>(vmpl);
  r.signature_algo = static_cast<uint32_t>(sig_algo);
  r.key_info = static_cast<uint32_t>(key_info);
  CR_RETURN_IF_ERROR(ByteArray(j, "family_id", r.family_id));
  CR_RETURN_IF_ERROR(ByteArray(j, "image_id", r.image_id));
  CR_RETURN_IF_ERROR(ByteArray(j, "report_data", r.report_data));
  CR_RETURN_IF_ERROR(ByteArray(j, "measurement", r.measurement));
  CR_RETURN_IF_ERROR(ByteArray(j, "host_data", r.host_data));
  CR_RETURN_IF_ERROR(ByteArray(j, "id_key_digest", r.id_key_digest));
  CR_RETURN_IF_ERROR(ByteArray(j, "author_key_digest", r.author_key_digest));
  CR_RETURN_IF_ERROR(ByteArray(j, "report_id", r.report_id));
  CR_RETURN_IF_ERROR(ByteArray(j, "report_id_ma", r.report_id_ma));
  CR_RETURN_IF_ERROR(ByteArray(j, "chip_id", r.chip_id));
  CR_ASSIGN_OR_RETURN(r.current_tcb, Tcb(j, "current_tcb"));
  CR_ASSIGN_OR_RETURN(r.reported_tcb, Tcb(j, "reported_tcb"));
  CR_ASSIGN_OR_RETURN(r.committed_tcb, Tcb(j, "committed_tcb"));
  CR_ASSIGN_OR_RETURN(r.launch_tcb, Tcb(j, "launch_tcb"));
  if (r.version >= 3) {
    CR_ASSIGN_OR_RETURN(uint64_t family, Number(j, "cpuid_fam_id", kU8));
    CR_ASSIGN_OR_RETURN(uint64_t model, Number(j, "cpuid_mod_id", kU8));
    CR_ASSIGN_OR_RETURN(uint64_t stepping, Number(j, "cpuid_step", kU8));
    r.cpuid_family = static_cast<uint8_t>(family);
    r.cpuid_model = static_cast<uint8_t>(model);
    r.cpuid_stepping = static_cast<uint8_t>(stepping);
  }
  if (r.version >= 5) {
    CR_ASSIGN_OR_RETURN(r.launch_mit_vector, Number(j, "launch_mit_vector", kU64));
    CR_ASSIGN_OR_RETURN(r.current_mit_vector, Number(j, "current_mit_vector", kU64));
  }
  CR_RETURN_IF_ERROR(Version(j, "current", r.current_major, r.current_minor, r.current_build));
  CR_RETURN_IF_ERROR(
      Version(j, "committed", r.committed_major, r.committed_minor, r.committed_build));
  auto signature = j.find("signature");
  if (signature == j.end() || !signature->is_object()) return Bad("signature", "is missing");
  CR_RETURN_IF_ERROR(ByteArray(*signature, "r", r.signature_r));
  CR_RETURN_IF_ERROR(ByteArray(*signature, "s", r.signature_s));
  return r;
}

}  // namespace

Result<Evidence> EvidenceFromTrusteeJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("trustee evidence is not a JSON object");
  }
  auto report_json = j.find("attestation_report");
  if (report_json == j.end() || !report_json->is_object()) {
    return Status::InvalidArgument("trustee evidence lacks the attestation_report object");
  }
  CR_ASSIGN_OR_RETURN(SnpReport report, ReportFromJson(*report_json));
  Evidence evidence;
  evidence.kind = EvidenceKind::kSevSnp;
  evidence.report = SerializeSnpReport(report);
  auto chain = j.find("cert_chain");
  if (chain == j.end() || !chain->is_array()) {
    return Status::InvalidArgument("trustee evidence lacks the cert_chain array");
  }
  std::vector<Bytes> others;
  for (size_t i = 0; i < chain->size(); ++i) {
    const json& entry = (*chain)[i];
    auto type = entry.find("cert_type");
    auto data = entry.find("data");
    std::string where = "trustee evidence field cert_chain[" + std::to_string(i) + "]";
    if (!entry.is_object() || type == entry.end() || !type->is_string() || data == entry.end() ||
        !data->is_array()) {
      return Status::InvalidArgument(where + " needs cert_type and data");
    }
    Bytes der;
    for (const json& b : *data) {
      if (!b.is_number_unsigned() || b.get<uint64_t>() > 255) {
        return Status::InvalidArgument(where + ".data holds a non-byte");
      }
      der.push_back(static_cast<uint8_t>(b.get<uint64_t>()));
    }
    std::string cert_type = type->get<std::string>();
    if (cert_type == "VCEK" || cert_type == "VLEK") {
      evidence.certificates.insert(evidence.certificates.begin(), std::move(der));
    } else {
      others.push_back(std::move(der));
    }
  }
  if (evidence.certificates.empty()) {
    return Status::InvalidArgument("trustee evidence cert_chain holds no VCEK or VLEK");
  }
  evidence.certificates.insert(evidence.certificates.end(), others.begin(), others.end());
  return evidence;
}

}  // namespace cleanroom::attest
