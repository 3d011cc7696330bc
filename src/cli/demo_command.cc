// `cleanroom demo`: generated clean-room data and the representative queries, run through the
// same path as `cleanroom sql` (engine load with declared schemas, our front end, engine lock,
// emitted SQL), narrated step by step and printed as tables. The full three-party
// collaboration (governance, attestation, sealed results) replaces this when the runtime lands.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/workload_sources.h"
#include "engine/engine.h"
#include "engine/table_printer.h"
#include "sql/frontend.h"
#include "workload/generator.h"
#include "workload/schema.h"

namespace cleanroom::cli {
namespace {

struct DemoFlags {
  uint64_t scale = 10'000;
  std::string dir;
};

struct DemoQuery {
  const char* file;   // written under <dir>/queries/
  const char* title;  // the narration line
  const char* sql;    // Spark SQL, as an analyst writes it
};

// The clean-room analyses of the demo, small-output versions of bench/engine/queries/.
const std::vector<DemoQuery>& DemoQueries() {
  static const std::vector<DemoQuery> queries = {
      {"01_audience_overlap.sql",
       "audience overlap: customers the publisher also reached (COUNT DISTINCT on hashed email)",
       "SELECT COUNT(DISTINCT c.hashed_email) AS overlap_customers,\n"
       "       COUNT(*) AS overlap_impressions\n"
       "FROM customers c\n"
       "JOIN impressions i ON c.hashed_email = i.hashed_email"},
      {"02_reach_by_age_band.sql",
       "reach and frequency by age band, cells of at least 50 people only (HAVING)",
       "SELECT c.age_band,\n"
       "       COUNT(DISTINCT i.hashed_email) AS reach,\n"
       "       COUNT(*) AS impressions,\n"
       "       ROUND(COUNT(*) / COUNT(DISTINCT i.hashed_email), 2) AS avg_frequency\n"
       "FROM impressions i\n"
       "JOIN customers c ON i.hashed_email = c.hashed_email\n"
       "GROUP BY c.age_band\n"
       "HAVING COUNT(DISTINCT i.hashed_email) >= 50\n"
       "ORDER BY c.age_band"},
      {"03_attribution.sql",
       "attribution across all three parties: conversions within 7 days of an impression of "
       "the same campaign, by loyalty tier",
       "SELECT c.loyalty_tier,\n"
       "       COUNT(DISTINCT v.hashed_email) AS converters,\n"
       "       SUM(v.conversion_value) AS attributed_value\n"
       "FROM customers c\n"
       "JOIN impressions i ON i.hashed_email = c.hashed_email\n"
       "JOIN conversions v ON v.hashed_email = i.hashed_email AND v.campaign_id = i.campaign_id\n"
       "WHERE v.conversion_ts >= i.ts AND v.conversion_ts < i.ts + INTERVAL 7 DAYS\n"
       "GROUP BY c.loyalty_tier\n"
       "ORDER BY c.loyalty_tier"},
      {"04_top_campaigns.sql",
       "top five campaigns by reach among gold and platinum customers (top-N)",
       "SELECT i.campaign_id,\n"
       "       COUNT(DISTINCT i.hashed_email) AS reach,\n"
       "       SUM(i.cost) AS spend\n"
       "FROM impressions i\n"
       "JOIN customers c ON i.hashed_email = c.hashed_email\n"
       "WHERE c.loyalty_tier IN ('gold', 'platinum')\n"
       "GROUP BY i.campaign_id\n"
       "ORDER BY reach DESC, i.campaign_id\n"
       "LIMIT 5"},
      {"05_exposure_lift.sql",
       "lift in two steps (a temp view, then a query on it): conversion rate of exposed versus "
       "unexposed customers",
       "CREATE TEMP VIEW exposure AS\n"
       "SELECT c.hashed_email,\n"
       "       CASE WHEN c.hashed_email IN (SELECT hashed_email FROM impressions)\n"
       "            THEN 'exposed' ELSE 'unexposed' END AS exposure\n"
       "FROM customers c;\n"
       "SELECT e.exposure,\n"
       "       COUNT(*) AS customers,\n"
       "       COUNT(v.hashed_email) AS converters,\n"
       "       ROUND(COUNT(v.hashed_email) / COUNT(*), 4) AS conversion_rate\n"
       "FROM exposure e\n"
       "LEFT JOIN (SELECT DISTINCT hashed_email FROM conversions) v\n"
       "  ON e.hashed_email = v.hashed_email\n"
       "GROUP BY e.exposure\n"
       "ORDER BY e.exposure"},
  };
  return queries;
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void Say(const std::string& line) {
  std::printf("demo: %s\n", line.c_str());
  std::fflush(stdout);
}

Result<std::string> PrepareDirectory(const std::string& requested) {
  if (!requested.empty()) return requested;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cleanroom-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::Internal("cannot create a demo directory under " +
                            std::filesystem::temp_directory_path().string());
  }
  return pattern;
}

Status RunQuery(engine::Engine& engine, const DemoQuery& query, size_t number, size_t count) {
  Say("query " + std::to_string(number) + "/" + std::to_string(count) + ": " + query.title);
  std::string indented = "    ";
  for (const char* p = query.sql; *p != '\0'; ++p) {
    indented.push_back(*p);
    if (*p == '\n') indented += "    ";
  }
  std::printf("%s\n", indented.c_str());
  auto start = std::chrono::steady_clock::now();
  // Temp views of a multi-step query are added to a copy, so each query sees the datasets only.
  sql::Catalog catalog = engine.catalog();
  CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> compiled,
                      sql::CompileScript(query.sql, catalog));
  double compile_ms = MillisSince(start);
  start = std::chrono::steady_clock::now();
  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine.RunCompiled(compiled));
  if (result == nullptr) return Status::Internal("demo query has no final SELECT");
  uint64_t rows = 0;
  CR_RETURN_IF_ERROR(engine::PrintTable(*result, [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return Status::OK();
  }, rows));
  char timing[160];
  std::snprintf(timing, sizeof(timing),
                "parsed, bound and emitted by our front end in %.2f ms; run by DuckDB in %.1f ms",
                compile_ms, MillisSince(start));
  Say(timing);
  return Status::OK();
}

Status RunDemo(const DemoFlags& flags) {
  auto demo_start = std::chrono::steady_clock::now();
  CR_ASSIGN_OR_RETURN(std::string dir, PrepareDirectory(flags.dir));
  Say("working directory " + dir + " (left in place when the demo ends)");

  workload::WorkloadOptions options;
  options.customers = flags.scale;
  Say("generating the clean-room data: an advertiser's " + std::to_string(flags.scale) +
      " customers, a publisher's impressions, a measurement partner's conversions (seed " +
      std::to_string(options.seed) + ")");
  CR_ASSIGN_OR_RETURN(workload::WorkloadSummary summary,
                      workload::GenerateWorkload(options, dir + "/data"));
  Say("wrote " + std::to_string(summary.customers) + " customers, " +
      std::to_string(summary.impressions) + " impressions, " +
      std::to_string(summary.conversions) + " conversions to " + dir +
      "/data; the parties share only hashed_email (hex SHA-256 of the email)");

  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
  std::string table_flags;
  for (const workload::WorkloadTable& table : workload::WorkloadTables()) {
    CR_ASSIGN_OR_RETURN(engine::TableSource source,
                        WorkloadTableSource(table, dir + "/data", engine::Format::kCsv));
    CR_RETURN_IF_ERROR(engine->LoadTable(source));
    Say("loaded the " + table.party + "'s table " + table.name + " with its declared schema");
    table_flags += " --table " + table.name + "=" + source.path + " --schema " + table.name +
                   "=" + dir + "/data/" + table.name + ".schema.json";
  }
  CR_RETURN_IF_ERROR(engine->Lock());
  Say("engine locked: from here on no query can read a file, reach the network or load an "
      "extension; DuckDB runs only SQL our front end emitted");

  std::error_code ignored;
  std::filesystem::create_directories(dir + "/queries", ignored);
  const auto& queries = DemoQueries();
  for (size_t i = 0; i < queries.size(); ++i) {
    CR_RETURN_IF_ERROR(WriteFileAtomic(dir + "/queries/" + queries[i].file,
                                       std::string(queries[i].sql) + "\n"));
    CR_RETURN_IF_ERROR(RunQuery(*engine, queries[i], i + 1, queries.size()));
  }
  char done[96];
  std::snprintf(done, sizeof(done), "done in %.1f s", MillisSince(demo_start) / 1000.0);
  Say(done);
  Say("the queries are in " + dir + "/queries; run one yourself with: cleanroom sql" +
      table_flags + " \"$(cat " + dir + "/queries/" + queries[0].file + ")\"");
  return Status::OK();
}

void SetupDemo(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* cmd = root.add_subcommand(
      "demo", "Generate clean-room data and run the representative queries on it");
  cmd->add_option("--scale", flags->scale, "Advertiser customers to generate")
      ->capture_default_str();
  cmd->add_option("--dir", flags->dir, "Directory for the demo's files (default: a new one)");
  cmd->callback([flags, &exit_code] {
    Status status = RunDemo(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupDemo);
}  // namespace cleanroom::cli
