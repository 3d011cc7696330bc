#pragma once

// The validating Parquet reader (formats) in front of DuckDB; implemented in parquet_scan.cc.

#include <duckdb.h>

#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::engine {

// Registers the table function cleanroom_parquet_scan(path [, read_ahead := BOOLEAN]) on
// `connection`: DuckDB reads a Parquet file through our reader, which validates every page it
// hands over (a corrupt page fails the statement; for files DuckDB's own reader refuses). With
// read_ahead, each scanning thread decodes the next row group on a thread of its own while
// DuckDB consumes the current one (for CREATE TABLE AS, which DuckDB runs on one thread to keep
// the row order). Used only while inputs load, before the engine is locked; the emitter never
// names it.
Status RegisterParquetScan(duckdb_connection connection);
// Whether DuckDB's own reader is expected to read the file at `path`, judged from its footer
// (which this opens and checks): false for a codec or encoding the linked DuckDB refuses (LZ4
// with or without Hadoop framing, BYTE_STREAM_SPLIT on other than FLOAT / DOUBLE columns). Such
// files load in one pass through cleanroom_parquet_scan. DataLoss when the footer is corrupt.
Result<bool> DuckDbReadsParquet(const std::string& path);
// The same for a file held in memory; `name` appears in errors.
Result<bool> DuckDbReadsParquetBytes(ByteSpan data, const std::string& name);
// Validates every page of every file matched by `path_or_glob`; DataLoss names file, row
// group, column and page.
Status VerifyParquetInput(const std::string& path_or_glob, size_t threads);
// The same for a file held in memory (decrypted plaintext); `name` appears in errors.
Status VerifyParquetBytes(ByteSpan data, const std::string& name, size_t threads);

}  // namespace cleanroom::engine
