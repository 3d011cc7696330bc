#pragma once

#include <string>

#include "base/status.h"

namespace cleanroom::runtime {

// What the runtime's measurement covers and its value.
struct Measurement {
  std::string binary_path;    // the running executable (/proc/self/exe)
  std::string binary_sha384;  // hex
  std::string duckdb_path;    // the libduckdb this process loaded (dladdr on duckdb_open)
  std::string duckdb_sha384;  // hex
  // hex SHA-384("cleanroom.measurement.v1" || 0x00 || SHA-384(binary) || SHA-384(libduckdb)):
  // the value members put in the contract's allowedMeasurements.
  std::string value;
};

// Measures everything in this process that handles plaintext: the executable and the DuckDB
// library it loads. Internal when either cannot be read.
Result<Measurement> MeasureRuntime();

}  // namespace cleanroom::runtime
