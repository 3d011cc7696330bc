#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::privacy {

// The training floor when the owner sets none: a model is trained on at least this many distinct
// privacy units of each dataset it reads (docs/ml.md "Privacy controls").
inline constexpr int64_t kDefaultMinTrainingUnits = 500;

// The leaf floor when the owner sets none: every leaf of a tree trained in the clean room, and
// the held-out split its metrics are computed on, holds at least this many distinct privacy units
// of each dataset read (and never fewer than the dataset's minGroupUnits): a leaf's value is an
// aggregate of the labels of the rows that reach it, so a leaf of one person is that person's
// label, readable by anyone who holds the model and the person's features.
inline constexpr int64_t kDefaultMinLeafUnits = 10;

// A dataset owner's consent to machine learning, the policy's `machineLearning` object:
// {"features": [column], "labels": [column], "minTrainingUnits": n, "minLeafUnits": n}. Columns
// not listed are neither features nor labels of any job; join and privacy_unit columns never are.
struct MlDatasetPolicy {
  std::set<std::string> features;  // lower-case
  std::set<std::string> labels;    // lower-case
  int64_t min_training_units = kDefaultMinTrainingUnits;
  int64_t min_leaf_units = kDefaultMinLeafUnits;
};

// Parses `machineLearning`; InvalidArgument naming the field ("policy.machineLearning.
// features[1]") for an unknown field, a column not in allowedFields (`allowed`), the privacy
// unit listed as a feature or label, or a floor below 1.
Result<MlDatasetPolicy> ParseMlDatasetPolicy(const nlohmann::json& doc, std::string_view where,
                                             const std::string& path,
                                             const std::function<bool(const std::string&)>& allowed,
                                             const std::string& privacy_unit);

// The checker's row-level-inside mode, for the feature query of an ML job: its rows never leave
// the clean room (they go to XGBoost), so row-level output is allowed, but every output column
// is a feature its owners allowed (`features`), the label (`labels`), or a dataset's privacy
// unit passed through unchanged (a unit key: counted for the training floor, and the row key
// of predictions returned to the owner of the scored rows; never a feature).
struct MlFeatureMode {
  std::string label;  // lower-case; empty for inference (no label)
};

// What the checker found in a feature query's output, in ML mode.
struct MlFeatureLayout {
  enum class Use { kFeature, kLabel, kUnitKey };
  std::vector<Use> uses;                  // one per output column
  std::vector<std::string> unit_dataset;  // per output column: the dataset of a unit key, or ""
  // Every dataset read and its training floor (the owner's minTrainingUnits).
  std::map<std::string, int64_t> min_training_units;
  // Every dataset read and its leaf floor: the larger of the owner's minLeafUnits and its
  // minGroupUnits. Each leaf of each trained tree, and the held-out split, holds at least this
  // many distinct units of the dataset.
  std::map<std::string, int64_t> min_leaf_units;
};

}  // namespace cleanroom::privacy
