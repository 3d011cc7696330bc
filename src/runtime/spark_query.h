#pragma once

// A policy-checked query on the Spark engine: the same check as checked_query.h, the program
// written in Spark SQL (sql/emitter/spark_emitter.h), run by a SparkDriver over the inputs as
// encrypted containers read through crenc://, and the result handed back as an engine result so
// that everything after (suppression notes, output formats) is the embedded engine's path.

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/engine.h"
#include "privacy/checker.h"
#include "runtime/checked_query.h"
#include "runtime/spark_attestation.h"
#include "runtime/spark_driver.h"

namespace cleanroom::runtime {

// The check of checked_query.h's CompileChecked with the program written for Spark (no hidden
// unit columns: Spark hashes the unit in the query).
Result<privacy::CheckedProgram> CompileCheckedForSpark(engine::Engine& engine,
                                                       std::string_view text,
                                                       const privacy::PolicyFile& policies);

// The inputs of a Spark run, shipped from the tables loaded in an engine: each table written as
// Parquet into anonymous memory, encrypted with a fresh data key into a container in a private
// folder of this object's (removed with it), and registered with the driver with its key. The
// plaintext is never on disk; the key crosses only the driver's pipe.
class SparkInputs {
 public:
  static Result<std::unique_ptr<SparkInputs>> Create();
  ~SparkInputs();
  SparkInputs(const SparkInputs&) = delete;
  SparkInputs& operator=(const SparkInputs&) = delete;

  // Ships every table of `engine` that `policies` names (its visible columns; not the hidden
  // unit columns). `executors` not null: each table's key is also sealed to each of these
  // attested executors (SealKeyToExecutors). REQUIRES: the engine's catalog is current.
  Status Ship(engine::Engine& engine, SparkDriver& driver, const privacy::PolicyFile& policies,
              const std::vector<AttestedExecutor>* executors = nullptr);

 private:
  explicit SparkInputs(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  int shipped_ = 0;
};

// Runs a program from CompileCheckedForSpark on the driver: pre-conditions, threshold tables and
// suppression counts as RunPreparation runs them, then the result, which is loaded into a temp
// table of `engine` with the program's output types and returned from there in Spark's order.
// REQUIRES: the inputs were shipped; the engine is locked (or LockFileAccess).
Result<CheckedResult> RunCheckedOnSpark(engine::Engine& engine, SparkDriver& driver,
                                        const privacy::CheckedProgram& program);

// The whole Spark run of a program from CompileCheckedForSpark: starts a driver (one per call:
// the application's executors, and the keys they hold, end with it), with `attestation` (not
// null, a spark:// master) verifies its executors before anything is shipped, ships the engine's
// tables that `policies` names, locks the engine and runs the program (RunCheckedOnSpark). The
// result lives in `engine`, so it outlives the driver. REQUIRES: every input is loaded into
// `engine`.
Result<CheckedResult> RunProgramOnSpark(engine::Engine& engine,
                                        const privacy::CheckedProgram& program,
                                        const privacy::PolicyFile& policies,
                                        const SparkDriverOptions& options,
                                        const ExecutorAttestation* attestation = nullptr);

}  // namespace cleanroom::runtime
