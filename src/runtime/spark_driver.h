#pragma once

// The Spark driver of the Spark engine: a JVM this process starts (spark-submit of
// org.cleanroom.spark.SqlDriver from our jar, spark/) and talks to over its standard input and
// output (the protocol is described in SqlDriver.java). What crosses the pipe: SQL our front end
// emitted, the inputs' container paths and their data keys (never on disk or on a command line),
// and back counts, rows and error text without values.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::runtime {

struct SparkDriverOptions {
  // spark://HOST:PORT of a standalone master, or local[N].
  std::string master;
  // Spark's installation (its bin/spark-submit); empty: $SPARK_HOME.
  std::string spark_home;
  // Our jar (spark/target/cleanroom-spark-*.jar); empty: $CLEANROOM_SPARK_JAR.
  std::string jar;
  std::string executor_memory = "512m";
  // Attested executors (spark_attestation.h): the driver runs our AttestationPlugin, executors
  // get keys only sealed to their verified evidence, and the loopback key server (the test hook)
  // is not started. Ignored for local[N], whose tasks run in the driver. Set by the runtime.
  bool attested_executors = false;
};

// What one executor reported through the attestation plugin.
struct SparkExecutorReport {
  std::string executor;  // Spark's executor id
  Bytes public_key;      // X25519, 32 bytes
  std::string evidence;  // evidence JSON, or "none: reason" when the executor made none
};

// One cell of a row from Spark: nullopt for NULL.
using SparkRow = std::vector<std::optional<std::string>>;

// A running driver. Not thread-safe: one caller at a time.
class SparkDriver {
 public:
  // Starts the driver JVM (the Spark session starts before the first answer). The driver's own
  // output goes to the file named by $CLEANROOM_SPARK_LOG, else nowhere.
  static Result<std::unique_ptr<SparkDriver>> Start(const SparkDriverOptions& options);
  // Closes the session and waits for the JVM.
  ~SparkDriver();
  SparkDriver(const SparkDriver&) = delete;
  SparkDriver& operator=(const SparkDriver&) = delete;

  // The container at `path` (an absolute path) as the temp view `name`, read with Spark's reader
  // of `format` (parquet, csv, json); `schema` a Spark DDL string or empty (the file's own).
  Status AddTable(const std::string& name, const std::string& format, const std::string& path,
                  ByteSpan key, const std::string& schema);
  Status Execute(const std::string& sql);
  // The first row of a query of counts.
  Result<std::vector<int64_t>> QueryCounts(const std::string& sql);
  // Every row of a query whose columns are strings, in order; `columns` receives their count.
  Result<std::vector<SparkRow>> QueryRows(const std::string& sql, size_t* columns);
  // With attested executors: waits for `count` executors' reports; `challenge` receives the
  // application's challenge their report_data binds.
  Result<std::vector<SparkExecutorReport>> ExecutorReports(int count, Bytes* challenge);
  // Hands the driver a data key sealed (HPKE) to one executor, for that executor only.
  Status SealedKey(const std::string& executor, const std::string& key_id_hex, ByteSpan enc,
                   ByteSpan ciphertext);
  // Drops the cached tables and temp views of the programs run so far (not the inputs).
  Status Reset();

 private:
  SparkDriver(pid_t pid, int to_driver, int from_driver)
      : pid_(pid), to_driver_(to_driver), from_driver_(from_driver) {}
  // Sends one request and returns the response's payload (an error response as its Status).
  Result<Bytes> Call(std::string_view request);

  pid_t pid_;
  int to_driver_;
  int from_driver_;
};

}  // namespace cleanroom::runtime
