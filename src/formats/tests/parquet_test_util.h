#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "formats/parquet_reader.h"

namespace cleanroom::formats::testing {

using Table = std::vector<std::vector<std::string>>;

// The parquet-testing directory (CLEANROOM_TESTDATA overrides the built-in path).
std::string ParquetTestDataDir();

// parquet-testing's rle-dict-snappy-checksum.parquet (page CRCs, two fields) with one byte
// flipped in the middle of its first column chunk (row group 0, field 0).
Result<std::string> CorruptChecksumFile();

// Every row of every row group, each value rendered with RenderValue.
Result<Table> ReadAllRendered(const std::string& path);

// A cell normalised for comparison with another renderer: booleans as 0/1, numbers compared
// as numbers elsewhere.
std::string NormalizeCell(const std::string& cell);
// Whether two rendered cells denote the same value (numbers within a relative 1e-6).
bool SameCell(const std::string& a, const std::string& b);

// Compares two tables; returns an empty string when equal, else a description of the first
// difference (test output only).
std::string DiffTables(const Table& got, const Table& want);

}  // namespace cleanroom::formats::testing
