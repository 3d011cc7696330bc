#pragma once

#include <duckdb.h>

#include <cstdint>

#include "engine/query_result.h"

namespace cleanroom::engine {

// The 64-bit hash of every value of column `column` of `chunk` into out[r] (0 for NULL, never
// for a value), straight from DuckDB's vector for strings and fixed-width integers (no text);
// other types are hashed through their text. Two equal values of one column have equal hashes;
// different values collide with probability about 2^-64. What the clean room's ML jobs count
// distinct privacy units with (runtime/job_execution.cc): a collision can only make a count
// smaller, so the floors it checks fail closed.
void HashKeys(const Chunk& chunk, idx_t column, duckdb_logical_type type, uint64_t* out);

}  // namespace cleanroom::engine
