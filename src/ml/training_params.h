#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "base/status.h"

namespace cleanroom::ml {

// What a training or fine-tuning job asks of XGBoost, as approved with the job.
struct TrainingParams {
  // XGBoost parameter name -> value, as XGBoosterSetParam takes them. Only allow-listed names,
  // each with its value checked; nthread and verbosity are the runtime's, never the job's.
  std::map<std::string, std::string> xgboost;
  int rounds = 0;  // boosting rounds to add (1 to kMaxRounds)
};

inline constexpr int kMaxRounds = 10000;

// Parses {"rounds": n, "params": {name: value, ...}}. Unknown keys, parameters outside the
// allow-list (docs/ml.md) and values out of range are InvalidArgument naming the key: a
// parameter is never passed on to be ignored.
Result<TrainingParams> ParseTrainingParams(const nlohmann::json& job, std::string_view where);

}  // namespace cleanroom::ml
