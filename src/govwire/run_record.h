#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "govwire/json_reader.h"

// The state of a run and the record a runtime signs at its end (docs/runtime.md, "Run record").
namespace cleanroom::govwire {

// requested -> running (keys released) -> succeeded | failed; requested -> failed (release
// refused on the state); running -> failed (no report in time).
enum class RunState { kRequested, kRunning, kSucceeded, kFailed };

// "requested", "running", "succeeded", "failed".
std::string_view RunStateName(RunState state);
// InvalidArgument naming `where` for any other text.
Result<RunState> ParseRunState(std::string_view text, std::string_view where);

// One input of a run: the dataset version, the hashes the runtime checked, and its timings.
struct RunRecordInput {
  std::string dataset;
  int64_t version = 0;
  std::string document_hash;
  std::string content_hash;
  std::map<std::string, int64_t> timings_ms;
};

// A run's charge on one DP dataset's privacy budget (docs/privacy.md "Privacy budget"), as
// governance made it when it released the keys: it sends the charges in the work order and the
// runtime states them in its signed record, which governance compares with its own. Amounts are
// exact decimals (or fractions) as strings. {"dataset","version","mechanism":"laplace"|"gaussian",
// "epsilon","delta","rho"?}: rho for gaussian only.
struct RunBudgetCharge {
  std::string dataset;
  int64_t version = 0;
  std::string mechanism;
  std::string epsilon;
  std::string delta;
  std::string rho;  // gaussian only

  Json ToJson() const;
  static Result<RunBudgetCharge> FromJson(const Json& value, const std::string& where);
  bool operator==(const RunBudgetCharge& other) const = default;
};
// A list of charges: absent or an array of at most 64.
Result<std::vector<RunBudgetCharge>> ParseRunBudget(const Json& value, const std::string& where);
Json RunBudgetJson(const std::vector<RunBudgetCharge>& charges);

// Rows a privacy rule removed from the output.
struct RunRecordSuppression {
  std::string rule;
  uint64_t rows = 0;
};

// The run record: {"run","query","queryHash","state": "succeeded"|"failed","reason"?,
// "inputs":[{"dataset","version","documentHash","contentHash","timingsMs"}],"rowsOut"?,
// "suppressed"?:[{"rule","rows"}],"outputFormat"?,"outputHash"?,"evidence":{"kind","digest",
// "insecure"?},"timingsMs":{name: ms},"finishedAt"?,"runtimeKey"?,"budget"?:[RunBudgetCharge],
// "job"?}. Unknown fields are refused: the record is what members compare, so nothing in it may go
// unread. A succeeded record has an outputHash and no reason; a failed one a reason and no output.
struct RunRecord {
  std::string run;
  std::string query;
  std::string query_hash;
  RunState state = RunState::kFailed;
  std::string reason;  // failed only
  std::vector<RunRecordInput> inputs;
  std::optional<uint64_t> rows_out;
  std::vector<RunRecordSuppression> suppressed;
  std::string output_format;
  std::string output_hash;  // succeeded only
  std::string evidence_kind;
  std::string evidence_digest;
  bool evidence_insecure = false;
  std::map<std::string, int64_t> timings_ms;
  std::optional<int64_t> finished_at;
  std::string runtime_key;  // PEM of the key that signs the record
  // The privacy budget charges of the run, copied from the work order (none: no DP dataset).
  std::vector<RunBudgetCharge> budget;
  // An ML job's outcome (docs/ml.md "Run record"), succeeded runs only: {"kind", "model"?,
  // "features", "trainingRows"?, "heldOutRows"?, "boostedRounds"?, "metrics"?: {name: number or
  // null}, "predictions"?}. Null for a SQL query.
  Json job;

  Json ToJson() const;
  static Result<RunRecord> FromJson(const Json& value, const std::string& where);
};

// GET /v1/runtime/runs: {"runs": [{"run", "state"}]}, what a runtime polls (open route).
struct RuntimeRun {
  std::string run;
  RunState state = RunState::kRequested;
};
struct RuntimeRunList {
  std::vector<RuntimeRun> runs;

  Json ToJson() const;
  static Result<RuntimeRunList> FromJson(const Json& value);
};

}  // namespace cleanroom::govwire
