#include "ml/model_file.h"

#include <nlohmann/json.hpp>

namespace cleanroom::ml {
namespace {

using nlohmann::json;

// Counts depth and elements while nlohmann's parser reads the file; returning false stops the
// parse at once, so the depth bound also bounds the UBJSON reader's recursion.
class BoundedSax : public nlohmann::json_sax<json> {
 public:
  explicit BoundedSax(const ModelFileLimits& limits) : limits_(limits) {}

  bool null() override { return Element(); }
  bool boolean(bool) override { return Element(); }
  bool number_integer(number_integer_t) override { return Element(); }
  bool number_unsigned(number_unsigned_t) override { return Element(); }
  bool number_float(number_float_t, const string_t&) override { return Element(); }
  bool string(string_t&) override { return Element(); }
  bool binary(binary_t&) override { return Element(); }
  bool start_object(std::size_t) override { return Open(); }
  bool key(string_t&) override { return Element(); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    malformed_ = true;
    return false;
  }

  bool too_deep() const { return too_deep_; }
  bool too_many() const { return too_many_; }

 private:
  bool Element() {
    if (++elements_ > limits_.max_elements) too_many_ = true;
    return !too_many_;
  }
  bool Open() {
    if (++depth_ > limits_.max_depth) too_deep_ = true;
    return !too_deep_ && Element();
  }
  bool Close() {
    --depth_;
    return true;
  }

  const ModelFileLimits& limits_;
  int depth_ = 0;
  uint64_t elements_ = 0;
  bool too_deep_ = false;
  bool too_many_ = false;
  bool malformed_ = false;
};

Status Refused(const std::string& what) { return Status::InvalidArgument("model file: " + what); }

Result<ModelFormat> DetectFormat(ByteSpan file) {
  size_t i = 0;
  while (i < file.size() &&
         (file[i] == ' ' || file[i] == '\n' || file[i] == '\r' || file[i] == '\t')) {
    ++i;
  }
  if (i < file.size() && file[i] == '{') {
    // JSON: the first key is a quoted string. UBJSON: a length type marker follows the brace.
    size_t j = i + 1;
    while (j < file.size() &&
           (file[j] == ' ' || file[j] == '\n' || file[j] == '\r' || file[j] == '\t')) {
      ++j;
    }
    if (j < file.size() && (file[j] == '"' || file[j] == '}')) return ModelFormat::kJson;
    if (i == 0) return ModelFormat::kUbjson;
  }
  return Refused(
      "not an XGBoost JSON or UBJSON model (the deprecated binary format is refused: save the "
      "model with save_model('model.json') or 'model.ubj')");
}

Result<int64_t> IntegerField(const json& object, const char* name, const std::string& where) {
  if (!object.is_object() || !object.contains(name))
    return Refused(where + "." + name + " is missing");
  const json& v = object[name];
  // XGBoost writes its model parameters as strings ("3"); accept both forms.
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoll(s);
    }
  }
  return Refused(where + "." + name + " is not a non-negative integer");
}

}  // namespace

std::string_view ModelFormatName(ModelFormat format) {
  return format == ModelFormat::kJson ? "json" : "ubjson";
}

Result<ModelFileSummary> ValidateModelFile(ByteSpan file, const ModelFileLimits& limits) {
  if (file.size() > limits.max_bytes) return Refused("larger than the limit for a model");
  ModelFileSummary summary;
  CR_ASSIGN_OR_RETURN(summary.format, DetectFormat(file));

  BoundedSax sax(limits);
  bool parsed = summary.format == ModelFormat::kJson
                    ? json::sax_parse(file.begin(), file.end(), &sax)
                    : json::sax_parse(file.begin(), file.end(), &sax,
                                      nlohmann::detail::input_format_t::ubjson);
  if (sax.too_deep()) return Refused("nested deeper than a model is");
  if (sax.too_many()) return Refused("holds more elements than the limit for a model");
  if (!parsed) return Refused("not valid " + std::string(ModelFormatName(summary.format)));

  // Bounded now: build the document and check its shape.
  json doc = summary.format == ModelFormat::kJson
                 ? json::parse(file.begin(), file.end(), nullptr, false)
                 : json::from_ubjson(file.begin(), file.end(), true, false);
  if (doc.is_discarded() || !doc.is_object()) return Refused("not an object");
  if (doc.contains("Config") || doc.contains("Model")) {
    return Refused(
        "a memory snapshot (Config and Model) is refused: it carries training state; save the "
        "model itself with save_model");
  }
  if (!doc.contains("learner") || !doc["learner"].is_object()) return Refused("learner is missing");
  if (!doc.contains("version") || !doc["version"].is_array() || doc["version"].size() != 3) {
    return Refused("version is missing or not [major, minor, patch]");
  }
  for (const json& v : doc["version"]) {
    if (!v.is_number_integer()) return Refused("version is not [major, minor, patch]");
    summary.version.push_back(v.get<int64_t>());
  }
  if (summary.version[0] < 1) return Refused("written by an XGBoost older than 1.0");
  const json& learner = doc["learner"];
  const json& params = learner.value("learner_model_param", json::object());
  CR_ASSIGN_OR_RETURN(summary.num_features,
                      IntegerField(params, "num_feature", "learner.learner_model_param"));
  const json& booster = learner.value("gradient_booster", json::object());
  if (!booster.is_object() || !booster.contains("name") || !booster["name"].is_string()) {
    return Refused("learner.gradient_booster.name is missing");
  }
  summary.booster = booster["name"].get<std::string>();
  if (summary.booster != "gbtree" && summary.booster != "dart" && summary.booster != "gblinear") {
    return Refused("learner.gradient_booster.name is not gbtree, dart or gblinear");
  }
  const json& objective = learner.value("objective", json::object());
  if (!objective.is_object() || !objective.contains("name") || !objective["name"].is_string()) {
    return Refused("learner.objective.name is missing");
  }
  summary.objective = objective["name"].get<std::string>();
  if (learner.contains("feature_names")) {
    const json& names = learner["feature_names"];
    if (!names.is_array()) return Refused("learner.feature_names is not an array");
    for (const json& n : names) {
      if (!n.is_string()) return Refused("learner.feature_names holds a non-string");
      summary.feature_names.push_back(n.get<std::string>());
    }
    if (!summary.feature_names.empty() &&
        static_cast<int64_t>(summary.feature_names.size()) != summary.num_features) {
      return Refused("learner.feature_names does not match learner_model_param.num_feature");
    }
  }
  return summary;
}

}  // namespace cleanroom::ml
