// bench_cleanroom_inprocess: the cleanroom engine measured inside one process, so that process
// start and data loading do not blur the query time.
//
//   bench_cleanroom_inprocess DIR RUNS QUERIES_DIR NAME...
//
// Loads DIR/<table>.parquet through engine::Engine once and locks it. For each NAME it reads
// QUERIES_DIR/NAME.sql (Spark SQL) and QUERIES_DIR/duckdb/NAME.sql (the same query written by
// hand for DuckDB), then:
//   - times sql::CompileScript (parse, bind, emit) over many repetitions;
//   - runs both once and compares their results (rows sorted, numbers within 1e-9 relative);
//   - runs them RUNS times each, alternating, on the same engine and connection, reading every
//     chunk of the result.
// Output, one line each, for run.sh:
//   load <ms>
//   frontend <name> <median us> <repetitions>
//   compiled <name> <median ms> <rows> <each run ms, comma-separated>
//   handwritten <name> <median ms> <rows> <each run ms>
//   match <name> yes|no <detail>
// With BENCH_EMITTED_DIR set, the emitted DuckDB SQL of each query is written there as NAME.sql.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/file.h"
#include "engine/engine.h"
#include "sql/frontend.h"
#include "workload/schema.h"

namespace cleanroom::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Rows = std::vector<std::vector<std::string>>;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::string Join(const std::vector<double>& values) {
  std::string text;
  for (double v : values) {
    if (!text.empty()) text.push_back(',');
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.2f", v);
    text += buffer;
  }
  return text;
}

// Drains a result; with `rows` set, keeps every cell's text.
Result<uint64_t> Drain(engine::QueryResult& result, Rows* rows) {
  uint64_t count = 0;
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    const engine::Chunk& chunk = result.chunk();
    count += chunk.size();
    if (rows == nullptr) continue;
    for (idx_t r = 0; r < chunk.size(); ++r) {
      std::vector<std::string> row(chunk.column_count());
      for (idx_t c = 0; c < chunk.column_count(); ++c) {
        if (chunk.IsNull(c, r)) {
          row[c] = "NULL";
        } else {
          chunk.AppendCell(c, r, engine::CellStyle::kText, row[c]);
        }
      }
      rows->push_back(std::move(row));
    }
  }
  return count;
}

bool CellsMatch(const std::string& a, const std::string& b) {
  if (a == b) return true;
  char* end_a = nullptr;
  char* end_b = nullptr;
  double x = std::strtod(a.c_str(), &end_a);
  double y = std::strtod(b.c_str(), &end_b);
  if (a.empty() || b.empty() || *end_a != '\0' || *end_b != '\0') return false;
  return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
}

// Compares two results as multisets of rows; returns "" when equal, else what differs (no
// values: positions and counts only).
std::string CompareResults(Rows a, Rows b) {
  if (a.size() != b.size()) {
    return "row counts differ: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  for (size_t r = 0; r < a.size(); ++r) {
    if (a[r].size() != b[r].size()) return "column counts differ";
    for (size_t c = 0; c < a[r].size(); ++c) {
      if (!CellsMatch(a[r][c], b[r][c])) {
        return "sorted row " + std::to_string(r) + " column " + std::to_string(c) + " differs";
      }
    }
  }
  return "";
}

Status BenchQuery(engine::Engine& engine, const std::string& queries_dir, const std::string& name,
                  int runs) {
  CR_ASSIGN_OR_RETURN(std::string spark, ReadFileToString(queries_dir + "/" + name + ".sql"));
  CR_ASSIGN_OR_RETURN(std::string duckdb,
                      ReadFileToString(queries_dir + "/duckdb/" + name + ".sql"));

  // Front end: parse, bind and emit against a fresh copy of the catalog each time.
  std::vector<double> compile_us;
  std::vector<sql::CompiledStatement> compiled;
  const auto budget_start = Clock::now();
  while (compile_us.size() < 20 ||
         (compile_us.size() < 2000 && MillisSince(budget_start) < 500.0)) {
    sql::Catalog catalog = engine.catalog();
    auto start = Clock::now();
    Result<std::vector<sql::CompiledStatement>> result = sql::CompileScript(spark, catalog);
    compile_us.push_back(MillisSince(start) * 1000.0);
    if (!result.ok()) return result.status().WithContext("compiling " + name);
    compiled = std::move(result).value();
  }
  std::printf("frontend %s %.1f %zu\n", name.c_str(), Median(compile_us), compile_us.size());
  // With BENCH_EMITTED_DIR set, the SQL our emitter produced is kept for inspection.
  if (const char* emitted_dir = std::getenv("BENCH_EMITTED_DIR")) {
    std::string emitted;
    for (const sql::CompiledStatement& statement : compiled)
      emitted += statement.duckdb_sql + ";\n";
    CR_RETURN_IF_ERROR(WriteFileAtomic(std::string(emitted_dir) + "/" + name + ".sql", emitted));
  }
  std::fflush(stdout);

  // Same answers?
  Rows ours, theirs;
  {
    CR_ASSIGN_OR_RETURN(auto result, engine.RunCompiled(compiled));
    if (result == nullptr) return Status::InvalidArgument(name + " has no final query");
    CR_RETURN_IF_ERROR(Drain(*result, &ours).status());
  }
  {
    CR_ASSIGN_OR_RETURN(auto result, engine.QueryRaw(duckdb));
    CR_RETURN_IF_ERROR(Drain(*result, &theirs).status());
  }
  std::string difference = CompareResults(ours, theirs);
  std::printf("match %s %s %s\n", name.c_str(), difference.empty() ? "yes" : "no",
              difference.c_str());
  std::fflush(stdout);

  // Timing, alternating so that both see the same machine load.
  std::vector<double> ours_ms, theirs_ms;
  uint64_t ours_rows = 0, theirs_rows = 0;
  for (int run = 0; run < runs; ++run) {
    for (int side = 0; side < 2; ++side) {
      bool compiled_side = (run + side) % 2 == 0;
      auto start = Clock::now();
      Result<std::unique_ptr<engine::QueryResult>> result =
          compiled_side ? engine.RunCompiled(compiled) : engine.QueryRaw(duckdb);
      if (!result.ok()) return result.status().WithContext(name);
      CR_ASSIGN_OR_RETURN(uint64_t rows, Drain(**result, nullptr));
      result->reset();
      double ms = MillisSince(start);
      (compiled_side ? ours_ms : theirs_ms).push_back(ms);
      (compiled_side ? ours_rows : theirs_rows) = rows;
    }
  }
  std::printf("compiled %s %.2f %llu %s\n", name.c_str(), Median(ours_ms),
              static_cast<unsigned long long>(ours_rows), Join(ours_ms).c_str());
  std::printf("handwritten %s %.2f %llu %s\n", name.c_str(), Median(theirs_ms),
              static_cast<unsigned long long>(theirs_rows), Join(theirs_ms).c_str());
  std::fflush(stdout);
  return Status::OK();
}

Status Run(const std::string& dir, int runs, const std::string& queries_dir,
           const std::vector<std::string>& names) {
  // Many queries over one load: inputs copied into tables, as DuckDB's side of the comparison
  // loads them (a single run reads views over validated images instead; docs/engine.md).
  engine::EngineOptions options;
  options.parquet_inputs = engine::ParquetInputs::kTables;
  CR_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open(options));
  auto start = Clock::now();
  for (const workload::WorkloadTable& table : workload::WorkloadTables()) {
    engine::TableSource source;
    source.name = table.name;
    source.path = dir + "/" + table.name + ".parquet";
    source.format = engine::Format::kParquet;
    CR_RETURN_IF_ERROR(engine->LoadTable(source));
  }
  CR_RETURN_IF_ERROR(engine->Lock());
  std::printf("load %.1f\n", MillisSince(start));
  std::fflush(stdout);
  for (const std::string& name : names) {
    Status status = BenchQuery(*engine, queries_dir, name, runs);
    if (!status.ok()) {
      // One failing query must not hide the others' figures.
      std::printf("error %s %s\n", name.c_str(), status.ToString().c_str());
      std::fflush(stdout);
    }
  }
  return Status::OK();
}

}  // namespace
}  // namespace cleanroom::bench

int main(int argc, char** argv) {
  if (argc < 5 || std::atoi(argv[2]) < 1) {
    std::fprintf(stderr, "usage: bench_cleanroom_inprocess DIR RUNS QUERIES_DIR NAME...\n");
    return 2;
  }
  cleanroom::Status status = cleanroom::bench::Run(argv[1], std::atoi(argv[2]), argv[3],
                                                   std::vector<std::string>(argv + 4, argv + argc));
  if (!status.ok()) {
    std::fprintf(stderr, "bench_cleanroom_inprocess: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
