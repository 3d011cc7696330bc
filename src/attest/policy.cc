#include "attest/policy.h"

#include <algorithm>

namespace cleanroom::attest {
namespace {

using nlohmann::json;

Result<Bytes> HexField(const json& value, std::string_view field, size_t size) {
  if (!value.is_string()) {
    return Status::InvalidArgument("policy field " + std::string(field) + " must be a hex string");
  }
  auto bytes = HexDecode(value.get<std::string>());
  if (!bytes.ok() || bytes->size() != size) {
    return Status::InvalidArgument("policy field " + std::string(field) + " must be " +
                                   std::to_string(size * 2) + " hex digits");
  }
  return std::move(bytes).value();
}

Result<std::vector<Bytes>> HexList(const json& value, std::string_view field, size_t size) {
  if (!value.is_array()) {
    return Status::InvalidArgument("policy field " + std::string(field) + " must be an array");
  }
  std::vector<Bytes> out;
  for (const json& item : value) {
    CR_ASSIGN_OR_RETURN(Bytes bytes, HexField(item, field, size));
    out.push_back(std::move(bytes));
  }
  return out;
}

Result<uint32_t> Unsigned(const json& value, std::string_view field, uint64_t max) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > max) {
    return Status::InvalidArgument("policy field " + std::string(field) +
                                   " must be an integer from 0 to " + std::to_string(max));
  }
  return static_cast<uint32_t>(value.get<uint64_t>());
}

Result<TcbVersion> TcbField(const json& value) {
  if (!value.is_object()) return Status::InvalidArgument("policy field min_tcb must be an object");
  TcbVersion tcb;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string name = "min_tcb." + it.key();
    CR_ASSIGN_OR_RETURN(uint32_t level, Unsigned(*it, name, 255));
    uint8_t v = static_cast<uint8_t>(level);
    if (it.key() == "bootloader")
      tcb.bootloader = v;
    else if (it.key() == "tee")
      tcb.tee = v;
    else if (it.key() == "snp")
      tcb.snp = v;
    else if (it.key() == "microcode")
      tcb.microcode = v;
    else if (it.key() == "fmc")
      tcb.fmc = v;
    else
      return Status::InvalidArgument("policy field " + name + " is unknown");
  }
  return tcb;
}

Status ReadField(const std::string& key, const json& value, Policy& policy) {
  if (key == "allowed_kinds") {
    if (!value.is_array())
      return Status::InvalidArgument("policy field allowed_kinds must be an array");
    policy.allowed_kinds.clear();
    for (const json& item : value) {
      if (!item.is_string())
        return Status::InvalidArgument("policy field allowed_kinds holds a non-string");
      CR_ASSIGN_OR_RETURN(EvidenceKind kind, ParseEvidenceKind(item.get<std::string>()));
      policy.allowed_kinds.insert(kind);
    }
  } else if (key == "allow_debug") {
    if (!value.is_boolean())
      return Status::InvalidArgument("policy field allow_debug must be a boolean");
    policy.allow_debug = value.get<bool>();
  } else if (key == "min_tcb") {
    CR_ASSIGN_OR_RETURN(policy.min_tcb, TcbField(value));
  } else if (key == "allowed_vmpls") {
    if (!value.is_array())
      return Status::InvalidArgument("policy field allowed_vmpls must be an array");
    policy.allowed_vmpls.emplace();
    for (const json& item : value) {
      CR_ASSIGN_OR_RETURN(uint32_t vmpl, Unsigned(item, "allowed_vmpls", 3));
      policy.allowed_vmpls->push_back(vmpl);
    }
  } else if (key == "min_guest_svn") {
    CR_ASSIGN_OR_RETURN(policy.min_guest_svn, Unsigned(value, key, 0xFFFFFFFFu));
  } else if (key == "allowed_products") {
    if (!value.is_array())
      return Status::InvalidArgument("policy field allowed_products must be an array");
    policy.allowed_products.emplace();
    for (const json& item : value) {
      std::optional<AmdProduct> product =
          item.is_string() ? ParseAmdProduct(item.get<std::string>()) : std::nullopt;
      if (!product) {
        return Status::InvalidArgument(
            "policy field allowed_products holds an unknown product "
            "(expected Milan, Genoa or Turin)");
      }
      policy.allowed_products->push_back(*product);
    }
  } else if (key == "measurements") {
    CR_ASSIGN_OR_RETURN(policy.allowed_measurements, HexList(value, key, 48));
  } else if (key == "report_data") {
    CR_ASSIGN_OR_RETURN(policy.expected_report_data, HexField(value, key, 64));
  } else if (key == "simulated_platform_keys") {
    CR_ASSIGN_OR_RETURN(policy.simulated_platform_keys, HexList(value, key, 32));
  } else {
    return Status::InvalidArgument("policy field " + key + " is unknown");
  }
  return Status::OK();
}

json HexArray(const std::vector<Bytes>& values) {
  json out = json::array();
  for (const Bytes& v : values) out.push_back(HexEncode(v));
  return out;
}

}  // namespace

Result<Policy> Policy::FromJson(std::string_view text) {
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Status::InvalidArgument("policy is not valid JSON");
  if (!document.is_object()) return Status::InvalidArgument("policy must be a JSON object");
  Policy policy;
  for (auto it = document.begin(); it != document.end(); ++it) {
    CR_RETURN_IF_ERROR(ReadField(it.key(), *it, policy));
  }
  return policy;
}

json Policy::ToJson() const {
  json j;
  j["allowed_kinds"] = json::array();
  for (EvidenceKind kind : allowed_kinds) j["allowed_kinds"].push_back(EvidenceKindName(kind));
  j["allow_debug"] = allow_debug;
  if (min_tcb) {
    j["min_tcb"] = {{"bootloader", min_tcb->bootloader},
                    {"tee", min_tcb->tee},
                    {"snp", min_tcb->snp},
                    {"microcode", min_tcb->microcode}};
    if (min_tcb->fmc) j["min_tcb"]["fmc"] = *min_tcb->fmc;
  }
  if (allowed_vmpls) j["allowed_vmpls"] = *allowed_vmpls;
  if (min_guest_svn) j["min_guest_svn"] = *min_guest_svn;
  if (allowed_products) {
    j["allowed_products"] = json::array();
    for (AmdProduct p : *allowed_products) j["allowed_products"].push_back(AmdProductName(p));
  }
  if (allowed_measurements) j["measurements"] = HexArray(*allowed_measurements);
  if (expected_report_data) j["report_data"] = HexEncode(*expected_report_data);
  if (!simulated_platform_keys.empty()) {
    j["simulated_platform_keys"] = HexArray(simulated_platform_keys);
  }
  return j;
}

std::optional<Refusal> ApplyPolicy(const SnpReport& report, AmdProduct product,
                                   const Policy& policy) {
  if (report.debug_allowed() && !policy.allow_debug) {
    return Refusal{VerdictReason::kDebugNotAllowed,
                   "the guest policy allows debugging (policy bit 19) and the verifier's policy "
                   "forbids it"};
  }
  if (policy.allowed_products &&
      std::find(policy.allowed_products->begin(), policy.allowed_products->end(), product) ==
          policy.allowed_products->end()) {
    return Refusal{VerdictReason::kProductNotAllowed,
                   "product " + std::string(AmdProductName(product)) + " is not allowed"};
  }
  if (policy.min_tcb) {
    TcbVersion reported = TcbVersion::Decode(report.reported_tcb, product);
    if (!reported.AtLeast(*policy.min_tcb)) {
      return Refusal{VerdictReason::kTcbTooLow, "reported TCB " + reported.ToString() +
                                                    " is below the minimum " +
                                                    policy.min_tcb->ToString()};
    }
  }
  if (policy.allowed_vmpls && std::find(policy.allowed_vmpls->begin(), policy.allowed_vmpls->end(),
                                        report.vmpl) == policy.allowed_vmpls->end()) {
    return Refusal{VerdictReason::kVmplNotAllowed,
                   "VMPL " + std::to_string(report.vmpl) + " is not allowed"};
  }
  if (policy.min_guest_svn && report.guest_svn < *policy.min_guest_svn) {
    return Refusal{VerdictReason::kGuestSvnTooLow, "guest SVN " + std::to_string(report.guest_svn) +
                                                       " is below the minimum " +
                                                       std::to_string(*policy.min_guest_svn)};
  }
  if (policy.allowed_measurements) {
    ByteSpan measurement(report.measurement.data(), report.measurement.size());
    bool found =
        std::any_of(policy.allowed_measurements->begin(), policy.allowed_measurements->end(),
                    [&](const Bytes& m) { return ConstantTimeEquals(m, measurement); });
    if (!found) {
      return Refusal{VerdictReason::kMeasurementNotAllowed,
                     "the launch measurement is not in the allowed list"};
    }
  }
  if (policy.expected_report_data &&
      !ConstantTimeEquals(*policy.expected_report_data,
                          ByteSpan(report.report_data.data(), report.report_data.size()))) {
    return Refusal{VerdictReason::kReportDataMismatch,
                   "report_data does not equal the expected binding"};
  }
  return std::nullopt;
}

}  // namespace cleanroom::attest
