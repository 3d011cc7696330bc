#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ml/model_file.h"
#include "ml/training_params.h"

namespace cleanroom::ml {

// A model as its owner publishes it (docs/ml.md "Model document"): encrypted like a dataset,
// with the policy that says which uses it allows.
struct ModelDocument {
  std::string name;
  ModelFormat format = ModelFormat::kJson;
  std::vector<std::string> features;  // the columns the model reads, in order
  std::string objective;
  // Members whose rows the model may score ("inference.scoredDataOwners"); empty: none.
  std::vector<std::string> inference_for;
  bool fine_tuning = false;  // may be continued on other parties' data
  // Members who may receive a model derived from this one by fine-tuning.
  std::vector<std::string> derived_model_recipients;
  std::string location;
  std::string content_hash;  // hex sha256-tree-v1 of the ciphertext
  std::string key_id;
};

// What a job does with the collaboration's data.
enum class JobKind { kTraining, kFineTuning, kInference };
std::string_view JobKindName(JobKind kind);

// A training, fine-tuning or inference job as an analyst proposes it (docs/ml.md "Job
// document"). The feature query's output columns are the features (and the label).
struct JobDocument {
  std::string name;
  JobKind kind = JobKind::kTraining;
  std::vector<std::string> steps;  // the feature query (Spark SQL; earlier steps temp views)
  std::string label;               // training and fine-tuning: the label column
  std::string model;               // fine-tuning and inference: the published model's name
  std::optional<TrainingParams> training;  // training and fine-tuning
  double held_out_fraction = 0;            // 0: no held-out evaluation
  std::vector<std::string> metrics;        // computed on the held-out rows
  enum class Predictions { kScores, kLabels } predictions = Predictions::kScores;  // inference
  int decimals = -1;                    // inference: scores rounded to this many; -1 none
  std::vector<std::string> recipients;  // member ids
};

// Parse and check a document: every field known and typed, the fields each kind needs present
// and the ones it does not take absent, training parameters on the allow-list. InvalidArgument
// naming the field ("job.training.params.max_dept") otherwise; never a value from the document.
Result<ModelDocument> ParseModelDocument(const nlohmann::json& document);
Result<JobDocument> ParseJobDocument(const nlohmann::json& document);

// The checks between a job and the model it uses that need no data: the model allows this kind
// of use (fine-tuning allowed; inference for the requesting data owners), and the job's
// recipients of a derived model are ones the model's owner allowed. `data_owners`: the owners of
// the datasets the feature query reads. PermissionDenied saying which rule, otherwise.
Status CheckJobAgainstModel(const JobDocument& job, const ModelDocument& model,
                            const std::string& model_owner,
                            const std::vector<std::string>& data_owners);

}  // namespace cleanroom::ml
