#include "attest/policy.h"

#include <algorithm>

#include "attest/snp_policy.h"

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
  } else if (key == "allow_debug" || key == "allow_migration_agent" || key == "allow_smt") {
    if (!value.is_boolean())
      return Status::InvalidArgument("policy field " + key + " must be a boolean");
    bool& flag = key == "allow_debug"             ? policy.snp.allow_debug
                 : key == "allow_migration_agent" ? policy.snp.allow_migration_agent
                                                  : policy.snp.allow_smt;
    flag = value.get<bool>();
  } else if (key == "min_tcb") {
    CR_ASSIGN_OR_RETURN(policy.snp.min_tcb,
                        ParseMinTcb(value, "policy field min_tcb", /*require_all=*/false));
  } else if (key == "allowed_vmpls") {
    if (!value.is_array())
      return Status::InvalidArgument("policy field allowed_vmpls must be an array");
    policy.snp.allowed_vmpls.emplace();
    for (const json& item : value) {
      CR_ASSIGN_OR_RETURN(uint32_t vmpl, Unsigned(item, "allowed_vmpls", 3));
      policy.snp.allowed_vmpls->push_back(vmpl);
    }
  } else if (key == "min_guest_svn") {
    CR_ASSIGN_OR_RETURN(policy.snp.min_guest_svn, Unsigned(value, key, 0xFFFFFFFFu));
  } else if (key == "allowed_products") {
    if (!value.is_array())
      return Status::InvalidArgument("policy field allowed_products must be an array");
    policy.snp.allowed_products.emplace();
    for (const json& item : value) {
      std::optional<AmdProduct> product =
          item.is_string() ? ParseAmdProduct(item.get<std::string>()) : std::nullopt;
      if (!product) {
        return Status::InvalidArgument(
            "policy field allowed_products holds an unknown product "
            "(expected Milan, Genoa or Turin)");
      }
      policy.snp.allowed_products->push_back(*product);
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
  j["allow_debug"] = snp.allow_debug;
  j["allow_migration_agent"] = snp.allow_migration_agent;
  j["allow_smt"] = snp.allow_smt;
  if (snp.min_tcb) j["min_tcb"] = MinTcbToJson(*snp.min_tcb);
  if (snp.allowed_vmpls) j["allowed_vmpls"] = *snp.allowed_vmpls;
  if (snp.min_guest_svn != 0) j["min_guest_svn"] = snp.min_guest_svn;
  if (snp.allowed_products) {
    j["allowed_products"] = json::array();
    for (AmdProduct p : *snp.allowed_products) j["allowed_products"].push_back(AmdProductName(p));
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
  if (auto refusal = Check(report, product, policy.snp)) return refusal;
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
