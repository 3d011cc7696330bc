#pragma once

#include <string>
#include <vector>

namespace cleanroom::workload {

// One column of a generated table, with its type in each engine the benchmark compares.
struct WorkloadColumn {
  std::string name;
  std::string spark_type;     // the clean room's type name (sql::ParseTypeName accepts it)
  std::string duckdb_type;    // for a declared CSV schema or a Parquet conversion
  std::string postgres_type;  // for CREATE TABLE before COPY
  std::string sqlite_type;    // SQLite column affinity
};

// One generated table: the party that owns it and its columns in file order.
struct WorkloadTable {
  std::string name;   // table name in queries; the file is <name>.csv / <name>.parquet
  std::string party;  // advertiser, publisher or measurement partner
  std::vector<WorkloadColumn> columns;
};

// The three tables of the clean-room workload: customers (advertiser), impressions
// (publisher), conversions (measurement partner).
const std::vector<WorkloadTable>& WorkloadTables();

// The comma-separated column names of `table`, as the CSV header line (without newline).
std::string CsvHeader(const WorkloadTable& table);

// The declared schema of `table` as `cleanroom sql --schema NAME=FILE` reads it:
// {"columns": [{"name": "...", "type": "<spark type>"}, ...]} and a newline.
std::string SchemaJson(const WorkloadTable& table);

}  // namespace cleanroom::workload
