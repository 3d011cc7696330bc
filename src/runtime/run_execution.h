#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/container.h"
#include "crypto/signature.h"
#include "govwire/run_record.h"
#include "runtime/sealed_result.h"
#include "runtime/spark_attestation.h"
#include "runtime/spark_driver.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {

// One dataset a run reads, with its key (released to this runtime).
struct RunInput {
  nlohmann::json document;  // the registered dataset document (docs/api.md "Dataset")
  int64_t version = 0;
  std::string document_hash;  // governance's hash of the document, for the record
  const crypto::container::DataKey* key = nullptr;
  // A published model (governance's DatasetRecord::is_model, from the work order): an ML job's
  // model, never a table.
  bool is_model = false;
};

// Everything one run needs once its keys are released.
struct RunSpec {
  std::string run_id;
  std::string query_id;
  std::string query_hash;
  std::vector<std::string> steps;                    // the query's SQL steps, in order
  nlohmann::json guards = nlohmann::json::object();  // the query's guards (docs/privacy.md)
  // The query's privacy settings (differential privacy): validated by the privacy check, then
  // refused (Unimplemented) until the DP rewrite exists.
  nlohmann::json privacy = nlohmann::json::object();
  std::string output_format = "csv";  // csv or ndjson
  std::vector<RunInput> inputs;
  std::vector<ResultRecipient> recipients;
  std::string evidence_kind;    // "simulated" (insecure) or "sev-snp"
  std::string evidence_digest;  // hex SHA-256 of the evidence JSON presented for the keys
  // The privacy budget charges governance made with the release, stated in the record.
  std::vector<govwire::RunBudgetCharge> budget;
  int engine_threads = 0;  // 0: every core
  // The Spark engine (docs/spark.md): when set, the checked program runs on a Spark driver
  // started for this run with these options (runtime/spark_query.h); null: the embedded engine.
  const SparkDriverOptions* spark = nullptr;
  // With `spark` on a spark:// master: its executors' attestation (required there: keys go
  // only to verified executors).
  const ExecutorAttestation* spark_attestation = nullptr;
  // An ML job (docs/ml.md): the job document, when the work order's document is one (then
  // `steps` is its feature query and the input marked is_model its model); null for a SQL query.
  nlohmann::json job;
};

// What a run did: OK and the record, or the failure and a record saying why. The record is the
// wire type governance reads (docs/runtime.md "Run record"); the runtime adds its key and signs.
struct RunOutcome {
  Status status;
  govwire::RunRecord record;
};

// Runs the checked query of `spec` on its encrypted inputs, with their keys:
//   1. reads each ciphertext from storage and checks its SHA-256 against the document's
//      contentHash (DataLoss otherwise);
//   2. decrypts it in memory and loads it into a fresh engine through memory (memfd) with the
//      document's declared schema, never through a file on disk;
//   3. locks the engine, compiles the steps under the datasets' policies and the query's guards
//      (CompileChecked) and runs them (RunChecked): pre-conditions, thresholds, suppression;
//      with `spec.spark`, the same check written for Spark and run on a driver started for the
//      run (RunProgramOnSpark), the result back in the engine;
//   4. writes the result in the output format in memory, seals it to every recipient and stores
//      it (StoreSealedResult).
// A failure at any step returns its Status (the reason is in the record: code and message, which
// never hold data values or keys) and removes anything the run stored.
RunOutcome ExecuteRun(const RunSpec& spec, Storage& storage);

}  // namespace cleanroom::runtime
