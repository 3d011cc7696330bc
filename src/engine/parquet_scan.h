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
// How the engine loads one Parquet file.
enum class ParquetLoadPath {
  kVerifyThenDuckDb,  // verified page by page, then DuckDB's read_parquet copies it
  kScan,              // cleanroom_parquet_scan alone: one pass, validated as it loads
};
struct ParquetLoadChoice {
  ParquetLoadPath path = ParquetLoadPath::kVerifyThenDuckDb;
  // Whether DuckDB's own reader is expected to read the file: false for a codec or encoding
  // the linked DuckDB refuses (LZ4 with or without Hadoop framing, BYTE_STREAM_SPLIT on other
  // than FLOAT / DOUBLE columns).
  bool duckdb_reads = true;
};
// Chooses from the footer (which this opens and checks; DataLoss when it is corrupt): kScan
// when DuckDB refuses the file, kVerifyThenDuckDb otherwise. (A one-pass load of files DuckDB
// reads saves 12 to 15% CPU but is slower in wall time: DuckDB inserts from a C API table
// function on one thread, while verification and its own read_parquet use every core.)
// With `image`, for a validated image (uncompressed): only encodings matter, not the codec.
Result<ParquetLoadChoice> ChooseParquetLoad(const std::string& path, bool image = false);
// The same for a file held in memory; `name` appears in errors.
Result<ParquetLoadChoice> ChooseParquetLoadBytes(ByteSpan data, const std::string& name,
                                                 bool image = false);
// Validates every page of every file matched by `path_or_glob`; DataLoss names file, row
// group, column and page.
Status VerifyParquetInput(const std::string& path_or_glob, size_t threads);
// The same for a file held in memory (decrypted plaintext); `name` appears in errors.
Status VerifyParquetBytes(ByteSpan data, const std::string& name, size_t threads);

}  // namespace cleanroom::engine
