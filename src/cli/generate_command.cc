// `cleanroom generate`: writes the synthetic three-party clean-room workload (the advertiser's
// customers, the publisher's impressions, the measurement partner's conversions).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/workload_sources.h"
#include "engine/engine.h"
#include "engine/result_writer.h"
#include "workload/generator.h"
#include "workload/schema.h"

namespace cleanroom::cli {
namespace {

struct GenerateFlags {
  std::string out;
  uint64_t customers = 1'000'000;
  uint64_t seed = 42;
  std::string format = "csv";
  size_t threads = 0;
  bool unit_index = false;
};

// The Parquet conversion's statement for one table: every column, and with `unit_index` a last
// column unit_id, one integer per distinct hashed_email of the table (its rank), the rows in
// their generated order: the owner's unit index (docs/privacy.md, "The unit index").
std::string ConversionSql(const std::string& table, bool unit_index) {
  if (!unit_index) return "SELECT * FROM " + table;
  return "SELECT t.*, CAST(u.id AS INTEGER) AS unit_id FROM " + table +
         " t JOIN (SELECT hashed_email, row_number() OVER (ORDER BY hashed_email) AS id FROM "
         "(SELECT DISTINCT hashed_email FROM " +
         table + ")) u ON t.hashed_email IS NOT DISTINCT FROM u.hashed_email ORDER BY t.rowid";
}

// Converts the CSV tables in `staging` to Parquet files in `out` through the engine: the CSV is
// loaded with the workload's declared schema, so the Parquet columns carry the declared types.
// One engine per table keeps memory to one table at a time.
Status ConvertToParquet(const std::string& staging, const std::string& out, bool unit_index,
                        std::vector<std::string>& files) {
  for (const workload::WorkloadTable& table : workload::WorkloadTables()) {
    CR_ASSIGN_OR_RETURN(engine::TableSource source,
                        WorkloadTableSource(table, staging, engine::Format::kCsv));
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
    CR_RETURN_IF_ERROR(engine->LoadTable(source));
    CR_RETURN_IF_ERROR(engine->Lock());
    // A fixed statement of ours over a table we just loaded: no user text.
    CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result,
                        engine->Query(ConversionSql(table.name, unit_index)));
    std::string path = out + "/" + table.name + ".parquet";
    CR_RETURN_IF_ERROR(engine::WriteResultToFile(*result, engine::OutputFormat::kParquet, path));
    files.push_back(path);
  }
  return Status::OK();
}

Status RunGenerate(const GenerateFlags& flags) {
  workload::WorkloadOptions options;
  options.customers = flags.customers;
  options.seed = flags.seed;
  options.threads = flags.threads;
  workload::WorkloadSummary summary;
  if (flags.format == "parquet") {
    // CSV first, in a private staging folder inside the output, then converted and removed.
    std::string staging = flags.out + "/.generate-" + std::to_string(::getpid());
    Result<workload::WorkloadSummary> generated = workload::GenerateWorkload(options, staging);
    std::vector<std::string> files;
    Status status = generated.status();
    if (status.ok()) status = ConvertToParquet(staging, flags.out, flags.unit_index, files);
    if (status.ok()) {
      std::error_code error;
      std::filesystem::rename(staging + "/workload.json", flags.out + "/workload.json", error);
      if (error) status = Status::Internal("cannot move the workload manifest into " + flags.out);
      files.push_back(flags.out + "/workload.json");
    }
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
    CR_RETURN_IF_ERROR(status);
    summary = *generated;
    summary.files = files;
  } else {
    if (flags.unit_index) return Status::Unimplemented("--unit-index needs --format parquet");
    CR_ASSIGN_OR_RETURN(summary, workload::GenerateWorkload(options, flags.out));
  }
  std::printf(
      "customers %llu (publisher reaches %llu), impressions %llu (%llu to customers), "
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
  cmd->add_flag("--unit-index", flags->unit_index,
                "With --format parquet: each table gets a last column unit_id, one integer per "
                "hashed_email (a policy's unitIndex)");
  cmd->callback([flags, &exit_code] {
    Status status = RunGenerate(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupGenerate);
}  // namespace cleanroom::cli
