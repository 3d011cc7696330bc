#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "privacy/dp_settings.h"
#include "privacy/ml_policy.h"

namespace cleanroom::privacy {

// What a column may be used for. See docs/privacy.md for each rule.
enum class ColumnRole {
  kDimension,    // output, group, filter, join: the default
  kJoin,         // only in equality join conditions and inside COUNT(DISTINCT ...)
  kAggregate,    // only as the argument of the allowed aggregate functions
  kPrivacyUnit,  // identifies a person; like kJoin, and used for thresholds
};

std::string_view ColumnRoleName(ColumnRole role);
// Parses a role name (case-insensitive); InvalidArgument "WHERE: field 'PATH' must be one of ...".
Result<ColumnRole> ParseColumnRole(const std::string& role, std::string_view where,
                                   const std::string& path);

enum class OutputMode {
  kAggregate,  // every output row is an aggregate over a group (default)
  kList,       // row-level output of dimension columns allowed
};

struct ColumnPolicy {
  ColumnRole role = ColumnRole::kDimension;
  // kAggregate only: upper-case aggregate function names allowed on this column.
  std::set<std::string> functions = {"SUM", "AVG", "COUNT"};
};

// One dataset's policy, as its owner registers it (part of the dataset document).
struct DatasetPolicy {
  // The only columns that exist for queries. Empty means "every column of the schema".
  std::vector<std::string> allowed_fields;
  // Lower-case column name -> policy. Columns not listed are dimensions.
  std::map<std::string, ColumnPolicy> columns;
  std::string privacy_unit;  // lower-case; empty when the dataset has none
  // `unitIndex`: a column of the owner's file, outside allowedFields (no query can name it),
  // holding one integer per row that is equal on two rows exactly when their privacy units are
  // equal: written and checked against the unit column at publish (docs/privacy.md, "The unit
  // index"). Threshold counts read it instead of the unit. Lower-case; empty when none.
  std::string unit_index;
  OutputMode output = OutputMode::kAggregate;
  int64_t min_row_count = 0;    // the input must hold at least this many rows
  int64_t min_group_units = 0;  // each output group needs this many distinct privacy units
  // The owner's differential-privacy bounds (`differentialPrivacy`): when set, only
  // differentially private queries may read the dataset (docs/differential-privacy.md).
  std::optional<DatasetDpBounds> differential_privacy;
  // The owner's consent to machine learning (`machineLearning`, docs/ml.md): which columns may
  // be features or labels of a training, fine-tuning or inference job. nullopt: none may.
  std::optional<MlDatasetPolicy> machine_learning;

  // The role of a column (dimension when unlisted). `column` is case-insensitive.
  ColumnRole RoleOf(std::string_view column) const;
  const ColumnPolicy* Find(std::string_view column) const;
};

struct PreCondition {
  std::string dataset;  // lower-case
  int64_t min_row_count = 0;
};

struct PostFilter {
  std::string column;  // output column name, lower-case
  int64_t min = 0;
};

// The query's own guards, as the analyst writes them in the query document.
struct QueryGuards {
  std::vector<PreCondition> pre_conditions;
  std::vector<PostFilter> post_filters;
  int64_t min_group_units = 0;
};

// A policy file for `cleanroom sql --policy`: {"datasets": {NAME: policy}, "query": guards,
// "privacy": the query's differential-privacy settings}.
struct PolicyFile {
  std::map<std::string, DatasetPolicy> datasets;  // key: lower-case dataset name
  QueryGuards query;
  std::optional<QueryDpSettings> privacy;  // the query's `privacy` object; nullopt: none
  // Set for the feature query of an ML job: the checker's row-level-inside mode (ml_policy.h).
  std::optional<MlFeatureMode> ml;
};

// Parsers for the JSON documents. InvalidArgument names the field path ("datasets.x.columns.
// y.role") and what is wrong; never echoes values other than the offending key names.
Result<DatasetPolicy> ParseDatasetPolicy(std::string_view json_text, std::string_view where);
Result<QueryGuards> ParseQueryGuards(std::string_view json_text, std::string_view where);
Result<PolicyFile> ParsePolicyFile(std::string_view json_text, std::string_view where);
Result<PolicyFile> LoadPolicyFile(const std::string& path);

// The column of `dataset` whose hash a loader precomputes (engine::TableSource::unit_hash_of):
// its privacy unit, when its policy names one and some floor counts units; else "".
std::string UnitHashColumnOf(const PolicyFile& policies, std::string_view dataset);

// The rules in force for one dataset in one query: the owner's floors and the query's guards
// merged, the stricter winning.
struct EffectiveFloors {
  int64_t min_row_count = 0;
  int64_t min_group_units = 0;
};
EffectiveFloors MergeFloors(const DatasetPolicy& owner, const QueryGuards& query,
                            std::string_view dataset);

}  // namespace cleanroom::privacy
