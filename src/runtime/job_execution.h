#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "govwire/run_record.h"
#include "runtime/run_execution.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {

// Runs the ML job of `spec` (spec.job; docs/ml.md "Runtime"): the feature query checked in the
// row-level-inside mode and run on the engine over the decrypted inputs, the training floor
// (distinct units of each dataset in the training rows, the owner's minTrainingUnits), XGBoost in
// this process on the feature rows, and the output sealed to the recipients: the trained model
// (XGBoost JSON) for training and fine-tuning, the predictions (CSV: the unit keys and
// `prediction`) for inference. Held-out metrics are aggregates in the record's "job" object.
// Plaintext rows and the model never touch a disk. Fills `record` as ExecuteRun does.
Status ExecuteJob(const RunSpec& spec, Storage& storage, govwire::RunRecord& record);

}  // namespace cleanroom::runtime
