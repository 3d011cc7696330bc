#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "privacy/dp_noise.h"
#include "privacy/policy.h"
#include "privacy/random_bits.h"
#include "sql/catalog.h"
#include "sql/emitter/program_statements.h"
#include "sql/frontend.h"

namespace cleanroom::privacy {

struct DpRelease;

// One statement of a checked program, run in order on one engine connection.
struct ProgramStep {
  enum class Kind {
    kPreCondition,      // `sql` returns one row, one count: must be >= min_rows of `dataset`
    kExecute,           // a statement of ours (temp tables for thresholds, temp views)
    kSuppressionCount,  // `sql` returns one row: a count per entry of `rules`
    kResult,            // the final query: its rows are the result
    kDpKey,             // creates `dp.key_table` holding a fresh random bounding key
    kDpRelease,         // `sql` returns exact bounded aggregates; noise added in C++ (`dp`)
  };
  Kind kind = Kind::kExecute;
  std::string sql;
  std::string dataset;             // kPreCondition
  int64_t min_rows = 0;            // kPreCondition
  std::vector<std::string> rules;  // kSuppressionCount: e.g. "minGroupUnits(customers)"
  // kExecute: when set, a count query; the statement runs only when it returns more than 0.
  std::string condition;
  // kDpKey, kDpRelease.
  std::shared_ptr<const DpRelease> dp;
};

// One differentially private aggregate's release (dp_release.cc; docs/differential-privacy.md
// "Execution"). The kDpRelease step's `sql` returns, per group of bounded rows, BIGINT columns:
// the group id, the group's distinct units, then one exact integer per entry of `cells`
// (counts, or sums in fixed-point units). The release keeps a group when its noisy unit count
// reaches `threshold` (when `partition_selection`), adds each cell's noise, and writes the kept
// groups' noisy integers into `noisy_table` ("gid", "n0", ...).
struct DpRelease {
  std::string key_table;  // kDpKey: the table of the per-run bounding key
  std::string noisy_table;
  bool partition_selection = false;
  NoiseParameters partition_noise;
  int64_t threshold = 0;
  struct Cell {
    NoiseParameters noise;
    bool non_negative = false;  // a count: the noisy value is clamped at 0 (post-processing)
  };
  std::vector<Cell> cells;
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
  // Per differentially private aggregate: what approvers see before any budget is spent.
  struct DpAggregate {
    std::string column;     // the aggregate's output column
    std::string aggregate;  // COUNT, COUNT(DISTINCT unit), SUM, AVG
    std::string mechanism;  // "laplace" / "gaussian"
    std::string epsilon;    // the share of the query's epsilon (exact)
    std::string interval;   // the expected 95% interval of a released cell: "+-k" (value units)
  };
  std::vector<DpAggregate> dp;
  std::string dp_groups;  // how groups are released: partition selection's threshold, or "all"
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
  // The datasets (lower case) a differentially private query reads with DP: each is charged the
  // query's epsilon and delta (governance's budget, or a local budget file).
  std::vector<std::string> dp_datasets;
  // ML mode (PolicyFile::ml) only: what each output column is (feature, label, unit key).
  std::optional<MlFeatureLayout> ml;
};

// Restricts `catalog` to each policy's allowedFields, so that other columns do not exist for
// the binder (SELECT * expands to the allowed ones; naming another is "column not found").
// A table without a policy is an error (fail closed); so is an allowedField missing from the
// table's schema.
Status ApplyAllowedFields(const PolicyFile& policies, sql::Catalog& catalog);

// Where a checked program runs. The checks and their decisions are the same for every target;
// the program's SQL is the target's own.
struct CheckOptions {
  sql::SqlTarget target = sql::SqlTarget::kDuckDb;
};

// Checks every statement of a compiled script against the policies and rewrites it so that
// the engine computes the thresholds. `statements` must have been compiled against a catalog
// restricted by ApplyAllowedFields, with CompileOptions::safe_arithmetic set. Returns
// PermissionDenied naming the rule, the dataset and the column (never a value) for any use a
// role forbids.
// `physical`, when given, is the engine's unrestricted catalog: tables in it with
// kUnitHashColumn have their unit hash precomputed.
Result<CheckedProgram> CheckScript(const std::vector<sql::CompiledStatement>& statements,
                                   const PolicyFile& policies, const sql::Catalog& catalog,
                                   const sql::Catalog* physical = nullptr,
                                   const CheckOptions& options = {});

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
  // Runs a query returning rows of BIGINT values (no NULLs): a DP release's exact aggregates.
  virtual Result<std::vector<std::vector<int64_t>>> QueryIntegerRows(const std::string& sql) = 0;
};
// Pre-conditions fail with FailedPrecondition naming the dataset and the floor (never the
// actual count). Returns the suppression notes, in rule order, for the recipient.
// Differentially private steps draw their bounding key and noise from `random`, the kernel's
// CSPRNG when null (tests pass a seeded source).
Result<std::vector<SuppressionNote>> RunPreparation(const CheckedProgram& program,
                                                    ProgramRunner& runner,
                                                    RandomBits* random = nullptr);

}  // namespace cleanroom::privacy
