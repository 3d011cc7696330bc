// `cleanroom sql`: load inputs, compile the query with our front end, lock the engine, run the
// emitted SQL and print or write the result.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "engine/engine.h"
#include "engine/result_writer.h"
#include "privacy/local_budget.h"
#include "privacy/policy.h"
#include "runtime/checked_query.h"
#include "runtime/spark_query.h"
#include "sql/frontend.h"

namespace cleanroom::cli {
namespace {

struct SqlRequest {
  std::vector<std::string> tables;   // NAME=PATH[:FORMAT]
  std::vector<std::string> schemas;  // NAME=FILE
  std::string output_format;         // empty: by --output's extension, else table
  std::string output;                // empty: stdout
  bool explain = false;
  std::string policy;                 // --policy FILE: run the query policy-checked
  std::string budget_file;            // --budget-file FILE: the local DP budget ledger
  bool no_verify = false;             // --no-verify: skip Parquet validation (trusted local files)
  std::string engine = "duckdb";      // --engine duckdb|spark
  runtime::SparkDriverOptions spark;  // --spark-master, --spark-home, --spark-jar
  std::string sql;
};

// `policies`, when given, names each dataset's privacy unit: its hash is computed at load.
Status LoadInputs(const SqlRequest& request, engine::Engine& engine,
                  const privacy::PolicyFile* policies) {
  std::map<std::string, std::string> schema_files;
  for (const std::string& spec : request.schemas) {
    size_t equals = spec.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument("--schema " + spec + ": expected NAME=FILE");
    }
    schema_files[sql::ToLowerAscii(spec.substr(0, equals))] = spec.substr(equals + 1);
  }
  for (const std::string& spec : request.tables) {
    auto parsed = engine::ParseTableSpec(spec);
    if (!parsed.ok()) return parsed.status().WithContext("--table");
    engine::TableSource source = std::move(parsed).value();
    auto schema = schema_files.find(sql::ToLowerAscii(source.name));
    if (schema != schema_files.end()) {
      CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(schema->second));
      CR_RETURN_IF_ERROR(
          engine::ParseSchemaDocument(text, source).WithContext("--schema " + schema->second));
      schema_files.erase(schema);
    }
    if (policies != nullptr)
      source.unit_hash_of = privacy::UnitHashColumnOf(*policies, source.name);
    CR_RETURN_IF_ERROR(engine.LoadTable(source));
  }
  if (!schema_files.empty()) {
    return Status::InvalidArgument("--schema " + schema_files.begin()->first +
                                   ": no --table of that name");
  }
  return Status::OK();
}

Status WriteOutput(const SqlRequest& request, engine::QueryResult& result) {
  engine::OutputFormat format = engine::OutputFormat::kTable;
  if (!request.output_format.empty()) {
    CR_ASSIGN_OR_RETURN(format, engine::ParseOutputFormat(request.output_format));
  } else if (!request.output.empty()) {
    CR_ASSIGN_OR_RETURN(format, engine::OutputFormatFromPath(request.output));
  }
  if (!request.output.empty()) {
    if (format == engine::OutputFormat::kTable) {
      return Status::InvalidArgument("--output needs csv, json, ndjson or parquet");
    }
    uint64_t rows = 0;
    CR_RETURN_IF_ERROR(engine::WriteResultToFile(result, format, request.output, &rows));
    std::fprintf(stderr, "cleanroom: wrote %llu rows to %s\n",
                 static_cast<unsigned long long>(rows), request.output.c_str());
    return Status::OK();
  }
  return engine::WriteResult(result, format, [](std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
      return Status::Internal("cannot write to standard output");
    }
    return Status::OK();
  });
}

// A checked run's end, on either engine: how many rows each rule suppressed (to stderr, for the
// recipient), then the result, if the script has a query.
Status PrintNotesAndWrite(const SqlRequest& request, runtime::CheckedResult& run) {
  for (const privacy::SuppressionNote& note : run.notes) {
    std::fprintf(stderr, "cleanroom: %lld rows suppressed by %s\n",
                 static_cast<long long>(note.rows), note.rule.c_str());
  }
  if (run.result == nullptr) return Status::OK();
  return WriteOutput(request, *run.result);
}

// `--policy FILE`: the owners' policies and the query's guards are enforced on the bound plan
// (privacy module); the recipient is told how many rows each rule suppressed.
Status RunCheckedSql(const SqlRequest& request, engine::Engine& engine,
                     const privacy::PolicyFile& policies) {
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                      runtime::CompileChecked(engine, request.sql, policies));
  // Validate only what the checked program can read (its columns, each unit column).
  CR_RETURN_IF_ERROR(runtime::PrepareCheckedInputs(engine, request.sql, policies));
  CR_RETURN_IF_ERROR(engine.Lock());
  if (request.explain) {
    std::printf("%s", program.explain.c_str());
    return Status::OK();
  }
  if (!program.dp_datasets.empty()) {
    // Differential privacy: charged before anything is computed, refunded if the run fails.
    if (request.budget_file.empty()) {
      return Status::InvalidArgument(
          "a differentially private query needs --budget-file FILE (the local privacy budget "
          "ledger it is charged to)");
    }
    for (const privacy::CheckSummary::DpAggregate& a : program.summary.dp) {
      std::fprintf(stderr,
                   "cleanroom: differential privacy: %s = %s, %s noise, epsilon %s, 95%% "
                   "interval %s\n",
                   a.column.c_str(), a.aggregate.c_str(), a.mechanism.c_str(), a.epsilon.c_str(),
                   a.interval.c_str());
    }
    std::fprintf(stderr, "cleanroom: differential privacy: groups: %s\n",
                 program.summary.dp_groups.c_str());
    CR_RETURN_IF_ERROR(
        privacy::ChargeLocalBudget(request.budget_file, policies, program.dp_datasets));
    auto run = runtime::RunChecked(engine, program);
    if (!run.ok()) {
      Status refund =
          privacy::RefundLocalBudget(request.budget_file, policies, program.dp_datasets);
      if (!refund.ok()) return refund.WithContext("refund after a failed run");
      return run.status();
    }
    return PrintNotesAndWrite(request, *run);
  }
  if (!request.budget_file.empty()) {
    return Status::InvalidArgument(
        "--budget-file: the query is not differentially private, so nothing would be charged");
  }
  CR_ASSIGN_OR_RETURN(runtime::CheckedResult run, runtime::RunChecked(engine, program));
  return PrintNotesAndWrite(request, run);
}

// `--engine spark`: the same check, the program written in Spark SQL and run by a Spark driver
// over the inputs as encrypted containers (runtime/spark_query.h); the notes and the output as
// with the embedded engine.
Status RunCheckedSqlOnSpark(const SqlRequest& request, engine::Engine& engine,
                            const privacy::PolicyFile& policies) {
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                      runtime::CompileCheckedForSpark(engine, request.sql, policies));
  if (request.explain) {
    std::printf("%s", program.explain.c_str());
    return Status::OK();
  }
  CR_ASSIGN_OR_RETURN(runtime::CheckedResult run,
                      runtime::RunProgramOnSpark(engine, program, policies, request.spark));
  return PrintNotesAndWrite(request, run);
}

Status RunSql(const SqlRequest& request) {
  if (request.engine != "duckdb" && request.engine != "spark") {
    return Status::InvalidArgument("--engine " + request.engine + ": expected duckdb or spark");
  }
  const bool spark = request.engine == "spark";
  if (spark && request.policy.empty()) {
    return Status::Unimplemented(
        "--engine spark runs policy-checked queries only: give --policy FILE");
  }
  if (spark && request.spark.master.empty()) {
    return Status::InvalidArgument(
        "--engine spark needs --spark-master spark://HOST:PORT or local[N]");
  }
  if (!request.budget_file.empty() && (request.policy.empty() || spark)) {
    return Status::InvalidArgument(
        "--budget-file needs --policy and the embedded engine (differentially private queries)");
  }
  if (!spark && !(request.spark.master.empty() && request.spark.spark_home.empty() &&
                  request.spark.jar.empty())) {
    return Status::InvalidArgument(
        "--spark-master, --spark-home and --spark-jar need --engine spark");
  }
  engine::EngineOptions engine_options;
  // Parquet inputs: the footer at load, then only the columns the compiled query reads are
  // validated (PrepareInputs; with --policy, also each dataset's privacy unit).
  // (Not for Spark: every column of an input is shipped to it, so every column is validated.)
  engine_options.validate_columns_read = request.engine != "spark";
  if (request.no_verify) {
    engine_options.verify_parquet = false;
    std::fprintf(stderr,
                 "cleanroom: --no-verify: Parquet inputs are NOT validated (trusted local files "
                 "only)\n");
  }
  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open(engine_options));
  if (!request.policy.empty()) {
    CR_ASSIGN_OR_RETURN(privacy::PolicyFile policies, privacy::LoadPolicyFile(request.policy));
    CR_RETURN_IF_ERROR(LoadInputs(request, *engine, spark ? nullptr : &policies));
    if (spark) return RunCheckedSqlOnSpark(request, *engine, policies);
    return RunCheckedSql(request, *engine, policies);
  }
  CR_RETURN_IF_ERROR(LoadInputs(request, *engine, nullptr));
  sql::CompileOptions options;
  options.resolve_file = engine->FileResolver();  // inline FROM 'file' loads before locking
  CR_ASSIGN_OR_RETURN(std::vector<sql::CompiledStatement> compiled,
                      sql::CompileScript(request.sql, engine->catalog(), options));
  CR_RETURN_IF_ERROR(engine->PrepareInputs(compiled));
  CR_RETURN_IF_ERROR(engine->Lock());
  if (request.explain) {
    for (const sql::CompiledStatement& statement : compiled) {
      std::printf("%s\n", statement.ExplainText().c_str());
    }
    return Status::OK();
  }
  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryResult> result, engine->RunCompiled(compiled));
  if (result == nullptr) return Status::OK();  // only views: nothing to show
  return WriteOutput(request, *result);
}

void SetupSql(CLI::App& root, ExitCode& exit_code) {
  auto request = std::make_shared<SqlRequest>();
  CLI::App* cmd = root.add_subcommand("sql", "Run a Spark SQL query over local files");
  cmd->add_option("--table", request->tables,
                  "NAME=PATH[:FORMAT]: a file, directory or glob loaded as table NAME "
                  "(format csv|parquet|json|ndjson, else by extension)");
  cmd->add_option("--schema", request->schemas,
                  "NAME=FILE: a declared schema (JSON) enforced on table NAME");
  cmd->add_option("--output-format", request->output_format, "table|csv|json|ndjson|parquet");
  cmd->add_option("--output", request->output, "write the result to FILE (atomically)");
  cmd->add_flag("--explain", request->explain, "print our plan and the emitted SQL; do not run");
  cmd->add_flag("--no-verify", request->no_verify,
                "skip the page-by-page validation of Parquet inputs (your own trusted files only)");
  cmd->add_option(
      "--policy", request->policy,
      "FILE: owners' policies and query guards ({\"datasets\": {...}, \"query\": {...}}); "
      "the query is checked and thresholded (docs/privacy.md)");
  cmd->add_option("--budget-file", request->budget_file,
                  "FILE: with --policy, the local privacy budget ledger a differentially private "
                  "query is charged to (created when missing; docs/differential-privacy.md)");
  cmd->add_option("--engine", request->engine,
                  "duckdb (embedded, the default) or spark (a Spark cluster; needs --policy)");
  cmd->add_option("--spark-master", request->spark.master,
                  "with --engine spark: spark://HOST:PORT of a standalone master, or local[N]");
  cmd->add_option("--spark-home", request->spark.spark_home,
                  "with --engine spark: Spark's installation (default $SPARK_HOME)");
  cmd->add_option("--spark-jar", request->spark.jar,
                  "with --engine spark: the cleanroom-spark jar (default $CLEANROOM_SPARK_JAR)");
  cmd->add_option("sql", request->sql, "the query (Spark SQL; temp-view steps separated by ';')")
      ->required();
  cmd->callback([request, &exit_code] {
    Status status = RunSql(*request);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupSql);
}  // namespace cleanroom::cli
