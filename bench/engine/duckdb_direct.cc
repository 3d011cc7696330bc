// bench_duckdb_direct: DuckDB on its own, through its C API, as the benchmark's yardstick.
//
//   bench_duckdb_direct convert DIR
//       Converts DIR/<table>.csv of the generated workload to DIR/<table>.parquet (declared
//       column types, written through a temporary name and renamed).
//   bench_duckdb_direct run DIR RUNS QUERY_FILE...
//       Loads DIR/<table>.parquet into in-memory tables once, then runs each query file RUNS
//       times and prints one line per query:
//         result <name> <median ms> <rows> <ms of each run, comma-separated>
//       and first a line "load <ms>".
//   bench_duckdb_direct views DIR QUERY_FILE
//       DuckDB alone as a process over the files, the yardstick of a whole `cleanroom sql`
//       process: each table a view over read_parquet(DIR/<table>.parquet), the query run once,
//       its row count printed.
//   bench_duckdb_direct ddl sqlite|postgres
//       Prints CREATE TABLE statements for the workload's tables in that engine's types.
#include <duckdb.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/file.h"
#include "workload/schema.h"

namespace {

using cleanroom::Result;
using cleanroom::Status;

class Database {
 public:
  ~Database() {
    if (connection_ != nullptr) duckdb_disconnect(&connection_);
    if (database_ != nullptr) duckdb_close(&database_);
  }
  Status Open() {
    if (duckdb_open(nullptr, &database_) != DuckDBSuccess) {
      return Status::Internal("cannot open an in-memory DuckDB");
    }
    if (duckdb_connect(database_, &connection_) != DuckDBSuccess) {
      return Status::Internal("cannot connect to DuckDB");
    }
    return Status::OK();
  }
  // Runs `sql`, reads every chunk of the result and returns the number of rows.
  Result<uint64_t> Run(const std::string& sql, const std::string& what) {
    duckdb_result result;
    if (duckdb_query(connection_, sql.c_str(), &result) != DuckDBSuccess) {
      std::string error = duckdb_result_error(&result);
      duckdb_destroy_result(&result);
      return Status::InvalidArgument(what + ": " + error);
    }
    uint64_t rows = 0;
    while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result)) {
      rows += duckdb_data_chunk_get_size(chunk);
      duckdb_destroy_data_chunk(&chunk);
    }
    duckdb_destroy_result(&result);
    return rows;
  }

 private:
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted.push_back('\'');
    quoted.push_back(c);
  }
  return quoted + "'";
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

Status Convert(const std::string& dir) {
  Database db;
  CR_RETURN_IF_ERROR(db.Open());
  for (const auto& table : cleanroom::workload::WorkloadTables()) {
    std::string columns;
    for (const auto& column : table.columns) {
      if (!columns.empty()) columns += ", ";
      columns += Quote(column.name) + ": " + Quote(column.duckdb_type);
    }
    std::string csv = dir + "/" + table.name + ".csv";
    std::string parquet = dir + "/" + table.name + ".parquet";
    std::string temp = parquet + ".tmp";
    std::string sql = "COPY (SELECT * FROM read_csv(" + Quote(csv) +
                      ", header = true, auto_detect = false, columns = {" + columns + "})) TO " +
                      Quote(temp) + " (FORMAT PARQUET)";
    auto start = std::chrono::steady_clock::now();
    CR_ASSIGN_OR_RETURN(uint64_t rows, db.Run(sql, "converting " + csv));
    (void)rows;
    if (std::rename(temp.c_str(), parquet.c_str()) != 0) {
      return Status::Internal("cannot rename " + temp + " to " + parquet);
    }
    std::printf("converted %s in %.0f ms\n", parquet.c_str(), MillisSince(start));
  }
  return Status::OK();
}

Status RunQueries(const std::string& dir, int runs, const std::vector<std::string>& files) {
  Database db;
  CR_RETURN_IF_ERROR(db.Open());
  auto start = std::chrono::steady_clock::now();
  for (const auto& table : cleanroom::workload::WorkloadTables()) {
    std::string sql = "CREATE TABLE " + table.name + " AS SELECT * FROM read_parquet(" +
                      Quote(dir + "/" + table.name + ".parquet") + ")";
    CR_ASSIGN_OR_RETURN(uint64_t rows, db.Run(sql, "loading " + table.name));
    (void)rows;
  }
  std::printf("load %.1f\n", MillisSince(start));
  std::fflush(stdout);
  for (const std::string& file : files) {
    CR_ASSIGN_OR_RETURN(std::string sql, cleanroom::ReadFileToString(file));
    std::string name = file.substr(file.find_last_of('/') + 1);
    name = name.substr(0, name.find('.'));
    std::vector<double> times;
    uint64_t rows = 0;
    for (int run = 0; run < runs; ++run) {
      auto query_start = std::chrono::steady_clock::now();
      CR_ASSIGN_OR_RETURN(rows, db.Run(sql, "query " + name));
      times.push_back(MillisSince(query_start));
    }
    std::string each;
    for (double t : times) each += (each.empty() ? "" : ",") + std::to_string(t);
    std::sort(times.begin(), times.end());
    std::printf("result %s %.2f %llu %s\n", name.c_str(), times[times.size() / 2],
                static_cast<unsigned long long>(rows), each.c_str());
    std::fflush(stdout);
  }
  return Status::OK();
}

Status RunOverViews(const std::string& dir, const std::string& file) {
  Database db;
  CR_RETURN_IF_ERROR(db.Open());
  for (const auto& table : cleanroom::workload::WorkloadTables()) {
    std::string sql = "CREATE VIEW " + table.name + " AS SELECT * FROM read_parquet(" +
                      Quote(dir + "/" + table.name + ".parquet") + ")";
    CR_RETURN_IF_ERROR(db.Run(sql, "view " + table.name).status());
  }
  CR_ASSIGN_OR_RETURN(std::string sql, cleanroom::ReadFileToString(file));
  CR_ASSIGN_OR_RETURN(uint64_t rows, db.Run(sql, "query"));
  std::printf("rows %llu\n", static_cast<unsigned long long>(rows));
  return Status::OK();
}

Status PrintDdl(const std::string& engine) {
  if (engine != "sqlite" && engine != "postgres") {
    return Status::InvalidArgument("ddl: unknown engine " + engine);
  }
  for (const auto& table : cleanroom::workload::WorkloadTables()) {
    std::string columns;
    for (const auto& column : table.columns) {
      if (!columns.empty()) columns += ", ";
      columns +=
          column.name + " " + (engine == "sqlite" ? column.sqlite_type : column.postgres_type);
    }
    std::printf("DROP TABLE IF EXISTS %s;\nCREATE TABLE %s (%s);\n", table.name.c_str(),
                table.name.c_str(), columns.c_str());
  }
  return Status::OK();
}

int Usage() {
  std::fprintf(stderr,
               "usage: bench_duckdb_direct convert DIR\n"
               "       bench_duckdb_direct run DIR RUNS QUERY_FILE...\n"
               "       bench_duckdb_direct views DIR QUERY_FILE\n"
               "       bench_duckdb_direct ddl sqlite|postgres\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  std::string mode = argv[1];
  Status status;
  if (mode == "convert" && argc == 3) {
    status = Convert(argv[2]);
  } else if (mode == "ddl" && argc == 3) {
    status = PrintDdl(argv[2]);
  } else if (mode == "views" && argc == 4) {
    status = RunOverViews(argv[2], argv[3]);
  } else if (mode == "run" && argc >= 5) {
    int runs = std::atoi(argv[3]);
    if (runs < 1) return Usage();
    status = RunQueries(argv[2], runs, std::vector<std::string>(argv + 4, argv + argc));
  } else {
    return Usage();
  }
  if (!status.ok()) {
    std::fprintf(stderr, "bench_duckdb_direct: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
