#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "privacy/exact_rational.h"

namespace cleanroom::privacy {

// The differential-privacy model (issue 15; docs/differential-privacy.md "The model"): what a
// dataset's owner bounds, what a query states, and how the two combine. Parsing validates every
// field; an unknown field is InvalidArgument naming it. Values are exact rationals.

// Clamping of one aggregate column: values are clamped to [min, max] and summed in fixed point,
// in units of `resolution` (so a sum's sensitivity is an integer number of units).
struct ClampBounds {
  SignedRational min;
  SignedRational max;
  Rational resolution{1, 1};
};

// The owner's bounds: the dataset policy's `differentialPrivacy` object.
struct DatasetDpBounds {
  int64_t max_groups_per_unit = 1;             // L0: groups one unit may contribute to
  int64_t max_rows_per_unit_per_group = 1;     // rows one unit may contribute to one group
  std::map<std::string, ClampBounds> columns;  // lower-case aggregate column -> bounds
  Rational budget_epsilon;                     // the dataset's budget, held by governance
  Rational budget_delta{0, 1};
};

enum class NoiseMechanism { kLaplace, kGaussian };
std::string_view NoiseMechanismName(NoiseMechanism mechanism);

// The query document's `privacy` object (and a policy file's "privacy"): the query's epsilon,
// delta and mechanism, and bounds narrowing the owners' ones.
struct QueryDpSettings {
  Rational epsilon;
  Rational delta{0, 1};
  NoiseMechanism mechanism = NoiseMechanism::kLaplace;
  std::optional<int64_t> max_groups_per_unit;
  std::optional<int64_t> max_rows_per_unit_per_group;
  // "dataset.column", lower-case -> narrowed bounds (min and max only).
  std::map<std::string, ClampBounds> columns;
  // `publicGroups`: the group keys released whatever the data (each a tuple of values in GROUP BY
  // order, as SQL literal text); no partition selection then. Empty: groups are selected.
  std::vector<std::vector<std::string>> public_groups;
};

// Parses the owner's `differentialPrivacy` object. `privacy_unit` is the dataset's unit column
// ("" when none: then the object is refused, bounds need a unit). The caller checks that the
// bounded columns exist for queries (policy.cc: in allowedFields).
Result<DatasetDpBounds> ParseDatasetDpBounds(const nlohmann::json& object,
                                             std::string_view privacy_unit, std::string_view where,
                                             const std::string& path);

// Parses a query's `privacy` object (null or {} is "no differential privacy": nullopt).
Result<std::optional<QueryDpSettings>> ParseQueryDpSettings(const nlohmann::json& object,
                                                            std::string_view where,
                                                            const std::string& path);

// The bounds one dataset's rows get in one query: the owner's, narrowed by the query's.
// InvalidArgument when the query widens any of them (a larger L0 or row bound, a min below the
// owner's or a max above it), or states the epsilon above the dataset's whole budget (the run
// could never be charged), or narrows a column the owner does not bound.
Result<DatasetDpBounds> NarrowBounds(const DatasetDpBounds& owner, const QueryDpSettings& query,
                                     std::string_view dataset);

}  // namespace cleanroom::privacy
