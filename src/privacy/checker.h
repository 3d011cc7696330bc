#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "privacy/policy.h"
#include "sql/catalog.h"
#include "sql/frontend.h"

namespace cleanroom::privacy {

// One statement of a checked program, run in order on one engine connection.
struct ProgramStep {
  enum class Kind {
    kPreCondition,      // `sql` returns one row, one count: must be >= min_rows of `dataset`
    kExecute,           // a statement of ours (temp tables for thresholds, temp views)
    kSuppressionCount,  // `sql` returns one row: a count per entry of `rules`
    kResult,            // the final query: its rows are the result
  };
  Kind kind = Kind::kExecute;
  std::string sql;
  std::string dataset;             // kPreCondition
  int64_t min_rows = 0;            // kPreCondition
  std::vector<std::string> rules;  // kSuppressionCount: e.g. "minGroupUnits(customers)"
  // kExecute: when set, a count query; the statement runs only when it returns more than 0.
  std::string condition;
};

// A dataset table may carry the hidden column sql::kUnitHashColumn, the 64-bit hash of its
// privacy unit computed when the table was loaded: the threshold rewrite then counts units
// from it instead of hashing the unit column in every query. The binder never sees it
// (ApplyAllowedFields keeps only allowed fields).
using sql::kUnitHashColumn;

// What a policy-checked script becomes: statements that compute thresholds and the result.
// What approvers review (docs/privacy.md "Checked when proposed"): where each output column
// comes from, and the floors and suppression rules in force.
struct CheckSummary {
  struct OutputColumn {
    std::string name;
    std::vector<std::string> sources;  // "dataset.column (role)", sorted
    bool aggregated = false;           // computed by an aggregate over rows
  };
  struct Floors {
    std::string dataset;
    int64_t min_row_count = 0;    // effective: the stricter of owner's and query's
    int64_t min_group_units = 0;  // effective
    int64_t owner_min_row_count = 0;
    int64_t owner_min_group_units = 0;
  };
  std::vector<OutputColumn> columns;
  std::vector<Floors> floors;                  // every dataset the query reads
  std::vector<std::string> suppression_rules;  // the notes the recipient will get, in order
  std::vector<std::string> post_filters;       // "column>=min"
};
// The summary as a JSON object {"columns":[{"name","sources","aggregated"}],"floors":[...],
// "suppressionRules":[...],"postFilters":[...]} for a proposal's record.
std::string CheckSummaryJson(const CheckSummary& summary);

struct CheckedProgram {
  std::vector<ProgramStep> steps;
  std::vector<sql::Column> output;  // result columns
  std::string explain;              // the checked plan with the inserted thresholds
  // Dataset tables (lower case) whose thresholds hash the privacy unit in the query because
  // the table has no precomputed kUnitHashColumn: loading them with it makes the query cheaper.
  std::vector<std::string> unit_hash_wanted;
  CheckSummary summary;
  // ML mode (PolicyFile::ml) only: what each output column is (feature, label, unit key).
  std::optional<MlFeatureLayout> ml;
};

// Restricts `catalog` to each policy's allowedFields, so that other columns do not exist for
// the binder (SELECT * expands to the allowed ones; naming another is "column not found").
// A table without a policy is an error (fail closed); so is an allowedField missing from the
// table's schema.
Status ApplyAllowedFields(const PolicyFile& policies, sql::Catalog& catalog);

// Checks every statement of a compiled script against the policies and rewrites it so that
// the engine computes the thresholds. `statements` must have been compiled against a catalog
// restricted by ApplyAllowedFields, with CompileOptions::safe_arithmetic set. Returns
// PermissionDenied naming the rule, the dataset and the column (never a value) for any use a
// role forbids.
// `physical`, when given, is the engine's unrestricted catalog: tables in it with
// kUnitHashColumn have their unit hash precomputed.
Result<CheckedProgram> CheckScript(const std::vector<sql::CompiledStatement>& statements,
                                   const PolicyFile& policies, const sql::Catalog& catalog,
                                   const sql::Catalog* physical = nullptr);

// Runs the program's statements other than kResult on the caller's engine. Statement runners
// are supplied by the caller (privacy does not depend on the engine).
struct SuppressionNote {
  std::string rule;
  int64_t rows = 0;
};
class ProgramRunner {
 public:
  virtual ~ProgramRunner() = default;
  virtual Status Execute(const std::string& sql) = 0;
  // Runs a query returning one row of BIGINT counts.
  virtual Result<std::vector<int64_t>> QueryCounts(const std::string& sql) = 0;
};
// Pre-conditions fail with FailedPrecondition naming the dataset and the floor (never the
// actual count). Returns the suppression notes, in rule order, for the recipient.
Result<std::vector<SuppressionNote>> RunPreparation(const CheckedProgram& program,
                                                    ProgramRunner& runner);

}  // namespace cleanroom::privacy
