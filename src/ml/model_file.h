#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::ml {

// The two model file formats a clean room accepts: XGBoost's JSON and its Universal Binary JSON.
enum class ModelFormat { kJson, kUbjson };

std::string_view ModelFormatName(ModelFormat format);  // "json" or "ubjson"

// What a model file says about itself, read while it is validated.
struct ModelFileSummary {
  ModelFormat format = ModelFormat::kJson;
  std::string booster;    // gbtree, dart or gblinear
  std::string objective;  // e.g. binary:logistic
  int64_t num_features = 0;
  std::vector<std::string> feature_names;  // empty when the file names none
  std::vector<int64_t> version;            // the XGBoost version that wrote it
};

// Limits of a model file, checked before XGBoost's own parser (which recurses) sees it.
struct ModelFileLimits {
  size_t max_bytes = size_t{1} << 30;  // 1 GiB
  int max_depth = 32;                  // real models nest about 8 deep
  uint64_t max_elements = uint64_t{1} << 28;
};

// Validates a model file: XGBoost JSON or UBJSON with a `learner` and a `version`, nested no
// deeper than the limits allow, its feature count and names consistent. The deprecated binary
// format and memory snapshots (`Config` + `Model`, which carry training state) are refused with
// InvalidArgument saying so. Errors never echo the file's contents.
Result<ModelFileSummary> ValidateModelFile(ByteSpan file, const ModelFileLimits& limits = {});

}  // namespace cleanroom::ml
