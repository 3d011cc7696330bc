#pragma once

#include <duckdb.h>

#include <cstddef>

#include "base/status.h"
#include "engine/query_result.h"

namespace cleanroom::engine {

// Reads column `column` of `chunk` as floats, straight from DuckDB's vector (no text): the value
// of row r goes to out[r * stride], NaN for NULL. Booleans are 0 or 1; integers, floating point
// and decimals (scaled) are converted to the nearest float. `type` is the column's DuckDB type
// (QueryResult::duckdb_type). InvalidArgument naming the column index for any other type. What
// the clean room's ML jobs read feature rows with (runtime/job_execution.cc).
Status ReadFloats(const Chunk& chunk, idx_t column, duckdb_logical_type type, float* out,
                  size_t stride);

}  // namespace cleanroom::engine
