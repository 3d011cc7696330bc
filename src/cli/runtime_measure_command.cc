// `cleanroom runtime measure`: the runtime's measurement (SHA-384 over this binary and the
// libduckdb it loads), for the contract's allowedMeasurements.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "runtime/measurement.h"

namespace cleanroom::cli {
namespace {

struct MeasureFlags {
  bool verbose = false;
  std::string engine = "embedded";
  std::string spark_home;
  std::string spark_jar;
};

void SetupRuntimeMeasure(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "runtime", "The clean-room runtime");
  auto flags = std::make_shared<MeasureFlags>();
  CLI::App* m = group->add_subcommand(
      "measure", "Print the runtime measurement (SHA-384 over cleanroom and libduckdb)");
  m->add_flag("--verbose", flags->verbose, "Also print the files measured and their hashes");
  m->add_option("--engine", flags->engine,
                "embedded, or spark (also our jar and the Spark distribution: docs/spark.md)")
      ->capture_default_str();
  m->add_option("--spark-home", flags->spark_home,
                "with --engine spark: Spark's installation (default $SPARK_HOME)");
  m->add_option("--spark-jar", flags->spark_jar,
                "with --engine spark: the cleanroom-spark jar (default $CLEANROOM_SPARK_JAR)");
  m->callback([flags, &exit_code] {
    Result<runtime::Measurement> measurement =
        Status::InvalidArgument("--engine must be embedded or spark");
    if (flags->engine == "embedded" && flags->spark_home.empty() && flags->spark_jar.empty()) {
      measurement = runtime::MeasureRuntime();
    } else if (flags->engine == "spark") {
      measurement = runtime::MeasureSparkRuntime(flags->spark_home, flags->spark_jar);
    } else if (flags->engine == "embedded") {
      measurement = Status::InvalidArgument("--spark-home and --spark-jar need --engine spark");
    }
    if (!measurement.ok()) {
      exit_code.value = ReportError(measurement.status());
      return;
    }
    if (flags->verbose) {
      std::printf("binary   %s\n  sha384 %s\nlibduckdb %s\n  sha384 %s\n",
                  measurement->binary_path.c_str(), measurement->binary_sha384.c_str(),
                  measurement->duckdb_path.c_str(), measurement->duckdb_sha384.c_str());
      if (!measurement->spark_jar_path.empty()) {
        std::printf("spark jar %s\n  sha384 %s\nspark %s (bin/, jars/)\n  sha384 %s\n",
                    measurement->spark_jar_path.c_str(), measurement->spark_jar_sha384.c_str(),
                    measurement->spark_home.c_str(), measurement->spark_sha384.c_str());
      }
    }
    std::printf("%s\n", measurement->value.c_str());
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupRuntimeMeasure);
}  // namespace cleanroom::cli
