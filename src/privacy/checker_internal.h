#pragma once

#include <optional>
#include <set>

// Shared by the rule files of the checker. Not a public header.

#include <string>
#include <vector>

#include "privacy/checker.h"
#include "privacy/lineage.h"
#include "sql/emitter/program_statements.h"
#include "sql/plan.h"

namespace cleanroom::privacy::internal {

// How a value is used, for the role rules and their messages.
enum class Use {
  kOutput,        // a result column
  kFilter,        // WHERE, HAVING, a join's non-equality condition, an aggregate FILTER
  kJoinKey,       // one side of an equality join condition
  kGroup,         // a GROUP BY key
  kOrder,         // an ORDER BY key
  kWindowKey,     // a window's PARTITION BY / ORDER BY key
  kAggregateArg,  // the argument of an aggregate (or window aggregate) call
};
const char* UseName(Use use);

// The state of one CheckScript call.
struct CheckContext {
  const PolicyFile* policies = nullptr;
  const sql::Catalog* physical = nullptr;  // the engine's catalog (hidden columns), if known
  // The target engine's statements (DuckDB's unless CheckOptions says otherwise).
  const sql::ProgramStatements* statements = nullptr;
  Lineage lineage;
  int temp_counter = 0;
  // Prefix of this program's temp tables, unique within the process so that several
  // programs can run on one engine connection.
  std::string temp_prefix;
  std::vector<ProgramStep> steps;
  std::string explain;
  std::set<std::string> unit_hash_wanted;  // CheckedProgram::unit_hash_wanted

  // The differentially private aggregate the DP rewrite replaced (dp_rewrite.cc), if any.
  struct DpAggregateOutput {
    std::string kind;      // COUNT, COUNT(DISTINCT unit), SUM, AVG
    std::string epsilon;   // its share of the query's epsilon
    std::string interval;  // expected 95% interval, for the summary
    size_t ci_low = 0;     // index of its interval columns (low, then high) in `columns`
  };
  struct DpRewritten {
    int node_id = -1;                           // the scan that replaced the aggregate (same id)
    size_t group_count = 0;                     // its first columns are the group keys
    std::vector<DpAggregateOutput> aggregates;  // then one column per aggregate
    std::vector<sql::ColumnInfo> columns;       // every column of the scan (intervals last)
    std::string groups;                         // how groups are released, for the summary
    std::string mechanism;
  };
  std::optional<DpRewritten> dp;

  // The policy of a dataset, or nullptr (a temp table of ours, or a view).
  const DatasetPolicy* PolicyOf(const std::string& dataset) const;
};

// PermissionDenied: "<rule>: column <c> of dataset <d> (role <r>) ...".
Status Denied(const std::string& rule, const Origin& origin, ColumnRole role,
              const std::string& what);

// Role rules over every node of a plan (rules in role_rules.cc).
Status CheckRoles(CheckContext& ctx, const sql::PlanNode& node);
// Output rules of a final statement: result columns, row-level output, subqueries
// (output_rules.cc).
Status CheckOutput(CheckContext& ctx, const sql::LogicalPlan& plan);
// What feeds an aggregate over individual rows: value-returning functions, FILTER clauses and
// computed arguments (aggregate_input_rules.cc).
Status CheckAggregateInputs(CheckContext& ctx, const sql::PlanNode& aggregate);
// One aggregate per floored dataset in a query, no grouping sets over floored rows
// (subtotal_rules.cc).
Status CheckSubtotals(CheckContext& ctx, const sql::LogicalPlan& plan);
// IN / EXISTS subqueries over an aggregate-only dataset's rows must be matched to the outer row
// on a join or privacy_unit column and hold no aggregate of protected rows (probe_rules.cc).
Status CheckFilterSubquery(CheckContext& ctx, const sql::Expression& subquery);
// Scalar subqueries over aggregate-mode datasets anywhere in the node's expressions.
Status CheckSubqueries(CheckContext& ctx, const sql::PlanNode& node);

// Rewrites every aggregate over rows of a dataset with a minGroupUnits floor so that groups
// below the floor are dropped; emits the temp-table and suppression-count steps
// (threshold_rewrite.cc).
Status RewriteThresholds(CheckContext& ctx, const sql::Catalog& catalog, sql::LogicalPlan& plan,
                         sql::PlanPtr& node);
// A base-table Get of a dataset reached from an aggregate's input without another
// aggregate in between, with the nodes on the way (top first, the Get last).
struct RowPath {
  std::vector<sql::PlanNode*> nodes;
  std::string dataset;
};
// The row paths under `node` (threshold_rewrite.cc).
void FindRowPaths(CheckContext& ctx, sql::PlanNode* node, std::vector<sql::PlanNode*>& stack,
                  std::vector<RowPath>& out);
// PermissionDenied: the privacy unit of `dataset` cannot be carried through `through`.
Status CannotThread(const std::string& dataset, const std::string& through);
// Makes column `unit` of the Get at the end of `path` visible at the output of path.nodes[i],
// adding it to projections and pass-through column lists on the way up.
Result<sql::ColumnInfo> Expose(CheckContext& ctx, const sql::Catalog& catalog, const RowPath& path,
                               size_t i, const std::string& unit);
// Whether the threshold of `path` under `aggregate` counts the dataset's unit index
// (DatasetPolicy::unit_index) instead of its privacy unit: the policy declares one, the path
// reaches the table itself, and no expression in or under `aggregate` reads the unit. An index
// declared but missing from the engine's table, or not an integer, is InvalidArgument
// (unit_index.cc).
Result<bool> CountsUnitIndex(CheckContext& ctx, const DatasetPolicy& policy,
                             const sql::PlanNode& aggregate, const RowPath& path);
// The target engine's SQL (safe arithmetic) of the tree under `root` (a node of `plan`), all its
// columns output.
Result<std::string> EmitTree(const CheckContext& ctx, const sql::LogicalPlan& plan,
                             const sql::PlanPtr& root);

// Adds an aggregate call to an Aggregate node's output (after its other aggregates); returns
// its output index (threshold_rewrite.cc).
size_t AddAggregate(sql::PlanNode* node, const sql::ExprPtr& call, const std::string& name);

// A floored dataset of a thresholded aggregate: its unit column at the aggregate's input.
struct FloorUnit {
  std::string dataset;
  sql::ColumnInfo unit;
  int64_t min = 0;
};
// One aggregate argument read from a floored dataset's column (feeding_units.cc).
struct FeedingCheck {
  std::string dataset;
  int64_t min = 0;
  sql::ExprPtr arg;
  sql::ColumnBinding unit;            // the unit column of the table instance counted
  size_t fed_column = 0;              // count(arg), added to the aggregate's output
  std::vector<size_t> value_columns;  // the aggregates reading arg
  sql::ExprPtr exact;                 // count(DISTINCT hash(unit)) FILTER (WHERE arg IS NOT NULL)
};
// Adds count(arg) to `node` for each aggregate argument (among its first `original_count`
// aggregates) that is a column of a floored dataset other than its unit.
Result<std::vector<FeedingCheck>> AddFeedingCounts(CheckContext& ctx, sql::PlanNode& node,
                                                   size_t original_count,
                                                   const std::vector<FloorUnit>& floors,
                                                   const sql::FunctionDef* unit_hash);

// The approvers' summary of a checked script (check_summary.cc): the final query's output
// columns' lineage, the floors of every dataset read, the suppression rules of `steps`.
CheckSummary Summarize(CheckContext& ctx, const sql::LogicalPlan& final_plan,
                       const std::set<std::string>& read, const std::vector<ProgramStep>& steps);

// The base columns an output column is computed from, through aggregates too (check_summary.cc).
std::set<Origin> SourcesOfOutput(CheckContext& ctx, sql::ColumnBinding binding);

// The row-level-inside rules of an ML job's feature query (ml_feature_rules.cc), instead of the
// output rules: every output column a feature or the label its owners allowed, or a privacy unit
// passed through as a unit key; every dataset read allows machine learning and has its unit key.
Result<MlFeatureLayout> CheckMlFeatures(CheckContext& ctx, const sql::LogicalPlan& plan,
                                        const std::set<std::string>& read);

// Applies the query's postFilters to the final result (post_filter_rewrite.cc). Returns the
// final SELECT.
Result<std::string> ApplyPostFilters(CheckContext& ctx, const std::string& final_sql,
                                     const std::vector<sql::ColumnInfo>& output);

// The differential-privacy rule over the datasets `read` (differential_privacy_rule.cc).
Status CheckDifferentialPrivacy(const PolicyFile& policies, const std::set<std::string>& read);

// The DP rewrite (dp_rewrite.cc): the aggregate over a DP dataset's rows is computed on
// contribution-bounded, clamped, fixed-point rows into a temp table, released with noise by a
// kDpRelease step, and replaced in the plan by a scan of the released groups. Shapes it does not
// support are Unimplemented naming the construct.
Status RewriteDifferentialPrivacy(CheckContext& ctx, const sql::Catalog& catalog,
                                  sql::LogicalPlan& plan, sql::PlanPtr& node);
// After the rewrite of the final query (dp_output.cc): no DP dataset may be read anywhere else
// in the plan, and each released DP aggregate in the result gets its 95% interval columns
// `<name>_ci_low`, `<name>_ci_high`. Fills the summary's DP entries.
Status FinishDifferentialPrivacy(CheckContext& ctx, sql::LogicalPlan& plan, CheckSummary& summary);

// The C++ steps of a DP query (dp_release.cc).
Status RunDpKey(const DpRelease& release, ProgramRunner& runner, RandomBits& random);
Status RunDpRelease(const ProgramStep& step, ProgramRunner& runner, RandomBits& random);

}  // namespace cleanroom::privacy::internal
