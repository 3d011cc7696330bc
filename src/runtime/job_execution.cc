// ML jobs in the clean room (docs/ml.md "Runtime").
#include "runtime/job_execution.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/sha256_tree.h"
#include "engine/key_hashes.h"
#include "engine/numeric_cells.h"
#include "ml/booster.h"
#include "ml/documents.h"
#include "privacy/feature_query_check.h"
#include "runtime/checked_query.h"
#include "runtime/input_loading.h"
#include "runtime/job_privacy.h"
#include "sql/catalog.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using Use = privacy::MlFeatureLayout::Use;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// The model's file: hash-checked ciphertext decrypted in memory, validated, loaded.
Result<ml::Model> LoadModel(const RunInput& input, Storage& storage, govwire::RunRecord& record) {
  const std::string name = input.document.value("name", "");
  if (input.key == nullptr)
    return Status::FailedPrecondition("model " + name + ": no key released");
  CR_ASSIGN_OR_RETURN(std::unique_ptr<Storage::Mapped> ciphertext,
                      storage.Map(input.document.value("location", "")));
  const std::string content_hash = crypto::Sha256TreeHex(ciphertext->data());
  if (content_hash != sql::ToLowerAscii(input.document.value("contentHash", ""))) {
    return Status::DataLoss(
        "model " + name + ": the ciphertext in storage does not match the document's contentHash");
  }
  auto reader = crypto::container::Reader::Open(crypto::container::MemoryInput(ciphertext->data()),
                                                *input.key);
  if (!reader.ok()) return reader.status().WithContext("model " + name);
  auto file = (*reader)->DecryptToBuffer();
  if (!file.ok()) return file.status().WithContext("model " + name);
  auto validated = ml::ValidateModelFile(*file);
  Result<ml::Model> model = validated.ok() ? ml::Model::Load(*file) : validated.status();
  SecureWipe(file->data(), file->size());
  if (!model.ok()) return model.status().WithContext("model " + name);
  record.inputs.push_back({name, input.version, input.document_hash, content_hash, {}});
  return model;
}

// The feature query's rows, read into memory straight from the engine's vectors (no text): the
// features as floats (NaN for NULL), the label, and each unit key's hashes (to count the floors).
struct FeatureRows {
  ml::FeatureMatrix features;
  std::vector<float> labels;
  UnitKeys units;
  std::string key_text;         // inference: each row's unit keys as CSV fields, each and ","
  std::vector<size_t> key_end;  // inference: where row i's keys end in key_text
};

void AppendCsvField(std::string_view text, std::string& out) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

bool HasLabel(const privacy::MlFeatureLayout& layout) {
  return std::find(layout.uses.begin(), layout.uses.end(), Use::kLabel) != layout.uses.end();
}

Result<FeatureRows> ReadRows(engine::QueryResult& result, const privacy::MlFeatureLayout& layout,
                             bool keep_unit_keys) {
  FeatureRows rows;
  const auto& columns = result.columns();
  std::vector<size_t> key_columns;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (layout.uses[c] == Use::kUnitKey) {
      key_columns.push_back(c);
      rows.units.dataset.push_back(layout.unit_dataset[c]);
      continue;
    }
    if (!columns[c].type.IsNumeric() && columns[c].type.id != sql::TypeId::kBoolean) {
      return Status::InvalidArgument("job: column " + columns[c].name +
                                     " of the feature query is not numeric (cast or encode it in "
                                     "the feature query)");
    }
    if (layout.uses[c] == Use::kFeature) rows.features.names.push_back(columns[c].name);
  }
  rows.units.hashes.resize(key_columns.size());
  const size_t width = rows.features.names.size();
  const bool has_label = HasLabel(layout);
  std::string cell;
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    const engine::Chunk& chunk = result.chunk();
    const size_t first = rows.features.rows;
    const size_t count = chunk.size();
    if (count == 0) continue;
    rows.features.values.resize((first + count) * width);
    if (has_label) rows.labels.resize(first + count);
    size_t feature = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (layout.uses[c] == Use::kFeature) {
        CR_RETURN_IF_ERROR(engine::ReadFloats(chunk, c, result.duckdb_type(c),
                                              &rows.features.values[first * width + feature],
                                              width));
        ++feature;
      } else if (layout.uses[c] == Use::kLabel) {
        CR_RETURN_IF_ERROR(
            engine::ReadFloats(chunk, c, result.duckdb_type(c), &rows.labels[first], 1));
      }
    }
    for (size_t k = 0; k < key_columns.size(); ++k) {
      rows.units.hashes[k].resize(first + count);
      engine::HashKeys(chunk, key_columns[k], result.duckdb_type(key_columns[k]),
                       &rows.units.hashes[k][first]);
    }
    // Inference: the unit keys' text, the row key of each prediction.
    for (size_t r = 0; keep_unit_keys && r < count; ++r) {
      for (size_t c : key_columns) {
        cell.clear();
        chunk.AppendCell(c, r, engine::CellStyle::kText, cell);
        AppendCsvField(cell, rows.key_text);
        rows.key_text += ',';
      }
      rows.key_end.push_back(rows.key_text.size());
    }
    rows.features.rows += count;
  }
  SecureWipe(cell.data(), cell.size());
  for (float label : rows.labels) {
    if (std::isnan(label)) return Status::InvalidArgument("job: a label is NULL");
  }
  return rows;
}

// The rows of `from` whose indexes `pick` selects, as a matrix.
ml::FeatureMatrix Select(const ml::FeatureMatrix& from, const std::vector<size_t>& pick) {
  ml::FeatureMatrix out;
  out.names = from.names;
  out.rows = pick.size();
  const size_t width = from.names.size();
  out.values.reserve(pick.size() * width);
  for (size_t i : pick) {
    out.values.insert(out.values.end(), from.values.begin() + static_cast<long>(i * width),
                      from.values.begin() + static_cast<long>((i + 1) * width));
  }
  return out;
}

// Held-out metrics, computed here over the held-out rows' labels and predictions (aggregates).
json Metrics(const std::vector<std::string>& names, const std::vector<float>& labels,
             const std::vector<float>& predictions) {
  json out = json::object();
  const double n = static_cast<double>(labels.size());
  for (const std::string& name : names) {
    double v = 0;
    if (name == "logloss") {
      for (size_t i = 0; i < labels.size(); ++i) {
        double p = std::clamp(static_cast<double>(predictions[i]), 1e-15, 1 - 1e-15);
        v -= labels[i] > 0.5 ? std::log(p) : std::log(1 - p);
      }
      v /= n;
    } else if (name == "error") {
      for (size_t i = 0; i < labels.size(); ++i) v += (predictions[i] > 0.5) != (labels[i] > 0.5);
      v /= n;
    } else if (name == "rmse" || name == "mae") {
      for (size_t i = 0; i < labels.size(); ++i) {
        double d = static_cast<double>(predictions[i]) - labels[i];
        v += name == "rmse" ? d * d : std::fabs(d);
      }
      v = name == "rmse" ? std::sqrt(v / n) : v / n;
    } else if (name == "auc") {
      // Rank statistic (Mann-Whitney), ties averaged.
      std::vector<size_t> order(labels.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return predictions[a] < predictions[b]; });
      double positives = 0, rank_sum = 0;
      for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j < order.size() && predictions[order[j]] == predictions[order[i]]) ++j;
        double rank = (static_cast<double>(i + j + 1)) / 2.0;
        for (size_t k = i; k < j; ++k) {
          if (labels[order[k]] > 0.5) {
            positives += 1;
            rank_sum += rank;
          }
        }
        i = j;
      }
      double negatives = n - positives;
      v = positives > 0 && negatives > 0
              ? (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
              : std::nan("");
    }
    out[name] = std::isfinite(v) ? json(std::round(v * 1e6) / 1e6) : json(nullptr);
  }
  return out;
}

void AppendPrediction(float p, const ml::JobDocument& job, std::string& out) {
  if (job.predictions == ml::JobDocument::Predictions::kLabels) {
    out += p > 0.5f ? '1' : '0';
    return;
  }
  char buffer[64];
  if (job.decimals >= 0) {
    int n = std::snprintf(buffer, sizeof buffer, "%.*f", job.decimals, static_cast<double>(p));
    out.append(buffer, static_cast<size_t>(std::clamp(n, 0, static_cast<int>(sizeof buffer) - 1)));
    return;
  }
  // The shortest text that reads back as the same float32.
  auto written = std::to_chars(buffer, buffer + sizeof buffer, p);
  out.append(buffer, written.ptr);
}

// Which rows train and which are held out, by unit (a person's rows are all on one side): a
// mix of the first unit key's hash with a salt drawn for this run, so that no one can tell in
// advance whose rows the held-out metrics are computed on.
Status SplitRows(const FeatureRows& rows, double held_out_fraction, std::vector<size_t>& train,
                 std::vector<size_t>& held) {
  const uint64_t cut = static_cast<uint64_t>(held_out_fraction * 10000.0);
  if (cut == 0) return Status::OK();
  if (rows.units.hashes.empty()) return Status::Internal("job: the feature query has no unit key");
  uint64_t salt = 0;
  CR_RETURN_IF_ERROR(crypto::RandomBytes(reinterpret_cast<uint8_t*>(&salt), sizeof salt));
  const std::vector<uint64_t>& first_key = rows.units.hashes[0];
  for (size_t i = 0; i < rows.features.rows; ++i) {
    uint64_t h = first_key[i] ^ salt;  // splitmix64's finaliser
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    (h % 10000 < cut ? held : train).push_back(i);
  }
  return Status::OK();
}

// Training and fine-tuning: the floors, XGBoost, the leaf floor on the trees it grew, the
// held-out metrics. The trained model's JSON goes to `output`.
Status Train(const ml::JobDocument& job, const privacy::MlFeatureLayout& layout, FeatureRows& rows,
             const ml::Model* start, int threads, json& job_record, std::string& output) {
  std::vector<size_t> train_rows, held_rows;
  CR_RETURN_IF_ERROR(SplitRows(rows, job.held_out_fraction, train_rows, held_rows));
  // Without held-out rows every row trains, straight from the rows read (no copy).
  ml::FeatureMatrix training;
  std::vector<float> train_labels;
  UnitKeys train_keys;
  const bool all_train = held_rows.empty();
  if (!all_train) {
    training = Select(rows.features, train_rows);
    train_keys = rows.units.Select(train_rows);
    train_labels.reserve(train_rows.size());
    for (size_t i : train_rows) train_labels.push_back(rows.labels[i]);
  }
  const ml::FeatureMatrix& features = all_train ? rows.features : training;
  const std::vector<float>& labels = all_train ? rows.labels : train_labels;
  const UnitKeys& keys = all_train ? rows.units : train_keys;
  // The training floor, counted on the rows that train; the counts are never reported.
  CR_RETURN_IF_ERROR(CheckUnitFloor(keys, layout.min_training_units, "ML training floor",
                                    "the training rows", ""));
  // The metrics are aggregates over the held-out rows: those need the leaf floor too.
  const bool metrics = !held_rows.empty() && !job.metrics.empty();
  if (metrics) {
    CR_RETURN_IF_ERROR(CheckUnitFloor(rows.units.Select(held_rows), layout.min_leaf_units,
                                      "ML metrics floor", "the held-out rows",
                                      " (the metrics are aggregates over them): raise "
                                      "heldOutFraction or train on more people"));
  }
  CR_ASSIGN_OR_RETURN(
      ml::DataMatrix matrix,
      ml::DataMatrix::FromDense(features.values, features.rows, features.names, threads));
  auto trained = ml::Model::Train(matrix, labels, *job.training, start, threads);
  if (!all_train) {
    SecureWipe(training.values.data(), training.values.size() * sizeof(float));
    SecureWipe(train_labels.data(), train_labels.size() * sizeof(float));
  }
  CR_RETURN_IF_ERROR(trained.status());
  // The trees grown here (a fine-tuned model's first trees are its owner's, trained elsewhere):
  // every leaf reached by enough people of each dataset, in slices of rounds to bound memory.
  const int first_new = start != nullptr ? start->BoostedRounds() : 0;
  const int rounds = trained->BoostedRounds();
  const int slice =
      std::max<int>(1, static_cast<int>((size_t{1} << 25) / std::max<size_t>(1, matrix.rows())));
  for (int begin = first_new; begin < rounds; begin += slice) {
    CR_ASSIGN_OR_RETURN(
        ml::LeafIndices leaves,
        trained->PredictLeaves(matrix, begin, std::min(rounds, begin + slice), threads));
    CR_RETURN_IF_ERROR(CheckLeafFloor(leaves, keys, layout.min_leaf_units));
  }
  job_record["trainingRows"] = features.rows;
  job_record["heldOutRows"] = held_rows.size();
  job_record["boostedRounds"] = rounds;
  if (metrics) {
    ml::FeatureMatrix held = Select(rows.features, held_rows);
    auto predicted = trained->Predict(held, threads);
    SecureWipe(held.values.data(), held.values.size() * sizeof(float));
    CR_RETURN_IF_ERROR(predicted.status());
    std::vector<float> held_labels;
    held_labels.reserve(held_rows.size());
    for (size_t i : held_rows) held_labels.push_back(rows.labels[i]);
    job_record["metrics"] = Metrics(job.metrics, held_labels, *predicted);
  }
  CR_ASSIGN_OR_RETURN(Bytes saved, trained->Save(ml::ModelFormat::kJson));
  output.assign(saved.begin(), saved.end());
  SecureWipe(saved.data(), saved.size());
  return Status::OK();
}

// Inference: one prediction per row, keyed by the row's unit keys (CSV), to `output`.
Result<uint64_t> Score(const ml::JobDocument& job, const privacy::CheckedProgram& program,
                       FeatureRows& rows, const ml::Model& model, int threads,
                       std::string& output) {
  CR_ASSIGN_OR_RETURN(std::vector<float> predicted, model.Predict(rows.features, threads));
  if (predicted.size() != rows.features.rows) {
    return Status::InvalidArgument("job: the model predicts more than one value per row");
  }
  for (size_t c = 0; c < program.output.size(); ++c) {
    if (program.ml->uses[c] != Use::kUnitKey) continue;
    AppendCsvField(program.output[c].name, output);
    output += ',';
  }
  output += "prediction\n";
  output.reserve(output.size() + rows.key_text.size() + predicted.size() * 12);
  size_t begin = 0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    output.append(rows.key_text, begin, rows.key_end[i] - begin);
    begin = rows.key_end[i];
    AppendPrediction(predicted[i], job, output);
    output += '\n';
  }
  SecureWipe(rows.key_text.data(), rows.key_text.size());
  return static_cast<uint64_t>(predicted.size());
}

// The datasets and the model of a job, as the work order marks them (governance's is_model, the
// one source of truth), and the job's rules against its model checked again here: governance
// checked them at proposal, and the runtime seals nothing to a member they do not allow.
Status SplitInputs(const RunSpec& spec, const ml::JobDocument& job, std::vector<RunInput>& data,
                   std::optional<RunInput>& model) {
  for (const RunInput& input : spec.inputs) {
    if (!input.is_model) {
      data.push_back(input);
    } else if (model.has_value() || job.model.empty()) {
      return Status::FailedPrecondition("job: a model was released that the job does not use");
    } else {
      model = input;
    }
  }
  if (!job.model.empty() && !model.has_value()) {
    return Status::FailedPrecondition("job: its model was not released with its datasets");
  }
  std::set<std::string> sealed_to;
  for (const ResultRecipient& r : spec.recipients) sealed_to.insert(r.member_id);
  if (sealed_to != std::set<std::string>(job.recipients.begin(), job.recipients.end())) {
    return Status::FailedPrecondition(
        "job: the work order's recipients are not the approved job's recipients");
  }
  if (!model.has_value()) return Status::OK();
  json registered = model->document;
  const std::string owner = registered.value("owner", "");
  registered.erase("owner");
  registered.erase("version");
  CR_ASSIGN_OR_RETURN(ml::ModelDocument document, ml::ParseModelDocument(registered));
  if (sql::ToLowerAscii(document.name) != sql::ToLowerAscii(job.model)) {
    return Status::FailedPrecondition("job: the model released is not the job's model");
  }
  std::vector<std::string> data_owners;
  data_owners.reserve(data.size());
  for (const RunInput& input : data) data_owners.push_back(input.document.value("owner", ""));
  return ml::CheckJobAgainstModel(job, document, owner, data_owners);
}

}  // namespace

Status ExecuteJob(const RunSpec& spec, Storage& storage, govwire::RunRecord& record) {
  auto start = Clock::now();
  if (spec.spark != nullptr) {
    return Status::Unimplemented(
        "job: ML jobs run on the embedded engine only, not on the Spark engine");
  }
  CR_ASSIGN_OR_RETURN(ml::JobDocument job, ml::ParseJobDocument(spec.job));
  const bool trains = job.kind != ml::JobKind::kInference;
  std::vector<RunInput> data;
  std::optional<RunInput> model_input;
  CR_RETURN_IF_ERROR(SplitInputs(spec, job, data, model_input));
  json job_record = {{"kind", std::string(ml::JobKindName(job.kind))}};
  if (!job.model.empty()) job_record["model"] = job.model;

  // The feature query checked in the row-level-inside mode before anything is decrypted, as
  // governance checked it at proposal; then over the loaded tables.
  const std::string script = privacy::JoinSteps(job.steps);
  CR_ASSIGN_OR_RETURN(std::vector<privacy::DeclaredDataset> declared, DeclaredInputs(data));
  const privacy::MlFeatureMode mode{sql::ToLowerAscii(job.label)};
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram planned,
                      privacy::CheckFeatureQuery(script, mode, declared));
  CR_ASSIGN_OR_RETURN(privacy::PolicyFile policies, privacy::PoliciesOfQuery(declared, ""));
  policies.ml = mode;
  std::set<std::string> hash_units(planned.unit_hash_wanted.begin(),
                                   planned.unit_hash_wanted.end());
  CR_ASSIGN_OR_RETURN(auto engine, engine::Engine::Open({.threads = spec.engine_threads,
                                                         .validate_columns_read = true}));
  for (const RunInput& input : data) {
    CR_RETURN_IF_ERROR(LoadInput(input, storage, *engine, policies, hash_units, record));
  }
  std::optional<ml::Model> model;
  if (model_input.has_value()) {
    CR_ASSIGN_OR_RETURN(model, LoadModel(*model_input, storage, record));
  }
  record.timings_ms["load"] = MillisSince(start);

  auto query_start = Clock::now();
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program, CompileChecked(*engine, script, policies));
  CR_RETURN_IF_ERROR(PrepareCheckedInputs(*engine, script, policies));
  CR_RETURN_IF_ERROR(engine->Lock());
  CR_ASSIGN_OR_RETURN(CheckedResult checked, RunChecked(*engine, program));
  if (checked.result == nullptr || !program.ml.has_value()) {
    return Status::InvalidArgument("job: the feature query has no final SELECT");
  }
  CR_ASSIGN_OR_RETURN(FeatureRows rows, ReadRows(*checked.result, *program.ml, !trains));
  checked.result.reset();
  engine.reset();
  record.timings_ms["query"] = MillisSince(query_start);
  job_record["features"] = rows.features.names;

  auto ml_start = Clock::now();
  std::string output;
  uint64_t rows_out = 0;
  Status done = Status::OK();
  if (trains) {
    done = Train(job, *program.ml, rows, model.has_value() ? &*model : nullptr, spec.engine_threads,
                 job_record, output);
    rows_out = 1;
  } else {
    auto scored = Score(job, program, rows, *model, spec.engine_threads, output);
    done = scored.status();
    if (scored.ok()) rows_out = *scored;
    job_record["predictions"] = rows_out;
  }
  SecureWipe(rows.features.values.data(), rows.features.values.size() * sizeof(float));
  SecureWipe(rows.labels.data(), rows.labels.size() * sizeof(float));
  if (!done.ok()) {
    SecureWipe(output.data(), output.size());
    return done;
  }
  record.timings_ms["ml"] = MillisSince(ml_start);
  record.rows_out = rows_out;
  for (const privacy::SuppressionNote& note : checked.notes) {
    record.suppressed.push_back({note.rule, static_cast<uint64_t>(note.rows)});
  }
  record.output_format = trains ? "xgboost-json" : "csv";
  record.job = job_record;

  auto seal_start = Clock::now();
  std::string output_hash = crypto::Sha256Hex(AsBytes(output));
  Status sealed =
      StoreSealedResult(storage, spec.run_id, AsBytes(output), output_hash, spec.recipients);
  SecureWipe(output.data(), output.size());
  CR_RETURN_IF_ERROR(sealed);
  record.output_hash = output_hash;
  record.timings_ms["seal"] = MillisSince(seal_start);
  return Status::OK();
}

}  // namespace cleanroom::runtime
