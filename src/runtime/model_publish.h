#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "runtime/dataset_publish.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {

// What a model owner publishes (docs/ml.md "Model document"): an XGBoost JSON or UBJSON model
// file, its name and its policy ({"inferenceFor", "fineTuning", "derivedModelRecipients"}).
struct ModelPublishRequest {
  std::string file;
  std::string name;
  nlohmann::json policy = nlohmann::json::object();
};

// Validates the model file (ml::ValidateModelFile: the deprecated binary format and memory
// snapshots are refused, saying how to save an accepted file; the file must name its features),
// encrypts it with a fresh key into storage under models/, and builds the model document from
// what the file says (format, features, objective). InvalidArgument otherwise; nothing stored.
Result<PublishedDataset> PublishModel(const ModelPublishRequest& request, Storage& storage);

}  // namespace cleanroom::runtime
