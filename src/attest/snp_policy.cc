#include "attest/snp_policy.h"

#include <algorithm>
#include <string>

namespace cleanroom::attest {
namespace {

using nlohmann::json;

std::string Field(std::string_view context, std::string_view name) {
  return std::string(context) + "." + std::string(name);
}

Result<uint32_t> Unsigned(const json& value, const std::string& field, uint64_t max) {
  // Parsed text holds non-negative integers as unsigned, a document built in code as signed.
  bool in_range = value.is_number_unsigned()
                      ? value.get<uint64_t>() <= max
                      : value.is_number_integer() && value.get<int64_t>() >= 0 &&
                            static_cast<uint64_t>(value.get<int64_t>()) <= max;
  if (!in_range) {
    return Status::InvalidArgument(field + ": must be an integer from 0 to " + std::to_string(max));
  }
  return static_cast<uint32_t>(value.get<uint64_t>());
}

Result<bool> Boolean(const json& value, const std::string& field) {
  if (!value.is_boolean()) return Status::InvalidArgument(field + ": must be true or false");
  return value.get<bool>();
}

Result<std::vector<uint32_t>> Vmpls(const json& value, const std::string& field) {
  if (!value.is_array() || value.empty() || value.size() > 4) {
    return Status::InvalidArgument(field + ": must be a list of 1 to 4 VMPLs (0 to 3)");
  }
  std::vector<uint32_t> vmpls;
  for (const json& item : value) {
    CR_ASSIGN_OR_RETURN(uint32_t vmpl, Unsigned(item, field, 3));
    vmpls.push_back(vmpl);
  }
  return vmpls;
}

Result<std::vector<AmdProduct>> Products(const json& value, const std::string& field) {
  if (!value.is_array() || value.empty() || value.size() > 3) {
    return Status::InvalidArgument(field + ": must be a list of Milan, Genoa, Turin");
  }
  std::vector<AmdProduct> products;
  for (const json& item : value) {
    std::optional<AmdProduct> product =
        item.is_string() ? ParseAmdProduct(item.get<std::string>()) : std::nullopt;
    if (!product || *product == AmdProduct::kUnknown) {
      return Status::InvalidArgument(field + ": unknown product (expected Milan, Genoa or Turin)");
    }
    products.push_back(*product);
  }
  return products;
}

template <typename T>
bool Contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Result<TcbVersion> ParseMinTcb(const json& value, std::string_view context, bool require_all) {
  if (!value.is_object()) {
    return Status::InvalidArgument(std::string(context) + ": must be an object");
  }
  TcbVersion tcb;
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string name = Field(context, it.key());
    CR_ASSIGN_OR_RETURN(uint32_t level, Unsigned(*it, name, 255));
    uint8_t v = static_cast<uint8_t>(level);
    if (it.key() == "bootloader") {
      tcb.bootloader = v;
    } else if (it.key() == "tee") {
      tcb.tee = v;
    } else if (it.key() == "snp") {
      tcb.snp = v;
    } else if (it.key() == "microcode") {
      tcb.microcode = v;
    } else if (it.key() == "fmc") {
      tcb.fmc = v;
    } else {
      return Status::InvalidArgument(name + ": unknown field");
    }
  }
  if (require_all) {
    for (const char* component : {"bootloader", "tee", "snp", "microcode"}) {
      if (!value.contains(component)) {
        return Status::InvalidArgument(Field(context, component) + ": required");
      }
    }
  }
  return tcb;
}

json MinTcbToJson(const TcbVersion& tcb) {
  json j = {{"bootloader", tcb.bootloader},
            {"tee", tcb.tee},
            {"snp", tcb.snp},
            {"microcode", tcb.microcode}};
  if (tcb.fmc) j["fmc"] = *tcb.fmc;
  return j;
}

SnpPolicy SnpPolicy::ContractDefaults() {
  SnpPolicy policy;
  // VMPL 0 only: the most privileged level of the guest, the one no other software in the guest
  // (an SVSM or paravisor) can read.
  policy.allowed_vmpls = std::vector<uint32_t>{0};
  return policy;
}

Result<SnpPolicy> SnpPolicy::FromJson(const json& value, std::string_view context) {
  if (!value.is_object()) {
    return Status::InvalidArgument(std::string(context) + ": must be an object");
  }
  SnpPolicy policy = ContractDefaults();
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& key = it.key();
    std::string field = Field(context, key);
    if (key == "minTcb") {
      CR_ASSIGN_OR_RETURN(policy.min_tcb, ParseMinTcb(*it, field, /*require_all=*/true));
    } else if (key == "minGuestSvn") {
      CR_ASSIGN_OR_RETURN(policy.min_guest_svn, Unsigned(*it, field, 0xFFFFFFFFu));
    } else if (key == "allowedVmpls") {
      CR_ASSIGN_OR_RETURN(policy.allowed_vmpls, Vmpls(*it, field));
    } else if (key == "allowDebug") {
      CR_ASSIGN_OR_RETURN(bool allow, Boolean(*it, field));
      // A debug guest's memory and registers can be read by the hypervisor: keys never go there.
      if (allow) return Status::InvalidArgument(field + ": debug guests never receive keys");
    } else if (key == "allowMigrationAgent") {
      CR_ASSIGN_OR_RETURN(policy.allow_migration_agent, Boolean(*it, field));
    } else if (key == "allowSmt") {
      CR_ASSIGN_OR_RETURN(policy.allow_smt, Boolean(*it, field));
    } else if (key == "allowedProducts") {
      CR_ASSIGN_OR_RETURN(policy.allowed_products, Products(*it, field));
    } else {
      return Status::InvalidArgument(field + ": unknown field");
    }
  }
  // No minimum is safe by default: zero accepts firmware with published vulnerabilities, and a
  // built-in value goes stale. The members state it.
  if (!policy.min_tcb) return Status::InvalidArgument(Field(context, "minTcb") + ": required");
  return policy;
}

json SnpPolicy::ToJson() const {
  json j = {{"allowDebug", allow_debug},
            {"allowMigrationAgent", allow_migration_agent},
            {"allowSmt", allow_smt},
            {"minGuestSvn", min_guest_svn}};
  if (min_tcb) j["minTcb"] = MinTcbToJson(*min_tcb);
  if (allowed_vmpls) j["allowedVmpls"] = *allowed_vmpls;
  if (allowed_products) {
    j["allowedProducts"] = json::array();
    for (AmdProduct p : *allowed_products) j["allowedProducts"].push_back(AmdProductName(p));
  }
  return j;
}

std::optional<Refusal> Check(const SnpReport& report, AmdProduct product, const SnpPolicy& policy) {
  if ((report.policy & kSnpPolicyDebug) != 0 && !policy.allow_debug) {
    return Refusal{VerdictReason::kDebugNotAllowed,
                   "the guest policy allows debugging (policy bit 19) and the verifier's policy "
                   "forbids it"};
  }
  if ((report.policy & kSnpPolicyMigrateMa) != 0 && !policy.allow_migration_agent) {
    return Refusal{VerdictReason::kMigrationAgentNotAllowed,
                   "the guest policy allows a migration agent (policy bit 18) and the verifier's "
                   "policy forbids it"};
  }
  if ((report.platform_info & kSnpPlatformSmtEnabled) != 0 && !policy.allow_smt) {
    return Refusal{VerdictReason::kSmtNotAllowed,
                   "the platform runs with SMT enabled (platform info bit 0) and the verifier's "
                   "policy forbids it"};
  }
  if (policy.allowed_products && !Contains(*policy.allowed_products, product)) {
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
  if (policy.allowed_vmpls && !Contains(*policy.allowed_vmpls, report.vmpl)) {
    return Refusal{VerdictReason::kVmplNotAllowed,
                   "VMPL " + std::to_string(report.vmpl) + " is not allowed"};
  }
  if (report.guest_svn < policy.min_guest_svn) {
    return Refusal{VerdictReason::kGuestSvnTooLow, "guest SVN " + std::to_string(report.guest_svn) +
                                                       " is below the minimum " +
                                                       std::to_string(policy.min_guest_svn)};
  }
  return std::nullopt;
}

}  // namespace cleanroom::attest
