#include "workload/schema.h"

namespace cleanroom::workload {

const std::vector<WorkloadTable>& WorkloadTables() {
  static const std::vector<WorkloadTable> tables = {
      {"customers",
       "advertiser",
       {{"customer_id", "bigint", "BIGINT", "bigint", "INTEGER"},
        {"hashed_email", "string", "VARCHAR", "text", "TEXT"},
        {"age_band", "string", "VARCHAR", "text", "TEXT"},
        {"region", "string", "VARCHAR", "text", "TEXT"},
        {"loyalty_tier", "string", "VARCHAR", "text", "TEXT"},
        {"lifetime_value", "decimal(12,2)", "DECIMAL(12,2)", "numeric(12,2)", "NUMERIC"}}},
      {"impressions",
       "publisher",
       {{"impression_id", "bigint", "BIGINT", "bigint", "INTEGER"},
        {"hashed_email", "string", "VARCHAR", "text", "TEXT"},
        {"campaign_id", "int", "INTEGER", "integer", "INTEGER"},
        {"ts", "timestamp_ntz", "TIMESTAMP", "timestamp", "TEXT"},
        {"cost", "decimal(10,4)", "DECIMAL(10,4)", "numeric(10,4)", "NUMERIC"},
        {"device", "string", "VARCHAR", "text", "TEXT"}}},
      {"conversions",
       "measurement partner",
       {{"hashed_email", "string", "VARCHAR", "text", "TEXT"},
        {"campaign_id", "int", "INTEGER", "integer", "INTEGER"},
        {"conversion_ts", "timestamp_ntz", "TIMESTAMP", "timestamp", "TEXT"},
        {"conversion_value", "decimal(12,2)", "DECIMAL(12,2)", "numeric(12,2)", "NUMERIC"}}},
  };
  return tables;
}

std::string CsvHeader(const WorkloadTable& table) {
  std::string header;
  for (const WorkloadColumn& column : table.columns) {
    if (!header.empty()) header.push_back(',');
    header += column.name;
  }
  return header;
}

std::string SchemaJson(const WorkloadTable& table) {
  // Names and types are fixed identifiers of ours: nothing to escape.
  std::string json = "{\"columns\": [";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) json += ", ";
    json += "{\"name\": \"" + table.columns[i].name + "\", \"type\": \"" +
            table.columns[i].spark_type + "\"}";
  }
  return json + "]}\n";
}

}  // namespace cleanroom::workload
