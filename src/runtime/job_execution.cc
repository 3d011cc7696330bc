// ML jobs in the clean room (docs/ml.md "Runtime").
#include "runtime/job_execution.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "crypto/hash.h"
#include "crypto/sha256_tree.h"
#include "engine/numeric_cells.h"
#include "ml/booster.h"
#include "ml/documents.h"
#include "privacy/feature_query_check.h"
#include "runtime/checked_query.h"
#include "runtime/input_loading.h"
#include "sql/catalog.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using Use = privacy::MlFeatureLayout::Use;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

bool IsModelDocument(const json& document) {
  const std::string format = document.value("format", "");
  return format == "xgboost-json" || format == "xgboost-ubjson";
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

// The feature query's rows, read into memory: features as floats (NaN for NULL), the label, and
// the unit keys' distinct values per dataset (to count the training floor).
struct FeatureRows {
  ml::FeatureMatrix features;
  std::vector<float> labels;
  std::vector<std::string> unit_key_text;           // inference: the unit keys of each row, as CSV
  std::map<std::string, std::set<uint64_t>> units;  // dataset -> hashes of its distinct units
  std::vector<uint64_t> row_unit;                   // per row: the first unit key's hash
};

uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool HasLabel(const privacy::MlFeatureLayout& layout) {
  return std::find(layout.uses.begin(), layout.uses.end(), Use::kLabel) != layout.uses.end();
}

Result<FeatureRows> ReadRows(engine::QueryResult& result, const privacy::MlFeatureLayout& layout,
                             bool keep_unit_keys) {
  FeatureRows rows;
  const auto& columns = result.columns();
  for (size_t c = 0; c < columns.size(); ++c) {
    if (layout.uses[c] == Use::kUnitKey) continue;
    if (!columns[c].type.IsNumeric() && columns[c].type.id != sql::TypeId::kBoolean) {
      return Status::InvalidArgument("job: column " + columns[c].name +
                                     " of the feature query is not numeric (cast or encode it in "
                                     "the feature query)");
    }
    if (layout.uses[c] == Use::kFeature) rows.features.names.push_back(columns[c].name);
  }
  const size_t width = rows.features.names.size();
  std::string cell;
  while (true) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    const engine::Chunk& chunk = result.chunk();
    const size_t first = rows.features.rows;
    const size_t count = chunk.size();
    if (count == 0) continue;
    rows.features.values.resize((first + count) * width);
    rows.labels.resize(rows.labels.size() + (HasLabel(layout) ? count : 0));
    size_t feature = 0;
    for (size_t c = 0; c < columns.size(); ++c) {
      // Features and the label straight from the engine's vectors; unit keys as text (hashed
      // and counted, and for inference the row key of the predictions).
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
    for (size_t r = 0; r < count; ++r) {
      std::string keys;
      bool first_unit = true;
      for (size_t c = 0; c < columns.size(); ++c) {
        if (layout.uses[c] != Use::kUnitKey) continue;
        cell.clear();
        chunk.AppendCell(c, r, engine::CellStyle::kText, cell);
        uint64_t h = Fnv1a(cell);
        if (!chunk.IsNull(c, r)) rows.units[layout.unit_dataset[c]].insert(h);
        if (first_unit) rows.row_unit.push_back(h);
        first_unit = false;
        if (keep_unit_keys) keys += CsvField(cell) + ",";
      }
      if (keep_unit_keys) rows.unit_key_text.push_back(std::move(keys));
    }
    rows.features.rows += count;
  }
  for (float label : rows.labels) {
    if (std::isnan(label)) return Status::InvalidArgument("job: a label is NULL");
  }
  SecureWipe(cell.data(), cell.size());
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

std::string FormatPrediction(float p, const ml::JobDocument& job) {
  if (job.predictions == ml::JobDocument::Predictions::kLabels) return p > 0.5f ? "1" : "0";
  char buffer[64];
  if (job.decimals >= 0) {
    std::snprintf(buffer, sizeof buffer, "%.*f", job.decimals, static_cast<double>(p));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(p));
  }
  return buffer;
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
  std::vector<RunInput> data = spec.inputs;
  std::optional<RunInput> model_input;
  if (!job.model.empty()) {
    if (data.empty() || !IsModelDocument(data.back().document)) {
      return Status::FailedPrecondition("job: its model was not released with its datasets");
    }
    model_input = data.back();
    data.pop_back();
  }
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
  if (trains) {
    // The training floor: distinct units of each dataset in the training rows; the count itself
    // is never reported, only that the floor held.
    for (const auto& [dataset, floor] : program.ml->min_training_units) {
      auto it = rows.units.find(dataset);
      const int64_t units = it == rows.units.end() ? 0 : static_cast<int64_t>(it->second.size());
      if (units < floor) {
        return Status::FailedPrecondition(
            "ML training floor: the training rows hold fewer distinct privacy units of dataset " +
            dataset + " than its owner's minimum of " + std::to_string(floor));
      }
    }
    // The held-out split, by unit: a person's rows are all on one side.
    std::vector<size_t> train_rows, held_rows;
    const uint64_t cut = static_cast<uint64_t>(job.held_out_fraction * 10000.0);
    for (size_t i = 0; i < rows.features.rows; ++i) {
      ((rows.row_unit[i] >> 17) % 10000 < cut ? held_rows : train_rows).push_back(i);
    }
    ml::FeatureMatrix training = Select(rows.features, train_rows);
    std::vector<float> labels;
    labels.reserve(train_rows.size());
    for (size_t i : train_rows) labels.push_back(rows.labels[i]);
    CR_ASSIGN_OR_RETURN(ml::Model trained, ml::Model::Train(training, labels, *job.training,
                                                            model.has_value() ? &*model : nullptr,
                                                            spec.engine_threads));
    SecureWipe(training.values.data(), training.values.size() * sizeof(float));
    job_record["trainingRows"] = train_rows.size();
    job_record["heldOutRows"] = held_rows.size();
    job_record["boostedRounds"] = trained.BoostedRounds();
    if (!held_rows.empty() && !job.metrics.empty()) {
      ml::FeatureMatrix held = Select(rows.features, held_rows);
      CR_ASSIGN_OR_RETURN(std::vector<float> predicted, trained.Predict(held, spec.engine_threads));
      std::vector<float> held_labels;
      held_labels.reserve(held_rows.size());
      for (size_t i : held_rows) held_labels.push_back(rows.labels[i]);
      job_record["metrics"] = Metrics(job.metrics, held_labels, predicted);
      SecureWipe(held.values.data(), held.values.size() * sizeof(float));
    }
    CR_ASSIGN_OR_RETURN(Bytes saved, trained.Save(ml::ModelFormat::kJson));
    output.assign(saved.begin(), saved.end());
    SecureWipe(saved.data(), saved.size());
    rows_out = 1;
  } else {
    CR_ASSIGN_OR_RETURN(std::vector<float> predicted,
                        model->Predict(rows.features, spec.engine_threads));
    if (predicted.size() != rows.features.rows) {
      return Status::InvalidArgument("job: the model predicts more than one value per row");
    }
    std::string header;
    for (size_t c = 0; c < program.output.size(); ++c) {
      if (program.ml->uses[c] == Use::kUnitKey) header += CsvField(program.output[c].name) + ",";
    }
    output = header + "prediction\n";
    for (size_t i = 0; i < predicted.size(); ++i) {
      output += rows.unit_key_text[i] + FormatPrediction(predicted[i], job) + "\n";
      SecureWipe(rows.unit_key_text[i].data(), rows.unit_key_text[i].size());
    }
    rows_out = predicted.size();
    job_record["predictions"] = rows_out;
  }
  SecureWipe(rows.features.values.data(), rows.features.values.size() * sizeof(float));
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
