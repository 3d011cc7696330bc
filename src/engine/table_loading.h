#pragma once
// Internal to the engine: what table_loader.cc (inputs by path) and memory_input_loader.cc
// (inputs in memory, Parquet images) share.

#include <duckdb.h>

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "engine/engine.h"

namespace cleanroom::engine {

// The size of a huge page (x86-64's 2 MiB), for inputs and images held in reserved huge pages.
inline constexpr uint64_t kHugePage = uint64_t{2} << 20;

// DuckDB's reader over `paths` (a SQL list literal) for `format`.
std::string ReaderSql(Format format, const std::string& paths, const CsvOptions& csv,
                      bool all_varchar);

// Runs `load` with DuckDB on one thread, then restores its thread count.
Status WithOneDuckDbThread(duckdb_connection connection, const std::function<Status()>& load);

}  // namespace cleanroom::engine
