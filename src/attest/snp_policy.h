#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "attest/snp_report.h"
#include "attest/snp_tcb.h"
#include "attest/verdict.h"
#include "base/status.h"

namespace cleanroom::attest {

// Platform information bits (PLATFORM_INFO at 0x1B0 of the report's layout, word at 0x40).
inline constexpr uint64_t kSnpPlatformSmtEnabled = 1ull << 0;

// What a verifier requires of an authentic SEV-SNP report's platform and guest policy (AMD
// SEV-SNP ABI, "Guest Policy" and "ATTESTATION_REPORT Structure"). Simulated reports have the
// same layout and are checked the same way. A member left at its default is the verifier's
// default (see the JSON form below for what a contract gets).
struct SnpPolicy {
  bool allow_debug = false;            // Guest policy bit 19 (DEBUG).
  bool allow_migration_agent = false;  // Guest policy bit 18 (MIGRATE_MA).
  // PLATFORM_INFO bit 0 (SMT_EN): the platform runs with simultaneous multithreading on.
  bool allow_smt = true;
  std::optional<TcbVersion> min_tcb;                   // Compared with reported_tcb.
  std::optional<std::vector<uint32_t>> allowed_vmpls;  // Absent: any VMPL.
  uint32_t min_guest_svn = 0;
  std::optional<std::vector<AmdProduct>> allowed_products;  // Absent: any pinned product.

  // The contract form (docs/attestation.md, "SEV-SNP policy in a contract"), a JSON object:
  // {"minTcb": {"bootloader","tee","snp","microcode"[,"fmc"]} (required), "minGuestSvn",
  //  "allowedVmpls" (default [0]), "allowDebug" (only false), "allowMigrationAgent" (default
  //  false), "allowSmt" (default true), "allowedProducts"}. InvalidArgument naming the field
  // (prefixed with `context`, e.g. "contract.snpPolicy") for an unknown field, a missing minTcb,
  // a wrong type or value.
  static Result<SnpPolicy> FromJson(const nlohmann::json& value, std::string_view context);
  // What a contract that states no policy gets (it may not when it allows sev-snp evidence):
  // debug and migration agent forbidden, VMPL 0 only, SMT allowed, no TCB or SVN minimum.
  static SnpPolicy ContractDefaults();
  // The contract form, every field written (FromJson(ToJson()) gives the same policy).
  nlohmann::json ToJson() const;
};

// {"bootloader","tee","snp","microcode"[,"fmc"]}, each 0..255. `require_all`: the four
// components of every product must be present. InvalidArgument naming `context`.
Result<TcbVersion> ParseMinTcb(const nlohmann::json& value, std::string_view context,
                               bool require_all);
nlohmann::json MinTcbToJson(const TcbVersion& tcb);

// Checks an authentic report of `product` against `policy`. Returns the first refusal, in this
// order: debug, migration agent, SMT, product, TCB, VMPL, guest SVN.
std::optional<Refusal> Check(const SnpReport& report, AmdProduct product, const SnpPolicy& policy);

}  // namespace cleanroom::attest
