#pragma once

// The validating Parquet reader (formats) in front of DuckDB; implemented in parquet_scan.cc.

#include <duckdb.h>

#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::engine {

// Registers the table function cleanroom_parquet_scan(path) on `connection`: DuckDB reads a
// Parquet file through our reader (for files DuckDB's own reader refuses). Used only while
// inputs load, before the engine is locked; the emitter never names it.
Status RegisterParquetScan(duckdb_connection connection);
// Validates every page of every file matched by `path_or_glob`; DataLoss names file, row
// group, column and page.
Status VerifyParquetInput(const std::string& path_or_glob, size_t threads);
// The same for a file held in memory (decrypted plaintext); `name` appears in errors.
Status VerifyParquetBytes(ByteSpan data, const std::string& name, size_t threads);

}  // namespace cleanroom::engine
