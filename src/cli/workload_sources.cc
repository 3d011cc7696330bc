#include "cli/workload_sources.h"

#include "sql/types.h"

namespace cleanroom::cli {

Result<engine::TableSource> WorkloadTableSource(const workload::WorkloadTable& table,
                                                const std::string& dir, engine::Format format) {
  engine::TableSource source;
  source.name = table.name;
  source.format = format;
  if (format == engine::Format::kParquet) {
    source.path = dir + "/" + table.name + ".parquet";
    return source;
  }
  source.path = dir + "/" + table.name + ".csv";
  std::vector<sql::Column> columns;
  for (const workload::WorkloadColumn& column : table.columns) {
    CR_ASSIGN_OR_RETURN(sql::DataType type, sql::ParseTypeName(column.spark_type));
    columns.push_back(sql::Column{column.name, type});
  }
  source.schema = std::move(columns);
  return source;
}

}  // namespace cleanroom::cli
