#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "engine/query_result.h"

namespace cleanroom::engine {

// Writes `result` as a Parquet file at `path` (overwritten). The query's engine is locked and
// cannot write files, so a second, private in-memory DuckDB receives only the result's chunks
// through an appender and COPYs them out; it never sees the inputs or the SQL. The whole result
// is held by that database until written, then written to `path` itself (no temporary beside
// it, so a memory file /proc/self/fd/N works). Callers wanting atomicity pass a temporary path
// (WriteResultToFile does).
Status WriteParquet(QueryResult& result, const std::string& path, uint64_t* rows);

}  // namespace cleanroom::engine
