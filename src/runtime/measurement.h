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
  // With the Spark engine (MeasureSparkRuntime): our jar, and the Spark distribution's launch
  // scripts and jars ($SPARK_HOME/bin and jars, every regular file by its path, sorted).
  std::string spark_jar_path;
  std::string spark_jar_sha384;
  std::string spark_home;
  std::string spark_sha384;
};

// Measures everything in this process that handles plaintext: the executable and the DuckDB
// library it loads. Internal when either cannot be read.
Result<Measurement> MeasureRuntime();

// The measurement of a runtime whose queries run on Spark: the embedded one's files, our jar and
// the Spark distribution, as
//   hex SHA-384("cleanroom.measurement.spark.v1" || 0x00 || SHA-384(binary) || SHA-384(libduckdb)
//               || SHA-384(jar) || SHA-384(distribution))
// where SHA-384(distribution) is over, for every regular file of $SPARK_HOME/bin and jars sorted
// by relative path: the path, 0x00, SHA-384(file). Members allow it in the contract like the
// embedded value. `spark_home` and `jar` empty: $SPARK_HOME, $CLEANROOM_SPARK_JAR.
Result<Measurement> MeasureSparkRuntime(const std::string& spark_home, const std::string& jar);

}  // namespace cleanroom::runtime
