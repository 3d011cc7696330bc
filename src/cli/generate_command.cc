// `cleanroom generate`: writes the synthetic three-party clean-room workload (the advertiser's
// customers, the publisher's impressions, the measurement partner's conversions).
#include <cstdio>
#include <string>

#include "cli/command_registry.h"
#include "workload/generator.h"

namespace cleanroom::cli {
namespace {

struct GenerateFlags {
  std::string out;
  uint64_t customers = 1'000'000;
  uint64_t seed = 42;
  std::string format = "csv";
  size_t threads = 0;
};

Status RunGenerate(const GenerateFlags& flags) {
  if (flags.format != "csv") {
    return Status::Unimplemented("generate --format " + flags.format +
                                 ": only csv is written yet (parquet comes with the engine)");
  }
  workload::WorkloadOptions options;
  options.customers = flags.customers;
  options.seed = flags.seed;
  options.threads = flags.threads;
  CR_ASSIGN_OR_RETURN(workload::WorkloadSummary summary,
                      workload::GenerateWorkload(options, flags.out));
  std::printf("customers %llu (publisher reaches %llu), impressions %llu (%llu to customers), "
              "conversions %llu\n",
              static_cast<unsigned long long>(summary.customers),
              static_cast<unsigned long long>(summary.reachable_customers),
              static_cast<unsigned long long>(summary.impressions),
              static_cast<unsigned long long>(summary.impressions_to_customers),
              static_cast<unsigned long long>(summary.conversions));
  for (const std::string& file : summary.files) std::printf("wrote %s\n", file.c_str());
  return Status::OK();
}

void SetupGenerate(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<GenerateFlags>();
  CLI::App* cmd = root.add_subcommand(
      "generate", "Write a synthetic clean-room workload: customers, impressions, conversions");
  cmd->add_option("--out", flags->out, "Directory to write the tables into")->required();
  cmd->add_option("--customers", flags->customers,
                  "Advertiser customers (impressions are ten per customer)")
      ->capture_default_str();
  cmd->add_option("--seed", flags->seed, "Seed: the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_option("--format", flags->format, "Output format")
      ->check(CLI::IsMember({"csv", "parquet"}))
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Worker threads (0: one per core)")
      ->capture_default_str();
  cmd->callback([flags, &exit_code] {
    Status status = RunGenerate(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupGenerate);
}  // namespace cleanroom::cli
