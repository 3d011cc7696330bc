#include "govwire/run_record.h"

namespace cleanroom::govwire {
namespace {

// A run record's timings: milliseconds by step name, a few entries at most.
constexpr size_t kMaxTimings = 32;

Json TimingsJson(const std::map<std::string, int64_t>& timings) {
  Json out = Json::object();
  for (const auto& [name, ms] : timings) out[name] = ms;
  return out;
}

Result<std::map<std::string, int64_t>> ParseTimings(const Json& object, const std::string& where) {
  std::map<std::string, int64_t> out;
  if (object.is_null()) return out;
  if (!object.is_object() || object.size() > kMaxTimings) {
    return Status::InvalidArgument(where + ": expected an object of at most 32 timings");
  }
  for (const auto& [name, value] : object.items()) {
    if (!value.is_number_integer()) {
      return Status::InvalidArgument(where + ": expected milliseconds (integers)");
    }
    out[name] = value.get<int64_t>();
  }
  return out;
}

Result<uint64_t> Count(const JsonReader& r, std::string_view field) {
  CR_ASSIGN_OR_RETURN(int64_t n, r.Integer(field));
  if (n < 0) return Status::InvalidArgument(r.Path(field) + ": expected a count");
  return static_cast<uint64_t>(n);
}

Result<RunRecordInput> ParseInput(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"dataset", "version", "documentHash", "contentHash", "timingsMs"}));
  RunRecordInput input;
  CR_ASSIGN_OR_RETURN(input.dataset, r.String("dataset"));
  CR_ASSIGN_OR_RETURN(input.version, r.Integer("version"));
  CR_ASSIGN_OR_RETURN(input.document_hash, r.String("documentHash"));
  CR_ASSIGN_OR_RETURN(input.content_hash, r.String("contentHash"));
  CR_ASSIGN_OR_RETURN(input.timings_ms,
                      ParseTimings(value.value("timingsMs", Json()), where + ".timingsMs"));
  return input;
}

Status ParseEvidence(const Json& value, RunRecord* record) {
  JsonReader r(value, "record.evidence");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"kind", "digest", "insecure"}));
  CR_ASSIGN_OR_RETURN(record->evidence_kind, r.String("kind"));
  CR_ASSIGN_OR_RETURN(record->evidence_digest, r.String("digest"));
  if (r.Has("insecure")) {
    if (!value["insecure"].is_boolean()) {
      return Status::InvalidArgument("record.evidence.insecure: expected true or false");
    }
    record->evidence_insecure = value["insecure"].get<bool>();
  }
  return Status::OK();
}

// The "job" object of an ML job's record: every field known and typed.
Result<Json> ParseJobOutcome(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"kind", "model", "features", "trainingRows", "heldOutRows",
                             "boostedRounds", "metrics", "predictions"}));
  CR_ASSIGN_OR_RETURN(std::string kind, r.String("kind"));
  if (kind != "training" && kind != "fine-tuning" && kind != "inference") {
    return Status::InvalidArgument(r.Path("kind") +
                                   ": expected training, fine-tuning or inference");
  }
  CR_RETURN_IF_ERROR(r.OptionalString("model", "").status());
  CR_ASSIGN_OR_RETURN(const Json* features, r.Array("features"));
  for (const Json& f : *features) {
    if (!f.is_string()) return Status::InvalidArgument(r.Path("features") + ": names only");
  }
  for (const char* count : {"trainingRows", "heldOutRows", "boostedRounds", "predictions"}) {
    if (r.Has(count)) CR_RETURN_IF_ERROR(Count(r, count).status());
  }
  if (r.Has("metrics")) {
    const Json& metrics = value["metrics"];
    if (!metrics.is_object()) return Status::InvalidArgument(r.Path("metrics") + ": an object");
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
      if (!it.value().is_number() && !it.value().is_null()) {
        return Status::InvalidArgument(r.Path("metrics") + ": values are numbers or null");
      }
    }
  }
  return value;
}

}  // namespace

Json RunBudgetCharge::ToJson() const {
  Json out = {{"dataset", dataset},
              {"version", version},
              {"mechanism", mechanism},
              {"epsilon", epsilon},
              {"delta", delta}};
  if (!rho.empty()) out["rho"] = rho;
  return out;
}

Result<RunBudgetCharge> RunBudgetCharge::FromJson(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"dataset", "version", "mechanism", "epsilon", "delta", "rho"}));
  RunBudgetCharge c;
  CR_ASSIGN_OR_RETURN(c.dataset, r.String("dataset"));
  CR_ASSIGN_OR_RETURN(c.version, r.Integer("version"));
  CR_ASSIGN_OR_RETURN(c.mechanism, r.String("mechanism"));
  if (c.mechanism != "laplace" && c.mechanism != "gaussian") {
    return Status::InvalidArgument(r.Path("mechanism") + ": expected laplace or gaussian");
  }
  CR_ASSIGN_OR_RETURN(c.epsilon, r.String("epsilon"));
  CR_ASSIGN_OR_RETURN(c.delta, r.String("delta"));
  CR_ASSIGN_OR_RETURN(c.rho, r.OptionalString("rho", ""));
  if (c.rho.empty() != (c.mechanism == "laplace")) {
    return Status::InvalidArgument(r.Path("rho") + ": required exactly for gaussian charges");
  }
  return c;
}

Result<std::vector<RunBudgetCharge>> ParseRunBudget(const Json& value, const std::string& where) {
  std::vector<RunBudgetCharge> out;
  if (value.is_null()) return out;
  if (!value.is_array() || value.size() > 64) {
    return Status::InvalidArgument(where + ": expected an array of at most 64 charges");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    CR_ASSIGN_OR_RETURN(RunBudgetCharge c,
                        RunBudgetCharge::FromJson(value[i], where + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(c));
  }
  return out;
}

Json RunBudgetJson(const std::vector<RunBudgetCharge>& charges) {
  Json out = Json::array();
  for (const RunBudgetCharge& c : charges) out.push_back(c.ToJson());
  return out;
}

std::string_view RunStateName(RunState state) {
  switch (state) {
    case RunState::kRequested:
      return "requested";
    case RunState::kRunning:
      return "running";
    case RunState::kSucceeded:
      return "succeeded";
    case RunState::kFailed:
      return "failed";
  }
  return "failed";
}

Result<RunState> ParseRunState(std::string_view text, std::string_view where) {
  for (RunState s :
       {RunState::kRequested, RunState::kRunning, RunState::kSucceeded, RunState::kFailed}) {
    if (text == RunStateName(s)) return s;
  }
  return Status::InvalidArgument(std::string(where) +
                                 ": expected requested, running, succeeded or failed");
}

Json RunRecord::ToJson() const {
  Json inputs_json = Json::array();
  for (const RunRecordInput& i : inputs) {
    inputs_json.push_back({{"dataset", i.dataset},
                           {"version", i.version},
                           {"documentHash", i.document_hash},
                           {"contentHash", i.content_hash},
                           {"timingsMs", TimingsJson(i.timings_ms)}});
  }
  Json out = {{"run", run},
              {"query", query},
              {"queryHash", query_hash},
              {"state", std::string(RunStateName(state))},
              {"inputs", std::move(inputs_json)},
              {"evidence", {{"kind", evidence_kind}, {"digest", evidence_digest}}},
              {"timingsMs", TimingsJson(timings_ms)}};
  if (evidence_insecure) out["evidence"]["insecure"] = true;
  if (state == RunState::kFailed) out["reason"] = reason;
  if (state == RunState::kSucceeded) {
    out["outputHash"] = output_hash;
    Json rules = Json::array();
    for (const RunRecordSuppression& s : suppressed)
      rules.push_back({{"rule", s.rule}, {"rows", s.rows}});
    out["suppressed"] = std::move(rules);
  }
  if (rows_out) out["rowsOut"] = *rows_out;
  if (!output_format.empty()) out["outputFormat"] = output_format;
  if (finished_at) out["finishedAt"] = *finished_at;
  if (!runtime_key.empty()) out["runtimeKey"] = runtime_key;
  if (!budget.empty()) out["budget"] = RunBudgetJson(budget);
  if (!job.is_null()) out["job"] = job;
  return out;
}

Result<RunRecord> RunRecord::FromJson(const Json& value, const std::string& where) {
  JsonReader r(value, where);
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"run", "query", "queryHash", "state", "reason", "inputs", "rowsOut",
                             "suppressed", "outputFormat", "outputHash", "evidence", "timingsMs",
                             "finishedAt", "runtimeKey", "budget", "job"}));
  RunRecord record;
  CR_ASSIGN_OR_RETURN(record.run, r.String("run"));
  CR_ASSIGN_OR_RETURN(record.query, r.String("query"));
  CR_ASSIGN_OR_RETURN(record.query_hash, r.String("queryHash"));
  CR_ASSIGN_OR_RETURN(std::string state, r.String("state"));
  CR_ASSIGN_OR_RETURN(record.state, ParseRunState(state, r.Path("state")));
  if (record.state != RunState::kSucceeded && record.state != RunState::kFailed) {
    return Status::InvalidArgument(r.Path("state") + ": a run record ends succeeded or failed");
  }
  bool failed = record.state == RunState::kFailed;
  if (failed != r.Has("reason")) {
    return Status::InvalidArgument(r.Path("reason") + ": required exactly when the run failed");
  }
  if (failed) {
    CR_ASSIGN_OR_RETURN(record.reason, r.String("reason"));
  }
  if (failed == r.Has("outputHash")) {
    return Status::InvalidArgument(r.Path("outputHash") +
                                   ": required exactly when the run succeeded");
  }
  if (!failed) {
    CR_ASSIGN_OR_RETURN(std::string hash, r.String("outputHash"));
    CR_ASSIGN_OR_RETURN(record.output_hash, NormalizeSha256Hex(hash, r.Path("outputHash")));
  }
  if (r.Has("inputs")) {
    CR_ASSIGN_OR_RETURN(const Json* inputs, r.Array("inputs"));
    for (size_t i = 0; i < inputs->size(); ++i) {
      CR_ASSIGN_OR_RETURN(
          RunRecordInput input,
          ParseInput((*inputs)[i], r.Path("inputs") + "[" + std::to_string(i) + "]"));
      record.inputs.push_back(std::move(input));
    }
  }
  if (r.Has("rowsOut")) {
    CR_ASSIGN_OR_RETURN(record.rows_out, Count(r, "rowsOut"));
  }
  if (r.Has("suppressed")) {
    CR_ASSIGN_OR_RETURN(const Json* rules, r.Array("suppressed"));
    for (size_t i = 0; i < rules->size(); ++i) {
      JsonReader s((*rules)[i], r.Path("suppressed") + "[" + std::to_string(i) + "]");
      CR_RETURN_IF_ERROR(s.RequireObject());
      CR_RETURN_IF_ERROR(s.RejectUnknownFields({"rule", "rows"}));
      RunRecordSuppression rule;
      CR_ASSIGN_OR_RETURN(rule.rule, s.String("rule"));
      CR_ASSIGN_OR_RETURN(rule.rows, Count(s, "rows"));
      record.suppressed.push_back(std::move(rule));
    }
  }
  CR_ASSIGN_OR_RETURN(record.output_format, r.OptionalString("outputFormat", ""));
  if (!r.Has("evidence")) return Status::InvalidArgument(r.Path("evidence") + ": missing");
  CR_RETURN_IF_ERROR(ParseEvidence(value["evidence"], &record));
  CR_ASSIGN_OR_RETURN(record.timings_ms,
                      ParseTimings(value.value("timingsMs", Json()), r.Path("timingsMs")));
  if (r.Has("finishedAt")) {
    CR_ASSIGN_OR_RETURN(record.finished_at, r.Integer("finishedAt"));
  }
  CR_ASSIGN_OR_RETURN(record.runtime_key, r.OptionalString("runtimeKey", ""));
  CR_ASSIGN_OR_RETURN(record.budget,
                      ParseRunBudget(value.value("budget", Json()), r.Path("budget")));
  if (r.Has("job")) {
    if (failed) return Status::InvalidArgument(r.Path("job") + ": only a succeeded run has one");
    CR_ASSIGN_OR_RETURN(record.job, ParseJobOutcome(value["job"], r.Path("job")));
  }
  return record;
}

Json RuntimeRunList::ToJson() const {
  Json list = Json::array();
  for (const RuntimeRun& r : runs)
    list.push_back({{"run", r.run}, {"state", std::string(RunStateName(r.state))}});
  return {{"runs", std::move(list)}};
}

Result<RuntimeRunList> RuntimeRunList::FromJson(const Json& value) {
  JsonReader r(value, "runs reply");
  CR_RETURN_IF_ERROR(r.RequireObject());
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"runs"}));
  CR_ASSIGN_OR_RETURN(const Json* runs, r.Array("runs"));
  RuntimeRunList list;
  for (size_t i = 0; i < runs->size(); ++i) {
    JsonReader item((*runs)[i], r.Path("runs") + "[" + std::to_string(i) + "]");
    CR_RETURN_IF_ERROR(item.RequireObject());
    CR_RETURN_IF_ERROR(item.RejectUnknownFields({"run", "state"}));
    RuntimeRun run;
    CR_ASSIGN_OR_RETURN(run.run, item.String("run"));
    CR_ASSIGN_OR_RETURN(std::string state, item.String("state"));
    CR_ASSIGN_OR_RETURN(run.state, ParseRunState(state, item.Path("state")));
    list.runs.push_back(std::move(run));
  }
  return list;
}

}  // namespace cleanroom::govwire
