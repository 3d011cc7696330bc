// `cleanroom sqllogictest`: runs sqllogictest scripts through our front end and the engine.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "runtime/spark_driver.h"
#include "slt/runner.h"
#include "slt/skip_list.h"

namespace cleanroom::cli {
namespace {

struct SltRequest {
  std::string dialect = "spark";
  std::vector<std::string> files;
  std::string skip_list;
  double min_pass_rate = -1;  // percent; < 0: every non-skipped record must pass
  bool verbose = false;
  bool check_error_messages = false;
  size_t jobs = 0;
  std::string engine = "duckdb";      // --engine: where policy-checked queries run
  runtime::SparkDriverOptions spark;  // --spark-master, --spark-home, --spark-jar
};

int RunSlt(const SltRequest& request) {
  slt::RunnerOptions options;
  if (request.dialect == "sqlite") {
    options.dialect = sql::Dialect::kSqlite;
  } else if (request.dialect == "duckdb") {
    options.dialect = sql::Dialect::kDuckdb;
  } else if (request.dialect != "spark") {
    return ReportError(Status::InvalidArgument("--dialect must be spark, sqlite or duckdb"));
  }
  slt::SkipList skip_list;
  if (!request.skip_list.empty()) {
    auto loaded = slt::SkipList::Load(request.skip_list);
    if (!loaded.ok()) return ReportError(loaded.status());
    skip_list = std::move(loaded).value();
    options.skip_list = &skip_list;
  }
  options.verbose = request.verbose;
  options.check_error_messages = request.check_error_messages;
  options.jobs = request.jobs;
  std::unique_ptr<runtime::SparkDriver> spark;
  if (request.engine == "spark") {
    if (request.spark.master.empty()) {
      return ReportError(Status::InvalidArgument(
          "--engine spark needs --spark-master spark://HOST:PORT or local[N]"));
    }
    auto started = runtime::SparkDriver::Start(request.spark);
    if (!started.ok()) return ReportError(started.status());
    spark = std::move(started).value();
    options.spark = spark.get();
  } else if (!request.spark.master.empty()) {
    return ReportError(Status::InvalidArgument("--spark-master needs --engine spark"));
  }
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  bool broken = false;
  std::vector<std::string> below_minimum;  // "path: rate" of files under --min-pass-rate
  // Each file's line is printed as it finishes (files run in parallel).
  slt::RunScriptFiles(request.files, options, [&](const slt::FileResult& file) {
    for (const std::string& failure : file.failures) std::printf("  %s\n", failure.c_str());
    if (!file.error.ok()) {
      std::printf("%s: error: %s\n", file.path.c_str(), file.error.ToString().c_str());
      broken = true;
    } else {
      std::printf("%s: %llu passed, %llu failed, %llu skipped\n", file.path.c_str(),
                  static_cast<unsigned long long>(file.passed),
                  static_cast<unsigned long long>(file.failed),
                  static_cast<unsigned long long>(file.skipped));
      passed += file.passed;
      failed += file.failed;
      skipped += file.skipped;
      uint64_t counted = file.passed + file.failed;
      double rate = counted == 0 ? 100.0 : 100.0 * static_cast<double>(file.passed) / counted;
      if (request.min_pass_rate >= 0 && rate < request.min_pass_rate) {
        char text[32];
        std::snprintf(text, sizeof(text), "%.3f%%", rate);
        below_minimum.push_back(file.path + ": " + text);
      }
    }
    std::fflush(stdout);
  });
  std::printf("%llu passed, %llu failed, %llu skipped\n", static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(failed), static_cast<unsigned long long>(skipped));
  if (broken) return 1;
  if (request.min_pass_rate >= 0) {
    double rate = passed + failed == 0 ? 100.0 : 100.0 * passed / (passed + failed);
    std::printf("pass rate %.3f%% (minimum %.3f%%)\n", rate, request.min_pass_rate);
    // The minimum holds for the whole run; files under it on their own are named.
    for (const std::string& file : below_minimum) {
      std::printf("file below the minimum: %s\n", file.c_str());
    }
    return rate >= request.min_pass_rate && below_minimum.empty() ? 0 : 1;
  }
  return failed == 0 ? 0 : 1;
}

void SetupSqllogictest(CLI::App& root, ExitCode& exit_code) {
  auto request = std::make_shared<SltRequest>();
  CLI::App* cmd = root.add_subcommand("sqllogictest", "Run sqllogictest scripts");
  cmd->add_option("--dialect", request->dialect,
                  "spark (default: the product's semantics), or the sqlite / duckdb profiles that "
                  "run those engines' test corpora")
      ->check(CLI::IsMember({"sqlite", "spark", "duckdb"}));
  cmd->add_option("--skip-list", request->skip_list,
                  "a file naming records to skip as `path.test:LINE` (test/sql/KNOWN_GAPS.md)");
  cmd->add_option("--min-pass-rate", request->min_pass_rate,
                  "succeed when at least this percentage of each file's non-skipped records pass "
                  "(files below it "
                  "are named)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--jobs", request->jobs, "files run in parallel (default: one per core)");
  cmd->add_flag("--check-error-messages", request->check_error_messages,
                "an expected error message (after ----) must be contained in ours");
  cmd->add_flag("--verbose", request->verbose, "print every failure: position, expected, got");
  cmd->add_option("--engine", request->engine,
                  "where policy-checked queries run: duckdb (default) or spark (set-up statements "
                  "and unchecked queries stay on DuckDB)")
      ->check(CLI::IsMember({"duckdb", "spark"}));
  cmd->add_option("--spark-master", request->spark.master,
                  "with --engine spark: spark://HOST:PORT or local[N]");
  cmd->add_option("--spark-home", request->spark.spark_home,
                  "with --engine spark: Spark's installation (default $SPARK_HOME)");
  cmd->add_option("--spark-jar", request->spark.jar,
                  "with --engine spark: the cleanroom-spark jar (default $CLEANROOM_SPARK_JAR)");
  cmd->add_option("files", request->files, "sqllogictest scripts")->required();
  cmd->callback([request, &exit_code] { exit_code.value = RunSlt(*request); });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupSqllogictest);
}  // namespace cleanroom::cli
