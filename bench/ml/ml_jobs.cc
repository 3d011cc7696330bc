// bench_ml_jobs ROWS FEATURES ROUNDS WORK_DIR: one training job and one inference job through
// the clean room's runtime path (runtime::ExecuteJob: ciphertext hash check, decryption into the
// engine's memory, the feature query checked and run, rows read, XGBoost, the output sealed),
// against ml::Model::Train / Predict on the same rows already in memory, same parameters and
// threads. Prints one line per measurement, in milliseconds, and the ratios.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "crypto/identity.h"
#include "govwire/run_record.h"
#include "ml/booster.h"
#include "runtime/dataset_publish.h"
#include "runtime/job_execution.h"
#include "runtime/model_publish.h"
#include "runtime/storage.h"

namespace cr = cleanroom;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double Ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int Fail(const cr::Status& st) {
  std::fprintf(stderr, "bench_ml_jobs: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: bench_ml_jobs ROWS FEATURES ROUNDS WORK_DIR\n");
    return 2;
  }
  const size_t rows = std::strtoull(argv[1], nullptr, 10);
  const int width = std::atoi(argv[2]);
  const int rounds = std::atoi(argv[3]);
  const std::string work = argv[4];
  const int threads = 2;

  // The data: a unit id, FEATURES floats and a label that depends on a few of them.
  cr::ml::FeatureMatrix matrix;
  std::vector<float> labels(rows);
  for (int f = 0; f < width; ++f) matrix.names.push_back("f" + std::to_string(f));
  matrix.rows = rows;
  matrix.values.resize(rows * width);
  std::mt19937_64 random(7);
  std::normal_distribution<float> normal(0, 1);
  {
    std::ofstream csv(work + "/rows.csv");
    csv << "id";
    for (const auto& n : matrix.names) csv << "," << n;
    csv << ",label\n";
    char buffer[32];
    for (size_t r = 0; r < rows; ++r) {
      float* row = &matrix.values[r * width];
      for (int f = 0; f < width; ++f) row[f] = normal(random);
      labels[r] = (row[0] + 0.5f * row[1] - row[2] * row[3] + 0.3f * normal(random)) > 0 ? 1 : 0;
      csv << "u" << r;
      for (int f = 0; f < width; ++f) {
        std::snprintf(buffer, sizeof buffer, ",%.9g", static_cast<double>(row[f]));
        csv << buffer;
      }
      csv << "," << static_cast<int>(labels[r]) << "\n";
    }
  }
  auto storage = cr::runtime::OpenStorage("file://" + work + "/storage");
  if (!storage.ok()) return Fail(storage.status());
  json features = json::array();
  for (const auto& n : matrix.names) features.push_back(n);
  cr::runtime::PublishRequest publish;
  publish.file = work + "/rows.csv";
  publish.name = "rows";
  publish.policy = {{"privacyUnit", "id"},
                    {"machineLearning", {{"features", features}, {"labels", {"label"}}}}};
  auto published = cr::runtime::PublishDataset(publish, **storage);
  if (!published.ok()) return Fail(published.status());
  auto key = cr::crypto::PrivateKey::Generate(cr::crypto::KeyType::kX25519);
  if (!key.ok()) return Fail(key.status());
  std::string select = "SELECT id";
  for (const auto& n : matrix.names) select += ", " + n;
  json params = {{"objective", "binary:logistic"},
                 {"max_depth", 6},
                 {"eta", 0.3},
                 {"tree_method", "hist"},
                 {"seed", 7}};

  cr::runtime::RunSpec spec;
  spec.run_id = "r1";
  spec.query_id = "q1";
  spec.query_hash = std::string(64, '0');
  spec.engine_threads = threads;
  spec.evidence_kind = "simulated";
  spec.evidence_digest = std::string(64, '0');
  spec.recipients.push_back({"bench", key->public_key()});
  spec.inputs.push_back({published->document, 1, std::string(64, '0'), &published->key});
  spec.job = {{"name", "train"},
              {"kind", "training"},
              {"steps", {select + ", label FROM rows"}},
              {"label", "label"},
              {"training", {{"rounds", rounds}, {"params", params}}},
              {"recipients", {"bench"}}};
  cr::govwire::RunRecord record;
  auto start = Clock::now();
  cr::Status trained = cr::runtime::ExecuteJob(spec, **storage, record);
  double clean_room_train = Ms(start);
  if (!trained.ok()) return Fail(trained);

  cr::ml::TrainingParams alone_params;
  alone_params.rounds = rounds;
  for (auto it = params.begin(); it != params.end(); ++it) {
    alone_params.xgboost[it.key()] =
        it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  start = Clock::now();
  auto model = cr::ml::Model::Train(matrix, labels, alone_params, nullptr, threads);
  double alone_train = Ms(start);
  if (!model.ok()) return Fail(model.status());
  std::printf("train clean_room_ms %.0f xgboost_alone_ms %.0f ratio %.2f (timings %s)\n",
              clean_room_train, alone_train, clean_room_train / alone_train,
              json(record.timings_ms).dump().c_str());

  // Inference with the model just trained, published like a model.
  auto saved = model->Save(cr::ml::ModelFormat::kJson);
  if (!saved.ok()) return Fail(saved.status());
  {
    std::ofstream out(work + "/model.json", std::ios::binary);
    out.write(reinterpret_cast<const char*>(saved->data()), static_cast<long>(saved->size()));
  }
  cr::runtime::ModelPublishRequest model_request{work + "/model.json", "m", json::object()};
  auto model_published = cr::runtime::PublishModel(model_request, **storage);
  if (!model_published.ok()) return Fail(model_published.status());
  spec.run_id = "r2";
  spec.inputs.push_back(
      {model_published->document, 1, std::string(64, '0'), &model_published->key});
  spec.job = {{"name", "score"},
              {"kind", "inference"},
              {"model", "m"},
              {"steps", {select + " FROM rows"}},
              {"recipients", {"bench"}}};
  record = cr::govwire::RunRecord();
  start = Clock::now();
  cr::Status scored = cr::runtime::ExecuteJob(spec, **storage, record);
  double clean_room_predict = Ms(start);
  if (!scored.ok()) return Fail(scored);
  start = Clock::now();
  auto predictions = model->Predict(matrix, threads);
  double alone_predict = Ms(start);
  if (!predictions.ok()) return Fail(predictions.status());
  std::printf("inference clean_room_ms %.0f xgboost_alone_ms %.0f ratio %.2f (timings %s)\n",
              clean_room_predict, alone_predict, clean_room_predict / alone_predict,
              json(record.timings_ms).dump().c_str());
  return 0;
}
