// The XGBoost layer: model files (accepted formats, bounds, refusals), the parameter allow-list,
// training, continuation and inference, and interoperability with Python's xgboost.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "base/file.h"
#include "ml/booster.h"
#include "ml/model_file.h"
#include "ml/training_params.h"

namespace cleanroom::ml {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Rows whose label is a noisy threshold on two of four features; x3 is missing in some rows.
struct Data {
  FeatureMatrix features;
  std::vector<float> labels;
};

Data MakeData(size_t rows, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Data d;
  d.features.names = {"age", "income", "tenure", "claims"};
  d.features.rows = rows;
  for (size_t r = 0; r < rows; ++r) {
    float x[4];
    for (float& v : x) v = normal(random);
    if (r % 7 == 0) x[3] = NAN;
    d.features.values.insert(d.features.values.end(), x, x + 4);
    d.labels.push_back(x[0] + 0.5f * x[1] + 0.1f * normal(random) > 0.3f ? 1.0f : 0.0f);
  }
  return d;
}

TrainingParams Params(int rounds) {
  auto p = ParseTrainingParams(json{{"rounds", rounds},
                                    {"params",
                                     {{"objective", "binary:logistic"},
                                      {"max_depth", 3},
                                      {"eta", 0.3},
                                      {"tree_method", "hist"},
                                      {"seed", 7}}}},
                               "job.training");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

double Accuracy(const std::vector<float>& predictions, const std::vector<float>& labels) {
  size_t right = 0;
  for (size_t i = 0; i < labels.size(); ++i) right += (predictions[i] > 0.5f) == (labels[i] > 0.5f);
  return static_cast<double>(right) / labels.size();
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("ml_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(MlTraining, LearnsAndRoundTripsThroughBothFormats) {
  Data train = MakeData(2000, 1);
  auto model = Model::Train(train.features, train.labels, Params(20), nullptr, 1);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->BoostedRounds(), 20);
  EXPECT_EQ(model->NumFeatures(), 4u);
  EXPECT_EQ(model->FeatureNames(), train.features.names);
  auto predictions = model->Predict(train.features, 1);
  ASSERT_TRUE(predictions.ok()) << predictions.status().ToString();
  ASSERT_EQ(predictions->size(), 2000u);
  Data held_out = MakeData(1000, 2);
  auto held_out_predictions = model->Predict(held_out.features, 1);
  ASSERT_TRUE(held_out_predictions.ok());
  EXPECT_GT(Accuracy(*held_out_predictions, held_out.labels), 0.9);

  for (ModelFormat format : {ModelFormat::kJson, ModelFormat::kUbjson}) {
    auto file = model->Save(format);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto summary = ValidateModelFile(*file);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->format, format);
    EXPECT_EQ(summary->num_features, 4);
    EXPECT_EQ(summary->feature_names, train.features.names);
    EXPECT_EQ(summary->objective, "binary:logistic");
    EXPECT_EQ(summary->booster, "gbtree");
    auto loaded = Model::Load(*file);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    auto again = loaded->Predict(held_out.features, 1);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *held_out_predictions) << ModelFormatName(format);
  }
}

TEST(MlTraining, ContinuationAddsRoundsToTheStartingModel) {
  Data first = MakeData(1500, 3);
  auto start = Model::Train(first.features, first.labels, Params(5), nullptr, 1);
  ASSERT_TRUE(start.ok());
  Data more = MakeData(1500, 4);
  auto continued = Model::Train(more.features, more.labels, Params(7), &*start, 1);
  ASSERT_TRUE(continued.ok()) << continued.status().ToString();
  EXPECT_EQ(continued->BoostedRounds(), 12);
  EXPECT_EQ(start->BoostedRounds(), 5);  // the starting model is left as it was
  auto a = start->Predict(more.features, 1);
  auto b = continued->Predict(more.features, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);

  FeatureMatrix narrower = more.features;
  narrower.names.pop_back();
  narrower.values.clear();
  for (size_t r = 0; r < narrower.rows; ++r) {
    for (size_t c = 0; c < 3; ++c) narrower.values.push_back(more.features.values[r * 4 + c]);
  }
  EXPECT_EQ(Model::Train(narrower, more.labels, Params(2), &*start, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MlTraining, InferenceChecksTheColumns) {
  Data d = MakeData(500, 5);
  auto model = Model::Train(d.features, d.labels, Params(3), nullptr, 1);
  ASSERT_TRUE(model.ok());
  FeatureMatrix renamed = d.features;
  std::swap(renamed.names[0], renamed.names[1]);  // same count, columns in another order
  auto refused = model->Predict(renamed, 1);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  FeatureMatrix ragged = d.features;
  ragged.values.pop_back();
  EXPECT_EQ(model->Predict(ragged, 1).status().code(), StatusCode::kInvalidArgument);
}

TEST(MlTraining, BadLabelsAreRefusedWithoutValues) {
  Data d = MakeData(100, 6);
  d.labels[17] = NAN;
  auto refused = Model::Train(d.features, d.labels, Params(2), nullptr, 1);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  d.labels[17] = 12345.678f;  // outside [0, 1] for binary:logistic: XGBoost refuses it
  refused = Model::Train(d.features, d.labels, Params(2), nullptr, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find("12345"), std::string::npos)
      << refused.status().message();
  std::vector<float> short_labels(d.labels.begin(), d.labels.end() - 1);
  EXPECT_FALSE(Model::Train(d.features, short_labels, Params(2), nullptr, 1).ok());
}

TEST(MlParams, OnlyTheAllowListWithCheckedValues) {
  struct Case {
    json job;
    const char* names;
  } cases[] = {
      {{{"rounds", 10}, {"params", {{"updater", "refresh"}}}}, "updater"},
      {{{"rounds", 10}, {"params", {{"nthread", 64}}}}, "nthread"},
      {{{"rounds", 10}, {"params", {{"max_dept", 3}}}}, "max_dept"},
      {{{"rounds", 10}, {"params", {{"eta", 2.0}}}}, "eta"},
      {{{"rounds", 10}, {"params", {{"eta", "0.3"}}}}, "eta"},
      {{{"rounds", 10}, {"params", {{"max_depth", 3.5}}}}, "max_depth"},
      {{{"rounds", 10}, {"params", {{"objective", "reg:custom"}}}}, "objective"},
      {{{"rounds", 10}, {"params", {{"booster", "gblinear"}}}}, "booster"},
      {{{"rounds", 10}, {"params", {{"num_class", 3}}}}, "num_class"},
      {{{"rounds", 10}, {"params", {{"objective", "multi:softprob"}}}}, "num_class"},
      {{{"rounds", 0}}, "rounds"},
      {{{"rounds", 10001}}, "rounds"},
      {{{"rounds", 10}, {"epochs", 3}}, "epochs"},
  };
  for (const Case& c : cases) {
    auto p = ParseTrainingParams(c.job, "job.training");
    ASSERT_FALSE(p.ok()) << c.job.dump();
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.names), std::string::npos) << p.status().message();
  }
  auto ok = ParseTrainingParams(
      json{{"rounds", 3}, {"params", {{"objective", "multi:softprob"}, {"num_class", 3}}}}, "job");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->xgboost.at("num_class"), "3");
}

TEST(MlModelFile, RefusesWhatIsNotAModelWithoutEchoingIt) {
  Data d = MakeData(200, 8);
  auto model = Model::Train(d.features, d.labels, Params(2), nullptr, 1);
  ASSERT_TRUE(model.ok());
  auto file = model->Save(ModelFormat::kJson);
  ASSERT_TRUE(file.ok());
  json doc = json::parse(file->begin(), file->end());

  // A memory snapshot: training state beside the model.
  json snapshot = {{"Config", {{"learner", {{"secret_marker_1", 1}}}}}, {"Model", doc}};
  std::string text = snapshot.dump();
  auto refused = ValidateModelFile(AsBytes(text));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("snapshot"), std::string::npos);
  EXPECT_FALSE(Model::Load(AsBytes(text)).ok());

  // The old binary format, and other bytes.
  for (const std::string& bytes : {std::string("binf\x01\x02\x03secret_marker_2", 22),
                                   std::string("\x00\x00\x00\x3f secret_marker_2", 20),
                                   std::string("not a model secret_marker_2")}) {
    auto r = ValidateModelFile(AsBytes(bytes));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("deprecated binary"), std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find("secret_marker"), std::string::npos);
  }

  // Consistency: feature names that do not match the feature count; a missing learner.
  json wrong = doc;
  wrong["learner"]["feature_names"].push_back("secret_marker_3");
  text = wrong.dump();
  refused = ValidateModelFile(AsBytes(text));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message().find("secret_marker"), std::string::npos);
  text = json{{"version", {1, 7, 4}}}.dump();
  EXPECT_FALSE(ValidateModelFile(AsBytes(text)).ok());
  // Truncated files in both formats.
  for (ModelFormat format : {ModelFormat::kJson, ModelFormat::kUbjson}) {
    auto saved = model->Save(format);
    ASSERT_TRUE(saved.ok());
    for (size_t cut : {saved->size() / 2, saved->size() - 1}) {
      ByteSpan head(saved->data(), cut);
      EXPECT_FALSE(ValidateModelFile(head).ok()) << ModelFormatName(format) << " cut at " << cut;
      EXPECT_FALSE(Model::Load(head).ok());
    }
  }
}

TEST(MlModelFile, DeepNestingIsRefusedNotACrash) {
  // XGBoost's own readers recurse; the bound is checked before they run.
  std::string deep_json = R"({"learner": )" + std::string(200000, '[');
  auto r = ValidateModelFile(AsBytes(deep_json));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("deeper"), std::string::npos) << r.status().message();
  std::string deep_ubjson = std::string("{i\x07learner", 10) + std::string(200000, '[');
  r = ValidateModelFile(AsBytes(deep_ubjson));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("deeper"), std::string::npos) << r.status().message();
  EXPECT_FALSE(Model::Load(AsBytes(deep_ubjson)).ok());
  ModelFileLimits small;
  small.max_bytes = 10;
  EXPECT_FALSE(ValidateModelFile(AsBytes(deep_json), small).ok());
}

// Python's xgboost (Debian's python3-xgboost) reads our models and predicts the same; a model it
// trains is published here, continued, and comes back with its rounds plus ours.
class MlInterop : public ::testing::Test {
 protected:
  static std::string Script() {
    return std::string(CLEANROOM_SOURCE_DIR) + "/src/ml/tests/xgboost_interop.py";
  }
  static void WriteRows(const FeatureMatrix& m, const std::string& path) {
    std::ofstream out(path);
    for (size_t c = 0; c < m.names.size(); ++c) out << (c ? "," : "") << m.names[c];
    out << "\n";
    char buffer[32];
    for (size_t r = 0; r < m.rows; ++r) {
      for (size_t c = 0; c < m.names.size(); ++c) {
        float v = m.values[r * m.names.size() + c];
        std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(v));
        out << (c ? "," : "") << (std::isnan(v) ? "nan" : buffer);
      }
      out << "\n";
    }
  }
  static std::string Run(const std::string& args) {
    std::string command = "/usr/bin/python3 " + Script() + " " + args;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return "";
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    EXPECT_EQ(::pclose(pipe), 0) << command;
    return out;
  }
  void SetUp() override {
    ASSERT_EQ(std::system("/usr/bin/python3 -c 'import xgboost' >/dev/null 2>&1"), 0)
        << "/usr/bin/python3 cannot import xgboost: run scripts/install-deps.sh";
  }
  TempDir dir_;
};

TEST_F(MlInterop, PythonPredictsWhatWePredictFromOurModel) {
  Data d = MakeData(800, 9);
  auto model = Model::Train(d.features, d.labels, Params(10), nullptr, 1);
  ASSERT_TRUE(model.ok());
  auto ours = model->Predict(d.features, 1);
  ASSERT_TRUE(ours.ok());
  WriteRows(d.features, dir_ / "rows.csv");
  for (auto [format, name] : {std::pair{ModelFormat::kJson, "model.json"},
                              std::pair{ModelFormat::kUbjson, "model.ubj"}}) {
    auto file = model->Save(format);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(WriteFileAtomic(dir_ / name, AsStringView(*file)).ok());
    std::istringstream lines(Run("predict " + (dir_ / name) + " " + (dir_ / "rows.csv")));
    std::vector<float> theirs;
    for (std::string line; std::getline(lines, line);) theirs.push_back(std::stof(line));
    ASSERT_EQ(theirs.size(), ours->size()) << name;
    for (size_t i = 0; i < theirs.size(); ++i) {
      ASSERT_FLOAT_EQ(theirs[i], (*ours)[i]) << name << " row " << i;
    }
  }
}

TEST_F(MlInterop, APythonModelIsContinuedHere) {
  Data d = MakeData(1000, 10);
  WriteRows(d.features, dir_ / "rows.csv");
  {
    std::ofstream labels(dir_ / "labels.csv");
    for (float l : d.labels) labels << l << "\n";
  }
  for (const char* name : {"python.json", "python.ubj"}) {
    Run("train " + (dir_ / "rows.csv") + " " + (dir_ / "labels.csv") + " " + (dir_ / name) + " 6");
    auto file = ReadFileToString(dir_ / name);
    ASSERT_TRUE(file.ok()) << name;
    auto summary = ValidateModelFile(AsBytes(*file));
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->feature_names, d.features.names);
    auto start = Model::Load(AsBytes(*file));
    ASSERT_TRUE(start.ok()) << start.status().ToString();
    EXPECT_EQ(start->BoostedRounds(), 6);
    Data more = MakeData(1000, 11);
    auto continued = Model::Train(more.features, more.labels, Params(4), &*start, 1);
    ASSERT_TRUE(continued.ok()) << continued.status().ToString();
    EXPECT_EQ(continued->BoostedRounds(), 6 + 4) << name;
  }
}

}  // namespace
}  // namespace cleanroom::ml
