// `cleanroom runtime measure`: the runtime's measurement (SHA-384 over this binary and the
// libduckdb it loads), for the contract's allowedMeasurements.
#include <cstdio>
#include <memory>

#include "cli/command_registry.h"
#include "runtime/measurement.h"

namespace cleanroom::cli {
namespace {

void SetupRuntimeMeasure(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "runtime", "The clean-room runtime");
  auto verbose = std::make_shared<bool>(false);
  CLI::App* m = group->add_subcommand(
      "measure", "Print the runtime measurement (SHA-384 over cleanroom and libduckdb)");
  m->add_flag("--verbose", *verbose, "Also print the files measured and their hashes");
  m->callback([verbose, &exit_code] {
    auto measurement = runtime::MeasureRuntime();
    if (!measurement.ok()) {
      exit_code.value = ReportError(measurement.status());
      return;
    }
    if (*verbose) {
      std::printf("binary   %s\n  sha384 %s\nlibduckdb %s\n  sha384 %s\n",
                  measurement->binary_path.c_str(), measurement->binary_sha384.c_str(),
                  measurement->duckdb_path.c_str(), measurement->duckdb_sha384.c_str());
    }
    std::printf("%s\n", measurement->value.c_str());
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupRuntimeMeasure);
}  // namespace cleanroom::cli
