// `cleanroom spark-golden`: runs Apache Spark's golden files (`.sql.out`) through our front end
// and the engine, and holds each file to a floor of passing statements.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "slt/golden_expectations.h"
#include "slt/golden_runner.h"

namespace cleanroom::cli {
namespace {

struct GoldenRequest {
  std::vector<std::string> files;
  std::string skip_list;
  std::string floors;
  bool verbose = false;
  size_t jobs = 0;
  std::string time_zone = "UTC";
};

int RunGolden(const GoldenRequest& request) {
  slt::GoldenOptions options;
  slt::GoldenSkipList skip_list;
  if (!request.skip_list.empty()) {
    auto loaded = slt::GoldenSkipList::Load(request.skip_list);
    if (!loaded.ok()) return ReportError(loaded.status());
    skip_list = std::move(loaded).value();
    options.skip_list = &skip_list;
  }
  std::map<std::string, uint64_t> floors;
  if (!request.floors.empty()) {
    auto text = ReadFileToString(request.floors);
    if (!text.ok()) return ReportError(text.status());
    auto parsed = slt::ParseGoldenFloors(*text);
    if (!parsed.ok()) return ReportError(parsed.status());
    floors = std::move(parsed).value();
  }
  auto zone = sql::ParseZoneId(request.time_zone);
  if (!zone.ok()) return ReportError(zone.status().WithContext("--time-zone"));
  options.session_time_zone = *zone;
  options.verbose = request.verbose;
  options.jobs = request.jobs;
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t setup_failed = 0;
  std::vector<std::string> problems;
  slt::RunGoldenFiles(request.files, options, [&](const slt::GoldenFileResult& file) {
    for (const std::string& note : file.notes) std::printf("  %s\n", note.c_str());
    if (!file.error.ok()) {
      std::printf("%s: error: %s\n", file.path.c_str(), file.error.ToString().c_str());
      problems.push_back(file.path + ": " + file.error.ToString());
      std::fflush(stdout);
      return;
    }
    std::printf("%s: %llu passed, %llu failed, %llu skipped, %llu set-up failed\n",
                file.path.c_str(), static_cast<unsigned long long>(file.passed),
                static_cast<unsigned long long>(file.failed),
                static_cast<unsigned long long>(file.skipped),
                static_cast<unsigned long long>(file.setup_failed));
    passed += file.passed;
    failed += file.failed;
    skipped += file.skipped;
    setup_failed += file.setup_failed;
    if (!request.floors.empty()) {
      const uint64_t* floor = nullptr;
      for (const auto& [suffix, minimum] : floors) {
        if (slt::PathEndsWith(file.path, suffix)) floor = &minimum;
      }
      if (floor == nullptr) {
        problems.push_back(file.path + ": no floor listed in " + request.floors);
      } else if (file.passed < *floor) {
        problems.push_back(file.path + ": " + std::to_string(file.passed) +
                           " passed, below its floor of " + std::to_string(*floor));
      }
    }
    std::fflush(stdout);
  });
  uint64_t scored = passed + failed;
  std::printf(
      "%llu passed, %llu failed, %llu skipped, %llu set-up failed; pass rate %.2f%% of %llu "
      "queries in scope\n",
      static_cast<unsigned long long>(passed), static_cast<unsigned long long>(failed),
      static_cast<unsigned long long>(skipped), static_cast<unsigned long long>(setup_failed),
      scored == 0 ? 100.0 : 100.0 * static_cast<double>(passed) / static_cast<double>(scored),
      static_cast<unsigned long long>(scored));
  for (const std::string& problem : problems) std::printf("FAIL %s\n", problem.c_str());
  return problems.empty() ? 0 : 1;
}

void SetupSparkGolden(CLI::App& root, ExitCode& exit_code) {
  auto request = std::make_shared<GoldenRequest>();
  CLI::App* cmd = root.add_subcommand(
      "spark-golden",
      "Run Apache Spark's golden files (.sql.out) and compare with Spark's results");
  cmd->add_option("--skip-list", request->skip_list,
                  "queries not run, each with its reason (test/sql/spark/GOLDEN_SKIPS.md)");
  cmd->add_option("--floors", request->floors,
                  "the least number of passing queries per file (test/sql/spark/GOLDEN_FLOORS); "
                  "a file below it, or not listed, fails the run");
  cmd->add_option("--jobs", request->jobs, "files run in parallel (default: one per core)");
  cmd->add_option("--time-zone", request->time_zone,
                  "the session time zone a file starts in (spark.sql.session.timeZone; default "
                  "UTC) unless the skip list names one for it");
  cmd->add_flag("--verbose", request->verbose, "print every failure and skip with its reason");
  cmd->add_option("files", request->files, "golden files (.sql.out)")->required();
  cmd->callback([request, &exit_code] { exit_code.value = RunGolden(*request); });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupSparkGolden);
}  // namespace cleanroom::cli
