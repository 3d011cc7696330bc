// `cleanroom attest verify`: verifies an AMD SEV-SNP attestation report (or a cleanroom evidence
// JSON file) and prints the verdict and the report's fields.
//   exit 0: valid; 1: invalid (the verdict says why); 2: bad usage or unreadable input.
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

#include "attest/amd_chain.h"
#include "attest/evidence.h"
#include "attest/policy.h"
#include "attest/rfc3339.h"
#include "attest/snp_verifier.h"
#include "base/file.h"
#include "cli/command_registry.h"

namespace cleanroom::cli {
namespace {

using attest::Certificate;

struct VerifyOptions {
  std::string report_path;
  std::string evidence_path;
  std::string vcek_path;
  std::string vlek_path;
  std::string chain_path;
  std::string at;
  std::string policy_path;
  bool json = false;
};

Result<std::vector<Certificate>> ReadCertificates(const std::string& path) {
  CR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  return Certificate::ParseAll(AsBytes(data), path);
}

// Verifies and prints; returns the exit code.
Result<int> RunVerify(const VerifyOptions& options) {
  std::time_t at = std::time(nullptr);
  if (!options.at.empty()) {
    auto parsed = attest::ParseRfc3339(options.at);
    if (!parsed.ok()) return parsed.status().WithContext("--at");
    at = *parsed;
  }
  attest::Policy policy;
  if (!options.policy_path.empty()) {
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(options.policy_path));
    auto parsed = attest::Policy::FromJson(text);
    if (!parsed.ok()) return parsed.status().WithContext(options.policy_path);
    policy = std::move(parsed).value();
  }

  attest::Verdict verdict;
  if (!options.evidence_path.empty()) {
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(options.evidence_path));
    auto evidence = attest::ParseEvidenceJson(text);
    if (!evidence.ok()) return evidence.status().WithContext(options.evidence_path);
    verdict = attest::VerifyEvidence(*evidence, policy, at);
  } else {
    CR_ASSIGN_OR_RETURN(std::string report, ReadFileToString(options.report_path));
    bool vlek = !options.vlek_path.empty();
    CR_ASSIGN_OR_RETURN(std::vector<Certificate> vek_file,
                        ReadCertificates(vlek ? options.vlek_path : options.vcek_path));
    // Certificates after the first in the VCEK/VLEK file, then the chain file, then the
    // embedded AMD authorities: roots are pinned, so extra certificates cannot add trust.
    std::vector<Certificate> authorities(vek_file.begin() + 1, vek_file.end());
    if (!options.chain_path.empty()) {
      CR_ASSIGN_OR_RETURN(std::vector<Certificate> chain, ReadCertificates(options.chain_path));
      authorities.insert(authorities.end(), chain.begin(), chain.end());
    }
    const auto& embedded = attest::EmbeddedAmdCertificates();
    authorities.insert(authorities.end(), embedded.begin(), embedded.end());
    verdict = attest::VerifySnpReport(AsBytes(report), vek_file[0],
                                      vlek ? attest::VekKind::kVlek : attest::VekKind::kVcek,
                                      authorities, policy, at);
  }

  if (options.json) {
    nlohmann::ordered_json j = verdict.ToJson();
    j["verified_at"] = attest::FormatRfc3339(at);
    // Certificate names are text from the input: never let odd UTF-8 abort the output.
    std::printf("%s\n",
                j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  } else {
    std::printf("%sverified at: %s\n", verdict.ToText().c_str(), attest::FormatRfc3339(at).c_str());
  }
  return verdict.valid() ? 0 : 1;
}

void SetupAttest(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "attest", "Verify attestation evidence");
  CLI::App* verify = group->add_subcommand(
      "verify", "Verify an AMD SEV-SNP report (or cleanroom evidence JSON) and print the verdict");
  auto options = std::make_shared<VerifyOptions>();
  CLI::Option* report =
      verify->add_option("--report", options->report_path, "SEV-SNP report (1184 bytes)");
  CLI::Option* evidence = verify->add_option(
      "--evidence", options->evidence_path,
      "cleanroom evidence JSON (sev-snp or simulated) instead of --report and --vcek/--vlek");
  CLI::Option* vcek = verify->add_option("--vcek", options->vcek_path,
                                         "VCEK certificate (DER or PEM; PEM may append ASK, ARK)");
  CLI::Option* vlek = verify->add_option("--vlek", options->vlek_path,
                                         "VLEK certificate (DER or PEM; PEM may append ASVK, ARK)");
  CLI::Option* chain = verify->add_option(
      "--chain", options->chain_path,
      "ASK/ASVK and ARK certificates (PEM); the AMD ones are built in and the ARKs pinned");
  verify->add_option("--at", options->at, "verification time, RFC 3339 (default: now)");
  verify->add_option("--policy", options->policy_path, "policy JSON (see docs/attestation.md)");
  verify->add_flag("--json", options->json, "print the verdict as JSON");
  vcek->excludes(vlek);
  evidence->excludes(report)->excludes(vcek)->excludes(vlek)->excludes(chain);
  verify->callback([options, report, evidence, vcek, vlek, &exit_code] {
    if (evidence->count() == 0 && (report->count() == 0 || vcek->count() + vlek->count() == 0)) {
      std::fprintf(stderr,
                   "cleanroom attest verify: give --report FILE with --vcek FILE or --vlek FILE "
                   "(or --evidence FILE)\n");
      exit_code.value = 2;
      return;
    }
    Result<int> rc = RunVerify(*options);
    if (!rc.ok()) {
      // Unreadable or malformed inputs (files, certificates, policy, time) are exit code 2.
      std::fprintf(stderr, "cleanroom: %s\n", rc.status().ToString().c_str());
      exit_code.value = 2;
      return;
    }
    exit_code.value = *rc;
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupAttest);
}  // namespace cleanroom::cli
