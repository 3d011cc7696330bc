// Measures what the SQL front end costs per query: parse, bind and emit (CompileScript) of each
// query file given on the command line, against the clean-room workload's catalog.
// Usage: sql_frontend_bench QUERY.sql...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "base/file.h"
#include "sql/frontend.h"
#include "workload/schema.h"

namespace {

cleanroom::sql::Catalog WorkloadCatalog() {
  cleanroom::sql::Catalog catalog;
  for (const auto& table : cleanroom::workload::WorkloadTables()) {
    cleanroom::sql::TableDef def;
    def.name = table.name;
    for (const auto& column : table.columns) {
      auto type = cleanroom::sql::ParseTypeName(column.spark_type);
      if (!type.ok()) continue;
      def.columns.push_back({column.name, *type});
    }
    catalog.PutTable(def);
  }
  return catalog;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s QUERY.sql...\n", argv[0]);
    return 2;
  }
  const cleanroom::sql::Catalog catalog = WorkloadCatalog();
  constexpr int kRounds = 2000;
  std::printf("%-34s %10s %10s\n", "query", "median_us", "p99_us");
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    auto text = cleanroom::ReadFileToString(argv[i]);
    if (!text.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[i], text.status().ToString().c_str());
      ++failures;
      continue;
    }
    std::vector<double> micros;
    micros.reserve(kRounds);
    bool ok = true;
    for (int round = 0; round < kRounds && ok; ++round) {
      cleanroom::sql::Catalog session = catalog;
      auto start = std::chrono::steady_clock::now();
      auto compiled = cleanroom::sql::CompileScript(*text, session);
      auto end = std::chrono::steady_clock::now();
      if (!compiled.ok()) {
        std::fprintf(stderr, "%s: %s\n", argv[i], compiled.status().ToString().c_str());
        ok = false;
        ++failures;
      }
      micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    if (!ok) continue;
    std::sort(micros.begin(), micros.end());
    std::string name = argv[i];
    name = name.substr(name.find_last_of('/') + 1);
    std::printf("%-34s %10.1f %10.1f\n", name.c_str(), micros[micros.size() / 2],
                micros[micros.size() * 99 / 100]);
  }
  return failures == 0 ? 0 : 1;
}
