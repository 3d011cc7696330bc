// bench_privacy_checked: the cost of policy checking on the query alone, inside one process.
//
//   bench_privacy_checked DIR RUNS POLICY QUERIES_DIR NAME...
//
// Loads DIR/<table>.parquet into one engine and locks it. For each NAME (QUERIES_DIR/NAME.sql)
// it runs, alternating, RUNS times each:
//   unchecked  sql::CompileScript + Engine::RunCompiled (what `cleanroom sql` runs);
//   checked    runtime::CompileChecked under POLICY + runtime::RunChecked (what the runtime and
//              `cleanroom sql --policy` run: allowed fields, roles, engine-computed thresholds,
//              suppression counts),
// reading every row, and prints one line per query:
//   checked <name> <unchecked median ms> <checked median ms> <rows unchecked> <rows checked>
//   refused <name> <rule>          when the policy refuses the query (no checked form)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/file.h"
#include "engine/engine.h"
#include "privacy/policy.h"
#include "runtime/checked_query.h"
#include "sql/frontend.h"
#include "workload/schema.h"

namespace cleanroom::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

Result<uint64_t> Drain(engine::QueryResult& result) {
  uint64_t rows = 0;
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) return rows;
    rows += result.chunk().size();
  }
}

Result<uint64_t> RunUnchecked(engine::Engine& engine, const std::string& text) {
  sql::Catalog catalog = engine.catalog();
  CR_ASSIGN_OR_RETURN(auto compiled, sql::CompileScript(text, catalog));
  CR_ASSIGN_OR_RETURN(auto result, engine.RunCompiled(compiled));
  if (result == nullptr) return Status::InvalidArgument("no final query");
  return Drain(*result);
}

Result<uint64_t> RunCheckedOnce(engine::Engine& engine, const std::string& text,
                                const privacy::PolicyFile& policies) {
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                      runtime::CompileChecked(engine, text, policies));
  CR_ASSIGN_OR_RETURN(runtime::CheckedResult checked, runtime::RunChecked(engine, program));
  if (checked.result == nullptr) return Status::InvalidArgument("no final query");
  return Drain(*checked.result);
}

Status Run(const std::string& dir, int runs, const std::string& policy_file,
           const std::string& queries_dir, const std::vector<std::string>& names) {
  CR_ASSIGN_OR_RETURN(privacy::PolicyFile policies, privacy::LoadPolicyFile(policy_file));
  // Many queries over one load: the inputs are copied into tables (kTables), as a session that
  // runs many queries would, so that each query's time is the checker's and the engine's, not
  // the reading of the files again. (A run, which is one query, reads views over the validated
  // images instead; the whole-process figures of run.sh measure that.)
  engine::EngineOptions options;
  options.parquet_inputs = engine::ParquetInputs::kTables;
  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open(options));
  for (const workload::WorkloadTable& table : workload::WorkloadTables()) {
    engine::TableSource source;
    source.name = table.name;
    source.path = dir + "/" + table.name + ".parquet";
    source.format = engine::Format::kParquet;
    // As the runtime loads it: with the privacy unit's hash (the unchecked queries do not read
    // it). The load's cost with and without it: one more load without, in its own engine.
    // (The load without is timed before and after the real one; their mean is reported.)
    std::string unit = privacy::UnitHashColumnOf(policies, table.name);
    auto load_plain = [&]() -> Result<double> {
      CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> plain, engine::Engine::Open(options));
      engine::TableSource without = source;
      without.unit_hash_of.clear();
      auto start = Clock::now();
      CR_RETURN_IF_ERROR(plain->LoadTable(without));
      return MillisSince(start);
    };
    double plain_ms = 0;
    if (!unit.empty()) {
      CR_ASSIGN_OR_RETURN(plain_ms, load_plain());
    }
    source.unit_hash_of = unit;
    auto start = Clock::now();
    CR_RETURN_IF_ERROR(engine->LoadTable(source));
    double with_hash = MillisSince(start);
    if (!unit.empty()) {
      CR_ASSIGN_OR_RETURN(double again, load_plain());
      std::printf("load %s %.2f %.2f\n", table.name.c_str(), (plain_ms + again) / 2, with_hash);
      std::fflush(stdout);
    }
  }
  CR_RETURN_IF_ERROR(engine->Lock());
  for (const std::string& name : names) {
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(queries_dir + "/" + name + ".sql"));
    auto probe = runtime::CompileChecked(*engine, text, policies);
    if (!probe.ok()) {
      std::string why = probe.status().ToString();
      why = why.substr(0, why.find('\n'));
      std::printf("refused %s %s\n", name.c_str(), why.c_str());
      std::fflush(stdout);
      continue;
    }
    std::vector<double> plain_ms, checked_ms;
    uint64_t plain_rows = 0, checked_rows = 0;
    for (int run = 0; run < runs; ++run) {
      for (int side = 0; side < 2; ++side) {
        bool checked_side = (run + side) % 2 == 1;
        auto start = Clock::now();
        auto rows =
            checked_side ? RunCheckedOnce(*engine, text, policies) : RunUnchecked(*engine, text);
        if (!rows.ok()) return rows.status().WithContext(name);
        (checked_side ? checked_ms : plain_ms).push_back(MillisSince(start));
        (checked_side ? checked_rows : plain_rows) = *rows;
      }
    }
    std::printf("checked %s %.2f %.2f %llu %llu\n", name.c_str(), Median(plain_ms),
                Median(checked_ms), static_cast<unsigned long long>(plain_rows),
                static_cast<unsigned long long>(checked_rows));
    std::fflush(stdout);
  }
  return Status::OK();
}

}  // namespace
}  // namespace cleanroom::bench

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bench_privacy_checked DIR RUNS POLICY QUERIES_DIR NAME...\n");
    return 2;
  }
  cleanroom::Status status = cleanroom::bench::Run(argv[1], std::atoi(argv[2]), argv[3], argv[4],
                                                   std::vector<std::string>(argv + 5, argv + argc));
  if (!status.ok()) {
    std::fprintf(stderr, "bench_privacy_checked: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
