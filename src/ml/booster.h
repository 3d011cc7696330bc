#pragma once

#include <cstddef>
#include <cstdint>
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

// Feature rows handed to XGBoost (its DMatrix, XGBoost's own copy of the floats), built once for
// training and then reused for the leaf check. Not copyable; movable.
class DataMatrix {
 public:
  DataMatrix(DataMatrix&&) noexcept;
  DataMatrix& operator=(DataMatrix&&) noexcept;
  ~DataMatrix();

  // `values`: rows x names.size() floats, row-major, NaN for missing, straight from the caller's
  // array (no text, no intermediate copy); XGBoost copies them into its own pages.
  static Result<DataMatrix> FromDense(std::span<const float> values, size_t rows,
                                      const std::vector<std::string>& names, int threads = 0);

  size_t rows() const { return rows_; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  friend class Model;
  DataMatrix() = default;
  void* handle_ = nullptr;  // DMatrixHandle
  size_t rows_ = 0;
  std::vector<std::string> names_;
};

// The leaf each row reaches in each tree of a range: leaf[row * trees + tree] (the node index
// XGBoost gives the leaf in that tree).
struct LeafIndices {
  size_t rows = 0;
  size_t trees = 0;
  std::vector<uint32_t> leaf;
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
  // The same on rows already handed to XGBoost.
  static Result<Model> Train(const DataMatrix& rows, std::span<const float> labels,
                             const TrainingParams& params, const Model* start = nullptr,
                             int threads = 0);

  // The leaf every row of `rows` reaches in each tree of rounds [first_round, end_round):
  // what the runtime counts privacy units per leaf with (a leaf's value is an aggregate of the
  // labels of the training rows that reach it).
  Result<LeafIndices> PredictLeaves(const DataMatrix& rows, int first_round, int end_round,
                                    int threads = 0) const;

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
