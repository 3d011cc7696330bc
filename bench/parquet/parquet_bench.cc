// Benchmark: (1) a 10,000,000-row impressions Parquet file (SNAPPY and ZSTD, written by DuckDB
// from a deterministic expression) queried by DuckDB alone vs validated by our reader first and
// then queried by DuckDB (the clean room's path); (2) the same rows in a file only our reader can
// read (BYTE_STREAM_SPLIT on integer columns, which DuckDB refuses) queried through the
// cleanroom_parquet_scan table function vs DuckDB reading the same rows written PLAIN.
// Usage: parquet_bench <work dir> [rows] [runs]
#include <duckdb.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "formats/parquet_reader.h"
#include "formats/parquet_writer.h"

namespace cleanroom::engine {
Status RegisterParquetScan(duckdb_connection connection);
Status VerifyParquetInput(const std::string& path_or_glob, size_t threads);
}  // namespace cleanroom::engine

namespace {

using namespace cleanroom;

duckdb_database db;
duckdb_connection con;

bool Run(const std::string& sql, std::string* first_cell = nullptr) {
  duckdb_result r;
  if (duckdb_query(con, sql.c_str(), &r) == DuckDBError) {
    std::fprintf(stderr, "DuckDB error: %s\n", duckdb_result_error(&r));
    duckdb_destroy_result(&r);
    return false;
  }
  if (first_cell != nullptr && duckdb_row_count(&r) > 0) {
    char* v = duckdb_value_varchar(&r, 0, 0);
    *first_cell = v ? v : "NULL";
    duckdb_free(v);
  }
  duckdb_destroy_result(&r);
  return true;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU seconds of the whole process (every thread: DuckDB's and ours), user + system.
double ProcessCpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of the last TimeIt: on a shared machine the CPU ratio is steadier than the
// wall-clock ratio, which the other users' load distorts.
double last_cpu = 0;

double TimeIt(const std::function<bool()>& f) {
  double cpu = ProcessCpu();
  auto start = std::chrono::steady_clock::now();
  if (!f()) std::exit(1);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  last_cpu = ProcessCpu() - cpu;
  return wall;
}

// The query: one pass over every column, grouped.
std::string Query(const std::string& relation) {
  return "SELECT sum(h) FROM (SELECT hash(publisher, count(*), sum(cost), sum(clicked::INT), "
         "min(ts), max(ts), "
         "max(user_id), sum(impression_id), max(campaign_id)) AS h FROM " +
         relation + " GROUP BY publisher)";
}

const char* kImpressions =
    "SELECT i AS impression_id, (hash(i) % 2000000)::BIGINT AS user_id, (i % 500)::INTEGER AS "
    "campaign_id, "
    "'pub' || (hash(i * 7) % 200) AS publisher, TIMESTAMP '2026-01-01' + i * INTERVAL 250 "
    "MILLISECOND AS ts, "
    "((hash(i * 13) % 100000) / 10000.0)::DECIMAL(10,4) AS cost, hash(i * 3) % 50 = 0 AS clicked "
    "FROM range(%lld) r(i)";

// Rewrites `source` with our writer (BYTE_STREAM_SPLIT or PLAIN), row group by row group.
Status Rewrite(const std::string& source, const std::string& target, bool byte_stream_split) {
  CR_ASSIGN_OR_RETURN(auto reader, formats::ParquetReader::Open(source));
  formats::ParquetWriterOptions options;
  options.codec = formats::Codec::kZstd;
  options.byte_stream_split = byte_stream_split;
  options.page_rows = 1 << 16;
  CR_ASSIGN_OR_RETURN(auto writer, formats::ParquetWriter::Open(target, reader->fields(), options));
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    CR_ASSIGN_OR_RETURN(formats::RecordBatch batch, reader->ReadRowGroup(g, {}));
    CR_RETURN_IF_ERROR(writer->Write(batch));
  }
  return writer->Close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parquet_bench <work dir> [rows] [runs]\n");
    return 2;
  }
  std::string dir = argv[1];
  long long rows = argc > 2 ? std::atoll(argv[2]) : 10000000;
  int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  std::filesystem::create_directories(dir);
  duckdb_open(nullptr, &db);
  duckdb_connect(db, &con);
  if (!engine::RegisterParquetScan(con).ok()) return 1;
  char sql[1024];
  std::snprintf(sql, sizeof(sql), kImpressions, rows);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("rows: %lld, runs: %d (medians, seconds), load average %.2f %.2f %.2f\n", rows, runs,
              load[0], load[1], load[2]);
  std::printf("%-44s %8s %10s %9s %8s %9s\n", "case", "duckdb", "cleanroom", "(verify)", "ratio",
              "cpu ratio");
  for (const char* codec : {"snappy", "zstd"}) {
    std::string path = dir + "/impressions_" + std::to_string(rows) + "_" + codec + ".parquet";
    if (!std::filesystem::exists(path)) {
      if (!Run(std::string("COPY (") + sql + ") TO '" + path + "' (FORMAT parquet, COMPRESSION " +
               codec + ")"))
        return 1;
    }
    std::string q = Query("read_parquet('" + path + "')");
    std::string want, got;
    Run(q, &want);
    std::vector<double> duck, ours, verify, duck_cpu, ours_cpu;
    for (int r = 0; r < runs; ++r) {
      duck.push_back(TimeIt([&] { return Run(q); }));
      duck_cpu.push_back(last_cpu);
      double v = TimeIt([&] {
        Status s = engine::VerifyParquetInput(path, 2);
        if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return s.ok();
      });
      verify.push_back(v);
      double verify_cpu = last_cpu;
      ours.push_back(v + TimeIt([&] { return Run(q, &got); }));
      ours_cpu.push_back(verify_cpu + last_cpu);
    }
    if (got != want) {
      std::fprintf(stderr, "results differ\n");
      return 1;
    }
    std::printf("%-44s %8.3f %10.3f %9.3f %7.2fx %8.2fx\n",
                ("impressions " + std::string(codec) + ": verify, then DuckDB").c_str(),
                Median(duck), Median(ours), Median(verify), Median(ours) / Median(duck),
                Median(ours_cpu) / Median(duck_cpu));
    // The same query with DuckDB fed by our validating reader (every page it reads is checked).
    std::string q_scan = Query("cleanroom_parquet_scan('" + path + "')");
    std::vector<double> scan, scan_cpu;
    for (int r = 0; r < runs; ++r) {
      scan.push_back(TimeIt([&] { return Run(q_scan, &got); }));
      scan_cpu.push_back(last_cpu);
    }
    if (got != want) {
      std::fprintf(stderr, "results differ: table function vs DuckDB\n");
      return 1;
    }
    std::printf("%-44s %8.3f %10.3f %9s %7.2fx %8.2fx\n",
                ("impressions " + std::string(codec) + ": validating scan").c_str(), Median(duck),
                Median(scan), "-", Median(scan) / Median(duck),
                Median(scan_cpu) / Median(duck_cpu));
  }
  // Only our reader: BYTE_STREAM_SPLIT integers. DuckDB reads the PLAIN twin.
  std::string source = dir + "/impressions_" + std::to_string(rows) + "_zstd.parquet";
  std::string bss = dir + "/impressions_" + std::to_string(rows) + "_bss.parquet";
  std::string plain = dir + "/impressions_" + std::to_string(rows) + "_plain.parquet";
  for (auto [path, split] : {std::pair{bss, true}, std::pair{plain, false}}) {
    if (!std::filesystem::exists(path)) {
      Status s = Rewrite(source, path, split);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
    }
  }
  std::string refused;
  {
    duckdb_result r;
    if (duckdb_query(con, ("SELECT sum(impression_id) FROM read_parquet('" + bss + "')").c_str(),
                     &r) != DuckDBError) {
      std::fprintf(stderr, "note: DuckDB reads the BYTE_STREAM_SPLIT file too\n");
    }
    duckdb_destroy_result(&r);
  }
  std::string q_duck = Query("read_parquet('" + plain + "')");
  std::string q_ours = Query("cleanroom_parquet_scan('" + bss + "')");
  std::string want, got;
  Run(q_duck, &want);
  std::vector<double> duck, ours, duck_cpu, ours_cpu;
  for (int r = 0; r < runs; ++r) {
    duck.push_back(TimeIt([&] { return Run(q_duck); }));
    duck_cpu.push_back(last_cpu);
    ours.push_back(TimeIt([&] { return Run(q_ours, &got); }));
    ours_cpu.push_back(last_cpu);
  }
  if (got != want) {
    std::fprintf(stderr, "results differ: table function vs DuckDB\n");
    return 1;
  }
  std::printf("%-44s %8.3f %10.3f %9s %7.2fx %8.2fx\n",
              "BYTE_STREAM_SPLIT ints: scan vs DuckDB on PLAIN", Median(duck), Median(ours), "-",
              Median(ours) / Median(duck), Median(ours_cpu) / Median(duck_cpu));
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
