#include "ml/documents.h"

#include <algorithm>
#include <set>

namespace cleanroom::ml {
namespace {

using nlohmann::json;

Status FieldError(const std::string& path, const std::string& what) {
  return Status::InvalidArgument(path + ": " + what);
}

Status OnlyKnown(const json& object, const std::string& where, const std::set<std::string>& known) {
  if (!object.is_object()) return FieldError(where, "must be an object");
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!known.count(it.key())) return FieldError(where + "." + it.key(), "is not a known field");
  }
  return Status::OK();
}

Result<std::string> RequiredString(const json& object, const std::string& where,
                                   const char* field) {
  if (!object.contains(field) || !object[field].is_string() ||
      object[field].get<std::string>().empty()) {
    return FieldError(where + "." + field, "must be a non-empty string");
  }
  return object[field].get<std::string>();
}

Result<std::vector<std::string>> StringList(const json& object, const std::string& where,
                                            const char* field, bool required) {
  std::vector<std::string> out;
  if (!object.contains(field)) {
    if (required) return FieldError(where + "." + field, "is missing");
    return out;
  }
  const json& list = object[field];
  if (!list.is_array()) return FieldError(where + "." + field, "must be an array of strings");
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = where + "." + field + "[" + std::to_string(i) + "]";
    if (!list[i].is_string() || list[i].get<std::string>().empty()) {
      return FieldError(at, "must be a non-empty string");
    }
    if (!seen.insert(list[i].get<std::string>()).second) return FieldError(at, "is listed twice");
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Result<JobKind> KindNamed(const std::string& name) {
  if (name == "training") return JobKind::kTraining;
  if (name == "fine-tuning") return JobKind::kFineTuning;
  if (name == "inference") return JobKind::kInference;
  return FieldError("job.kind", "must be training, fine-tuning or inference");
}

}  // namespace

std::string_view JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kTraining:
      return "training";
    case JobKind::kFineTuning:
      return "fine-tuning";
    case JobKind::kInference:
      return "inference";
  }
  return "training";
}

Result<ModelDocument> ParseModelDocument(const json& doc) {
  CR_RETURN_IF_ERROR(OnlyKnown(
      doc, "model",
      {"name", "format", "features", "objective", "policy", "location", "contentHash", "keyId"}));
  ModelDocument m;
  CR_ASSIGN_OR_RETURN(m.name, RequiredString(doc, "model", "name"));
  if (!IsIdentifier(m.name)) {
    return FieldError("model.name", "must be an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 128)");
  }
  CR_ASSIGN_OR_RETURN(std::string format, RequiredString(doc, "model", "format"));
  if (format == "xgboost-json") {
    m.format = ModelFormat::kJson;
  } else if (format == "xgboost-ubjson") {
    m.format = ModelFormat::kUbjson;
  } else {
    return FieldError("model.format",
                      "must be xgboost-json or xgboost-ubjson (the deprecated binary format and "
                      "memory snapshots are refused)");
  }
  CR_ASSIGN_OR_RETURN(m.features, StringList(doc, "model", "features", true));
  if (m.features.empty()) return FieldError("model.features", "must name at least one feature");
  CR_ASSIGN_OR_RETURN(m.objective, RequiredString(doc, "model", "objective"));
  const json policy = doc.value("policy", json::object());
  CR_RETURN_IF_ERROR(
      OnlyKnown(policy, "model.policy", {"inferenceFor", "fineTuning", "derivedModelRecipients"}));
  CR_ASSIGN_OR_RETURN(m.inference_for, StringList(policy, "model.policy", "inferenceFor", false));
  if (policy.contains("fineTuning")) {
    if (!policy["fineTuning"].is_boolean())
      return FieldError("model.policy.fineTuning", "must be true or false");
    m.fine_tuning = policy["fineTuning"].get<bool>();
  }
  CR_ASSIGN_OR_RETURN(m.derived_model_recipients,
                      StringList(policy, "model.policy", "derivedModelRecipients", false));
  if (!m.fine_tuning && !m.derived_model_recipients.empty()) {
    return FieldError("model.policy.derivedModelRecipients", "needs fineTuning to be true");
  }
  CR_ASSIGN_OR_RETURN(m.location, RequiredString(doc, "model", "location"));
  CR_ASSIGN_OR_RETURN(m.content_hash, RequiredString(doc, "model", "contentHash"));
  std::transform(m.content_hash.begin(), m.content_hash.end(), m.content_hash.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!IsSha256Hex(m.content_hash)) return FieldError("model.contentHash", "must be 64 hex digits");
  CR_ASSIGN_OR_RETURN(m.key_id, RequiredString(doc, "model", "keyId"));
  return m;
}

Result<JobDocument> ParseJobDocument(const json& doc) {
  CR_RETURN_IF_ERROR(OnlyKnown(doc, "job",
                               {"name", "kind", "steps", "label", "model", "training", "evaluation",
                                "output", "recipients"}));
  JobDocument j;
  CR_ASSIGN_OR_RETURN(j.name, RequiredString(doc, "job", "name"));
  CR_ASSIGN_OR_RETURN(std::string kind, RequiredString(doc, "job", "kind"));
  CR_ASSIGN_OR_RETURN(j.kind, KindNamed(kind));
  CR_ASSIGN_OR_RETURN(j.steps, StringList(doc, "job", "steps", true));
  if (j.steps.empty()) return FieldError("job.steps", "must hold the feature query");
  CR_ASSIGN_OR_RETURN(j.recipients, StringList(doc, "job", "recipients", true));
  if (j.recipients.empty()) return FieldError("job.recipients", "must name at least one member");

  const bool trains = j.kind != JobKind::kInference;
  const bool uses_model = j.kind != JobKind::kTraining;
  // Each field is needed, optional or not taken, by kind: a field a kind does not use is an error,
  // never ignored.
  enum class Use { kNeeded, kOptional, kNotTaken };
  auto check = [&doc, &j](const char* field, Use use) -> Status {
    const std::string path = std::string("job.") + field;
    const std::string kind(JobKindName(j.kind));
    if (use == Use::kNeeded && !doc.contains(field)) {
      return FieldError(path, "is needed by a " + kind + " job");
    }
    if (use == Use::kNotTaken && doc.contains(field)) {
      return FieldError(path, "is not taken by a " + kind + " job");
    }
    return Status::OK();
  };
  CR_RETURN_IF_ERROR(check("label", trains ? Use::kNeeded : Use::kNotTaken));
  CR_RETURN_IF_ERROR(check("training", trains ? Use::kNeeded : Use::kNotTaken));
  CR_RETURN_IF_ERROR(check("evaluation", trains ? Use::kOptional : Use::kNotTaken));
  CR_RETURN_IF_ERROR(check("model", uses_model ? Use::kNeeded : Use::kNotTaken));
  CR_RETURN_IF_ERROR(check("output", trains ? Use::kNotTaken : Use::kOptional));

  if (trains) {
    CR_ASSIGN_OR_RETURN(j.label, RequiredString(doc, "job", "label"));
    CR_ASSIGN_OR_RETURN(TrainingParams params,
                        ParseTrainingParams(doc["training"], "job.training"));
    j.training = std::move(params);
    if (doc.contains("evaluation")) {
      const json& e = doc["evaluation"];
      CR_RETURN_IF_ERROR(OnlyKnown(e, "job.evaluation", {"heldOutFraction", "metrics"}));
      if (!e.contains("heldOutFraction") || !e["heldOutFraction"].is_number() ||
          e["heldOutFraction"].get<double>() <= 0 || e["heldOutFraction"].get<double>() > 0.5) {
        return FieldError("job.evaluation.heldOutFraction", "must be a number in (0, 0.5]");
      }
      j.held_out_fraction = e["heldOutFraction"].get<double>();
      CR_ASSIGN_OR_RETURN(j.metrics, StringList(e, "job.evaluation", "metrics", true));
      static const std::set<std::string> kMetrics = {"auc", "logloss", "error", "rmse", "mae"};
      for (size_t i = 0; i < j.metrics.size(); ++i) {
        if (!kMetrics.count(j.metrics[i])) {
          return FieldError("job.evaluation.metrics[" + std::to_string(i) + "]",
                            "must be one of auc, logloss, error, rmse, mae");
        }
      }
    }
  }
  if (uses_model) {
    CR_ASSIGN_OR_RETURN(j.model, RequiredString(doc, "job", "model"));
  }
  if (j.kind == JobKind::kInference && doc.contains("output")) {
    const json& o = doc["output"];
    CR_RETURN_IF_ERROR(OnlyKnown(o, "job.output", {"predictions", "decimals"}));
    if (o.contains("predictions")) {
      std::string p = o["predictions"].is_string() ? o["predictions"].get<std::string>() : "";
      if (p == "scores") {
        j.predictions = JobDocument::Predictions::kScores;
      } else if (p == "labels") {
        j.predictions = JobDocument::Predictions::kLabels;
      } else {
        return FieldError("job.output.predictions", "must be scores or labels");
      }
    }
    if (o.contains("decimals")) {
      if (!o["decimals"].is_number_integer() || o["decimals"].get<int64_t>() < 0 ||
          o["decimals"].get<int64_t>() > 6) {
        return FieldError("job.output.decimals", "must be a whole number from 0 to 6");
      }
      if (j.predictions == JobDocument::Predictions::kLabels) {
        return FieldError("job.output.decimals", "applies to scores, not labels");
      }
      j.decimals = static_cast<int>(o["decimals"].get<int64_t>());
    }
  }
  return j;
}

Status CheckJobAgainstModel(const JobDocument& job, const ModelDocument& model,
                            const std::string& model_owner,
                            const std::vector<std::string>& data_owners) {
  if (job.kind == JobKind::kTraining) return Status::OK();
  if (job.kind == JobKind::kFineTuning) {
    if (!model.fine_tuning) {
      return Status::PermissionDenied("model " + model.name +
                                      ": its owner does not allow fine-tuning");
    }
    for (const std::string& r : job.recipients) {
      if (r != model_owner && !Contains(model.derived_model_recipients, r)) {
        return Status::PermissionDenied("model " + model.name + ": member " + r +
                                        " may not receive a model derived from it");
      }
    }
    return Status::OK();
  }
  // Inference: row-level predictions, so they go to the owner of the scored rows alone, and the
  // rows must be one owner's (a join with another party's rows would hand that party's rows,
  // row by row, to the recipient).
  std::vector<std::string> scored;
  for (const std::string& owner : data_owners) {
    if (!Contains(scored, owner)) scored.push_back(owner);
  }
  if (scored.size() != 1) {
    return Status::PermissionDenied(
        "inference: the feature query must read the datasets of exactly one member, whose rows are "
        "scored (predictions are row-level)");
  }
  const std::string& owner = scored.front();
  if (owner != model_owner && !Contains(model.inference_for, owner)) {
    return Status::PermissionDenied(
        "model " + model.name + ": its owner does not allow scoring member " + owner + "'s rows");
  }
  for (const std::string& r : job.recipients) {
    if (r != owner) {
      return Status::PermissionDenied(
          "inference: predictions go only to the owner of the scored rows; member " + r +
          " is not");
    }
  }
  return Status::OK();
}

}  // namespace cleanroom::ml
