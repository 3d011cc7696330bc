// `cleanroom runtime init-platform --out DIR`: makes the local platform key that signs
// simulated (INSECURE) attestation evidence, and `cleanroom runtime simulate-evidence`, which
// produces such evidence for a measurement and report_data (development and tests).
#include <cstdio>
#include <string>

#include "attest/simulated.h"
#include "base/file.h"
#include "cli/command_registry.h"

namespace cleanroom::cli {
namespace {

constexpr char kWarning[] =
    "WARNING: simulated attestation is INSECURE: anyone holding this key can sign any report. "
    "Use it for development and tests only, and allow the 'simulated' evidence kind only in "
    "such collaborations.\n";

Status InitPlatform(const std::string& dir) {
  CR_ASSIGN_OR_RETURN(attest::PlatformKey key, attest::PlatformKey::Generate());
  CR_RETURN_IF_ERROR(key.Save(dir));
  std::printf("simulated platform key written to %s/%s (certificate %s/%s)\n", dir.c_str(),
              std::string(attest::kPlatformKeyFile).c_str(), dir.c_str(),
              std::string(attest::kPlatformCertFile).c_str());
  std::printf(
      "platform key id (SHA-256 of the public key; list it in a policy's "
      "simulated_platform_keys): %s\n",
      HexEncode(key.PublicKeySha256()).c_str());
  std::fputs(kWarning, stdout);
  return Status::OK();
}

struct SimulateOptions {
  std::string platform_dir;
  std::string measurement_hex;
  std::string report_data_hex;
  std::string out;
};

Status SimulateEvidence(const SimulateOptions& options) {
  CR_ASSIGN_OR_RETURN(attest::PlatformKey key, attest::PlatformKey::Load(options.platform_dir));
  auto measurement = HexDecode(options.measurement_hex);
  if (!measurement.ok()) return measurement.status().WithContext("--measurement");
  Bytes report_data(64, 0);
  if (!options.report_data_hex.empty()) {
    auto decoded = HexDecode(options.report_data_hex);
    if (!decoded.ok()) return decoded.status().WithContext("--report-data");
    report_data = std::move(decoded).value();
  }
  CR_ASSIGN_OR_RETURN(attest::Evidence evidence,
                      attest::ProduceSimulatedEvidence(key, *measurement, report_data));
  CR_RETURN_IF_ERROR(WriteFileAtomic(options.out, attest::SerializeEvidenceJson(evidence) + "\n"));
  std::printf("simulated evidence (INSECURE) written to %s\n", options.out.c_str());
  return Status::OK();
}

void SetupRuntimePlatform(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "runtime", "The clean-room runtime");
  CLI::App* init = group->add_subcommand(
      "init-platform", "Make the local platform key for simulated (INSECURE) attestation");
  auto dir = std::make_shared<std::string>();
  init->add_option("--out", *dir, "directory for platform_key.pem and platform_cert.pem")
      ->required();
  init->callback([dir, &exit_code] {
    Status status = InitPlatform(*dir);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });

  CLI::App* simulate = group->add_subcommand(
      "simulate-evidence", "Produce simulated (INSECURE) evidence signed by the platform key");
  auto options = std::make_shared<SimulateOptions>();
  simulate->add_option("--platform", options->platform_dir, "directory made by init-platform")
      ->required();
  simulate->add_option("--measurement", options->measurement_hex, "measurement, 96 hex digits")
      ->required();
  simulate->add_option("--report-data", options->report_data_hex,
                       "report_data, 128 hex digits (default: zeros)");
  simulate->add_option("--out", options->out, "evidence JSON file to write")->required();
  simulate->callback([options, &exit_code] {
    Status status = SimulateEvidence(*options);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupRuntimePlatform);
}  // namespace cleanroom::cli
