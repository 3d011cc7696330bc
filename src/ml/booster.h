#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "ml/model_file.h"
#include "ml/training_params.h"

namespace cleanroom::ml {

// Feature rows in memory: `rows` x names.size() floats, row-major, NaN for a missing value.
// The runtime fills it from a checked feature query and wipes it when the job ends.
struct FeatureMatrix {
  std::vector<std::string> names;
  size_t rows = 0;
  std::vector<float> values;
};

// An XGBoost model in this process. Not copyable; movable. Not thread-safe: one job uses one.
class Model {
 public:
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  // Loads a validated model file (ValidateModelFile first; refused files never reach XGBoost).
  static Result<Model> Load(ByteSpan file);

  // Trains a new model on `features` with `labels` (one per row), or, with `start`, continues it:
  // the result holds start's rounds plus params.rounds (training continuation, for fine-tuning).
  // `threads` 0 means every core. The feature names are recorded in the model.
  static Result<Model> Train(const FeatureMatrix& features, std::span<const float> labels,
                             const TrainingParams& params, const Model* start = nullptr,
                             int threads = 0);

  // One prediction per row (the objective's output: a probability for binary:logistic). For
  // multi:softprob, rows x classes values. The matrix's feature names must be the model's.
  Result<std::vector<float>> Predict(const FeatureMatrix& features, int threads = 0) const;

  Result<Bytes> Save(ModelFormat format) const;

  int BoostedRounds() const;
  size_t NumFeatures() const;
  // The feature names the model records (empty when it records none).
  std::vector<std::string> FeatureNames() const;

 private:
  explicit Model(void* handle) : handle_(handle) {}
  void* handle_ = nullptr;  // BoosterHandle
};

}  // namespace cleanroom::ml
