// bench_ml_jobs ROWS FEATURES ROUNDS WORK_DIR [FORMAT]: one training job and one inference job
// through the clean room's runtime path (runtime::ExecuteJob: ciphertext hash check, decryption
// into the engine's memory, the feature query checked and run, rows read, XGBoost, the output
// sealed), against ml::Model::Train / Predict on the same rows already in memory, same parameters
// and threads. FORMAT (parquet, the default, or csv) is the published dataset's format. REPEATS
// (default 3) interleaved repetitions; prints one line per measurement, in milliseconds, and the
// median ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <string>

#include "crypto/identity.h"
#include "formats/parquet_writer.h"
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

// The rows as the provider's Parquet file: id (string), the features (float), label (int), in
// row groups of 128Ki rows (the engine scans row groups in parallel).
cr::Status WriteParquet(const std::string& path, const cr::ml::FeatureMatrix& matrix,
                        const std::vector<float>& labels) {
  namespace f = cr::formats;
  using cr::sql::DataType;
  using cr::sql::TypeId;
  const size_t width = matrix.names.size();
  std::vector<f::Field> fields{{"id", DataType::Of(TypeId::kString)}};
  for (const auto& n : matrix.names) fields.push_back({n, DataType::Of(TypeId::kFloat)});
  fields.push_back({"label", DataType::Of(TypeId::kInt)});
  cr::formats::ParquetWriterOptions options;
  options.row_group_rows = 1 << 17;
  CR_ASSIGN_OR_RETURN(auto writer, f::ParquetWriter::Open(path, fields, options));
  for (size_t begin = 0; begin < matrix.rows; begin += 1 << 17) {
    const size_t end = std::min(matrix.rows, begin + (1 << 17));
    f::RecordBatch batch;
    batch.num_rows = end - begin;
    batch.fields = fields;
    f::ColumnVector id{fields[0].type, batch.num_rows, {}, {}, {0}, {}};
    for (size_t r = begin; r < end; ++r) {
      std::string text = "u" + std::to_string(r);
      id.data.insert(id.data.end(), text.begin(), text.end());
      id.offsets.push_back(static_cast<int64_t>(id.data.size()));
    }
    batch.columns.push_back(std::move(id));
    for (size_t c = 0; c < width; ++c) {
      f::ColumnVector column{fields[c + 1].type, batch.num_rows, {}, {}, {}, {}};
      column.data.resize(batch.num_rows * sizeof(float));
      for (size_t r = begin; r < end; ++r) {
        std::memcpy(column.data.data() + (r - begin) * sizeof(float), &matrix.values[r * width + c],
                    sizeof(float));
      }
      batch.columns.push_back(std::move(column));
    }
    f::ColumnVector label{fields.back().type, batch.num_rows, {}, {}, {}, {}};
    label.data.resize(batch.num_rows * sizeof(int32_t));
    for (size_t r = begin; r < end; ++r) {
      int32_t v = static_cast<int32_t>(labels[r]);
      std::memcpy(label.data.data() + (r - begin) * sizeof(int32_t), &v, sizeof v);
    }
    batch.columns.push_back(std::move(label));
    CR_RETURN_IF_ERROR(writer->Write(batch));
  }
  return writer->Close();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || argc > 7) {
    std::fprintf(stderr,
                 "usage: bench_ml_jobs ROWS FEATURES ROUNDS WORK_DIR [parquet|csv] [REPEATS]\n");
    return 2;
  }
  const size_t rows = std::strtoull(argv[1], nullptr, 10);
  const int width = std::atoi(argv[2]);
  const int rounds = std::atoi(argv[3]);
  const std::string work = argv[4];
  const std::string format = argc >= 6 ? argv[5] : "parquet";
  const int repeats = argc == 7 ? std::max(1, std::atoi(argv[6])) : 3;
  if (format != "parquet" && format != "csv") {
    std::fprintf(stderr, "bench_ml_jobs: the format is parquet or csv\n");
    return 2;
  }
  const int threads = 2;

  // The data: a unit id, FEATURES floats and a label that depends on a few of them.
  cr::ml::FeatureMatrix matrix;
  std::vector<float> labels(rows);
  for (int f = 0; f < width; ++f) matrix.names.push_back("f" + std::to_string(f));
  matrix.rows = rows;
  matrix.values.resize(rows * width);
  std::mt19937_64 random(7);
  std::normal_distribution<float> normal(0, 1);
  for (size_t r = 0; r < rows; ++r) {
    float* row = &matrix.values[r * width];
    for (int f = 0; f < width; ++f) row[f] = normal(random);
    labels[r] = (row[0] + 0.5f * row[1] - row[2] * row[3] + 0.3f * normal(random)) > 0 ? 1 : 0;
  }
  if (format == "parquet") {
    cr::Status written = WriteParquet(work + "/rows.parquet", matrix, labels);
    if (!written.ok()) return Fail(written);
  } else {
    std::ofstream csv(work + "/rows.csv");
    csv << "id";
    for (const auto& n : matrix.names) csv << "," << n;
    csv << ",label\n";
    char buffer[32];
    for (size_t r = 0; r < rows; ++r) {
      const float* row = &matrix.values[r * width];
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
  publish.file = work + "/rows." + format;
  publish.name = "rows";
  publish.policy = {{"privacyUnit", "id"},
                    {"machineLearning", {{"features", features}, {"labels", {"label"}}}}};
  auto published = cr::runtime::PublishDataset(publish, **storage);
  if (!published.ok()) return Fail(published.status());
  published->document["owner"] = "bench";  // as governance registers it
  auto key = cr::crypto::PrivateKey::Generate(cr::crypto::KeyType::kX25519);
  if (!key.ok()) return Fail(key.status());
  std::string select = "SELECT id";
  for (const auto& n : matrix.names) select += ", " + n;
  // min_child_weight 10: at least 40 rows a leaf (the logistic hessian is at most 1/4 a row),
  // so the trees pass the runtime's leaf floor (10 people by default; docs/ml.md).
  json params = {{"objective", "binary:logistic"}, {"max_depth", 6},
                 {"min_child_weight", 10},         {"eta", 0.3},
                 {"tree_method", "hist"},          {"seed", 7}};

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
  cr::ml::TrainingParams alone_params;
  alone_params.rounds = rounds;
  for (auto it = params.begin(); it != params.end(); ++it) {
    alone_params.xgboost[it.key()] =
        it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  const json train_job = spec.job;
  const json score_job = {{"name", "score"},
                          {"kind", "inference"},
                          {"model", "m"},
                          {"steps", {select + " FROM rows"}},
                          {"recipients", {"bench"}}};
  const cr::runtime::RunInput data_input = spec.inputs[0];
  std::optional<cr::runtime::PublishedDataset> model_published;
  std::optional<cr::ml::Model> model;
  std::vector<double> train_ratios, score_ratios;
  // Interleaved on a shared machine: each repetition times the clean room and XGBoost alone back
  // to back, in alternating order, so that a change of load falls on both.
  for (int rep = 0; rep < repeats; ++rep) {
    const bool clean_first = rep % 2 == 0;
    double clean_ms = 0, alone_ms = 0;
    cr::govwire::RunRecord record;
    for (int turn = 0; turn < 2; ++turn) {
      if ((turn == 0) == clean_first) {
        spec.run_id = "t" + std::to_string(rep);
        spec.inputs = {data_input};
        spec.job = train_job;
        record = cr::govwire::RunRecord();
        auto start = Clock::now();
        cr::Status trained = cr::runtime::ExecuteJob(spec, **storage, record);
        clean_ms = Ms(start);
        if (!trained.ok()) return Fail(trained);
      } else {
        auto start = Clock::now();
        auto alone = cr::ml::Model::Train(matrix, labels, alone_params, nullptr, threads);
        alone_ms = Ms(start);
        if (!alone.ok()) return Fail(alone.status());
        model = std::move(alone).value();
      }
    }
    train_ratios.push_back(clean_ms / alone_ms);
    std::printf(
        "train     rep %d clean_room_ms %.0f xgboost_alone_ms %.0f ratio %.2f (timings %s)\n", rep,
        clean_ms, alone_ms, clean_ms / alone_ms, json(record.timings_ms).dump().c_str());
    std::fflush(stdout);

    if (!model_published.has_value()) {
      // Inference with the model XGBoost trained alone, published like a model.
      auto saved = model->Save(cr::ml::ModelFormat::kJson);
      if (!saved.ok()) return Fail(saved.status());
      {
        std::ofstream out(work + "/model.json", std::ios::binary);
        out.write(reinterpret_cast<const char*>(saved->data()), static_cast<long>(saved->size()));
      }
      cr::runtime::ModelPublishRequest request{work + "/model.json", "m", json::object()};
      auto published_model = cr::runtime::PublishModel(request, **storage);
      if (!published_model.ok()) return Fail(published_model.status());
      model_published = std::move(published_model).value();
      model_published->document["owner"] = "bench";
    }
    for (int turn = 0; turn < 2; ++turn) {
      if ((turn == 0) == clean_first) {
        spec.run_id = "s" + std::to_string(rep);
        spec.inputs = {
            data_input,
            {model_published->document, 1, std::string(64, '0'), &model_published->key, true}};
        spec.job = score_job;
        record = cr::govwire::RunRecord();
        auto start = Clock::now();
        cr::Status scored = cr::runtime::ExecuteJob(spec, **storage, record);
        clean_ms = Ms(start);
        if (!scored.ok()) return Fail(scored);
      } else {
        auto start = Clock::now();
        auto predictions = model->Predict(matrix, threads);
        alone_ms = Ms(start);
        if (!predictions.ok()) return Fail(predictions.status());
      }
    }
    score_ratios.push_back(clean_ms / alone_ms);
    std::printf(
        "inference rep %d clean_room_ms %.0f xgboost_alone_ms %.0f ratio %.2f (timings %s)\n", rep,
        clean_ms, alone_ms, clean_ms / alone_ms, json(record.timings_ms).dump().c_str());
    std::fflush(stdout);
  }
  std::printf("median ratio: train %.2f inference %.2f (%d repetitions)\n", Median(train_ratios),
              Median(score_ratios), repeats);
  return 0;
}
