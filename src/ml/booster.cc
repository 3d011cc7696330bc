#include "ml/booster.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace cleanroom::ml {
namespace {

// XGBoost's own messages can carry values (labels, parameters, file names), and its log goes to
// stderr: the log is dropped and errors are replaced by fixed texts per operation.
void DropLog(const char*) {}

void ConfigureOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    XGBRegisterLogCallback(DropLog);
    XGBSetGlobalConfig(R"({"verbosity": 0})");
  });
}

Status Failed(const char* what) { return Status::InvalidArgument(std::string("XGBoost: ") + what); }

int Threads(int threads) {
  if (threads > 0) return threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

Result<DataMatrix> ToMatrix(const FeatureMatrix& features, int threads) {
  return DataMatrix::FromDense(features.values, features.rows, features.names, threads);
}

}  // namespace

DataMatrix::DataMatrix(DataMatrix&& other) noexcept
    : handle_(other.handle_), rows_(other.rows_), names_(std::move(other.names_)) {
  other.handle_ = nullptr;
}

DataMatrix& DataMatrix::operator=(DataMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_) XGDMatrixFree(handle_);
    handle_ = other.handle_;
    rows_ = other.rows_;
    names_ = std::move(other.names_);
    other.handle_ = nullptr;
  }
  return *this;
}

DataMatrix::~DataMatrix() {
  if (handle_) XGDMatrixFree(handle_);
}

Result<DataMatrix> DataMatrix::FromDense(std::span<const float> values, size_t rows,
                                         const std::vector<std::string>& names, int threads) {
  ConfigureOnce();
  const size_t columns = names.size();
  if (columns == 0) return Status::InvalidArgument("feature matrix: no feature columns");
  if (values.size() != rows * columns) {
    return Status::InvalidArgument("feature matrix: values do not fill rows x features");
  }
  DataMatrix out;
  out.rows_ = rows;
  out.names_ = names;
  if (XGDMatrixCreateFromMat_omp(values.data(), rows, columns, NAN, &out.handle_,
                                 Threads(threads)) != 0) {
    return Failed("could not build the feature matrix");
  }
  std::vector<const char*> pointers;
  pointers.reserve(names.size());
  for (const std::string& n : names) pointers.push_back(n.c_str());
  if (XGDMatrixSetStrFeatureInfo(out.handle_, "feature_name", pointers.data(), pointers.size()) !=
      0) {
    return Failed("could not name the features");
  }
  return out;
}

Model::Model(Model&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }

Model& Model::operator=(Model&& other) noexcept {
  if (this != &other) {
    if (handle_) XGBoosterFree(handle_);
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

Model::~Model() {
  if (handle_) XGBoosterFree(handle_);
}

Result<Model> Model::Load(ByteSpan file) {
  ConfigureOnce();
  CR_RETURN_IF_ERROR(ValidateModelFile(file).status());
  BoosterHandle handle = nullptr;
  if (XGBoosterCreate(nullptr, 0, &handle) != 0) return Failed("could not create a booster");
  Model model(handle);
  if (XGBoosterLoadModelFromBuffer(handle, file.data(), file.size()) != 0) {
    return Failed("could not load the model file");
  }
  return model;
}

Result<Model> Model::Train(const FeatureMatrix& features, std::span<const float> labels,
                           const TrainingParams& params, const Model* start, int threads) {
  if (labels.size() != features.rows) {
    return Status::InvalidArgument("training: one label per feature row is needed");
  }
  if (features.rows == 0) return Status::InvalidArgument("training: no rows");
  CR_ASSIGN_OR_RETURN(DataMatrix train, ToMatrix(features, threads));
  return Train(train, labels, params, start, threads);
}

Result<Model> Model::Train(const DataMatrix& train, std::span<const float> labels,
                           const TrainingParams& params, const Model* start, int threads) {
  ConfigureOnce();
  threads = Threads(threads);
  if (labels.size() != train.rows()) {
    return Status::InvalidArgument("training: one label per feature row is needed");
  }
  if (train.rows() == 0) return Status::InvalidArgument("training: no rows");
  for (float label : labels) {
    if (!std::isfinite(label))
      return Status::InvalidArgument("training: a label is missing or not finite");
  }
  if (params.rounds < 1 || params.rounds > kMaxRounds) {
    return Status::InvalidArgument("training: rounds out of range");
  }
  if (XGDMatrixSetFloatInfo(train.handle_, "label", labels.data(), labels.size()) != 0) {
    return Failed("could not set the labels");
  }
  BoosterHandle handle = nullptr;
  DMatrixHandle cache[] = {train.handle_};
  if (XGBoosterCreate(cache, 1, &handle) != 0) return Failed("could not create a booster");
  Model model(handle);
  int first_round = 0;
  if (start != nullptr) {
    if (start->NumFeatures() != train.names().size()) {
      return Status::InvalidArgument("training: the starting model has another number of features");
    }
    CR_ASSIGN_OR_RETURN(Bytes saved, start->Save(ModelFormat::kUbjson));
    if (XGBoosterLoadModelFromBuffer(handle, saved.data(), saved.size()) != 0) {
      return Failed("could not load the starting model");
    }
    first_round = start->BoostedRounds();
  }
  for (const auto& [key, value] : params.xgboost) {
    if (XGBoosterSetParam(handle, key.c_str(), value.c_str()) != 0) {
      return Status::InvalidArgument("XGBoost: parameter '" + key + "' was refused");
    }
  }
  if (XGBoosterSetParam(handle, "nthread", std::to_string(threads).c_str()) != 0) {
    return Failed("could not set the thread count");
  }
  for (int i = 0; i < params.rounds; ++i) {
    if (XGBoosterUpdateOneIter(handle, first_round + i, train.handle_) != 0) {
      return Failed("training failed (do the labels fit the objective?)");
    }
  }
  // The model records its feature names, so inference can check it is given the same columns.
  std::vector<const char*> names;
  for (const std::string& n : train.names()) names.push_back(n.c_str());
  if (XGBoosterSetStrFeatureInfo(handle, "feature_name", names.data(), names.size()) != 0) {
    return Failed("could not record the feature names");
  }
  return model;
}

Result<std::vector<float>> Model::Predict(const FeatureMatrix& features, int threads) const {
  threads = Threads(threads);
  if (features.names.size() != NumFeatures()) {
    return Status::InvalidArgument(
        "prediction: the rows have another number of features than the model");
  }
  std::vector<std::string> model_names = FeatureNames();
  if (!model_names.empty() && model_names != features.names) {
    return Status::InvalidArgument("prediction: the feature names differ from the model's");
  }
  CR_ASSIGN_OR_RETURN(DataMatrix data, ToMatrix(features, threads));
  if (XGBoosterSetParam(handle_, "nthread", std::to_string(threads).c_str()) != 0) {
    return Failed("could not set the thread count");
  }
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(handle_, data.handle_, config, &shape, &dims, &result) != 0) {
    return Failed("prediction failed");
  }
  size_t count = 1;
  for (bst_ulong i = 0; i < dims; ++i) count *= shape[i];
  return std::vector<float>(result, result + count);
}

Result<LeafIndices> Model::PredictLeaves(const DataMatrix& rows, int first_round, int end_round,
                                         int threads) const {
  if (first_round < 0 || first_round > end_round || end_round > BoostedRounds()) {
    return Status::InvalidArgument("leaf prediction: the rounds are out of range");
  }
  LeafIndices out;
  out.rows = rows.rows();
  if (first_round == end_round || rows.rows() == 0) return out;
  if (XGBoosterSetParam(handle_, "nthread", std::to_string(Threads(threads)).c_str()) != 0) {
    return Failed("could not set the thread count");
  }
  // type 6: the leaf index of each row in each tree, shape (rows, trees) with strict_shape off
  // (several trees per round for multi-class objectives are laid out one after another).
  // XGBoost predicts leaves only from the first round on (iteration_begin 0), so the trees of
  // rounds before first_round are predicted too and dropped here.
  const std::string config = R"({"type": 6, "training": false, "iteration_begin": 0, )"
                             R"("iteration_end": )" +
                             std::to_string(end_round) + R"(, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(handle_, rows.handle_, config.c_str(), &shape, &dims, &result) !=
      0) {
    return Failed("leaf prediction failed");
  }
  size_t count = 1;
  for (bst_ulong i = 0; i < dims; ++i) count *= shape[i];
  const size_t all_trees = count / rows.rows();
  if (dims < 1 || shape[0] != rows.rows() || count % rows.rows() != 0 ||
      all_trees % static_cast<size_t>(end_round) != 0) {
    return Failed("leaf prediction has an unexpected shape");
  }
  const size_t skipped =
      all_trees / static_cast<size_t>(end_round) * static_cast<size_t>(first_round);
  out.trees = all_trees - skipped;
  out.leaf.resize(out.trees * rows.rows());
  for (size_t r = 0; r < rows.rows(); ++r) {
    for (size_t t = 0; t < out.trees; ++t) {
      out.leaf[r * out.trees + t] = static_cast<uint32_t>(result[r * all_trees + skipped + t]);
    }
  }
  return out;
}

Result<Bytes> Model::Save(ModelFormat format) const {
  const char* config =
      format == ModelFormat::kJson ? R"({"format": "json"})" : R"({"format": "ubj"})";
  bst_ulong length = 0;
  const char* data = nullptr;
  if (XGBoosterSaveModelToBuffer(handle_, config, &length, &data) != 0) {
    return Failed("could not save the model");
  }
  return Bytes(reinterpret_cast<const uint8_t*>(data),
               reinterpret_cast<const uint8_t*>(data) + length);
}

int Model::BoostedRounds() const {
  int rounds = 0;
  if (XGBoosterBoostedRounds(handle_, &rounds) != 0) return 0;
  return rounds;
}

size_t Model::NumFeatures() const {
  bst_ulong n = 0;
  if (XGBoosterGetNumFeature(handle_, &n) != 0) return 0;
  return static_cast<size_t>(n);
}

std::vector<std::string> Model::FeatureNames() const {
  bst_ulong count = 0;
  const char** names = nullptr;
  std::vector<std::string> out;
  if (XGBoosterGetStrFeatureInfo(handle_, "feature_name", &count, &names) != 0) return out;
  for (bst_ulong i = 0; i < count; ++i) out.emplace_back(names[i]);
  return out;
}

}  // namespace cleanroom::ml
