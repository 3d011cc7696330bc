#pragma once

// Shared by the DP rewrite's files (dp_rewrite.cc, dp_cells.cc). Not a public header.

#include <cstdint>
#include <string>
#include <vector>

#include "privacy/checker.h"
#include "privacy/dp_settings.h"

namespace cleanroom::privacy::internal {

enum class DpKind { kCountStar, kCountColumn, kCountUnits, kSum, kAvg, kVariance, kStddev };
const char* DpKindName(DpKind kind);

// One aggregate of a DP query, as the rewrite computes it.
struct DpAggregate {
  DpKind kind = DpKind::kCountStar;
  bool sample = false;  // VAR / STDDEV: the sample form (n - 1), else the population form
  int value = -1;       // index of its input among the bounded rows' values
  ClampBounds bounds;
  int64_t lo = 0, hi = 0;     // the clamping bounds in fixed-point units
  std::vector<size_t> cells;  // its noisy integers: [count] | [sum] | [sum, count] |
                              // [sum, count, sum of squares]
};

// The SQL of a released aggregate over the noisy cells ("n"."n<i>" of the noisy table): its value
// (cast to `type`), its 95% interval's ends, and the interval as the summary shows it. `k` holds
// each cell's noise interval half-width (NoiseInterval95), indexed like the cells.
struct DpCellSql {
  std::string value, low, high, interval;
};
DpCellSql ReleasedCellSql(const DpAggregate& aggregate, const std::string& type,
                          const std::vector<int64_t>& k);

}  // namespace cleanroom::privacy::internal

namespace cleanroom::privacy::internal {

// The contribution bounding of one DP aggregate's rows (dp_bounding.cc).
struct DpBoundingInput {
  std::string rows_sql;                 // the aggregate's input rows
  std::vector<std::string> in_columns;  // their names: "__cr_g<i>"..., "__cr_u", "__cr_v<i>"...
  std::string row_filter;               // " AND ..." over those names, or empty
  size_t groups = 0, values = 0;
  const std::vector<DpAggregate>* aggregates = nullptr;
  bool integer_unit = false;  // the unit is an integer of at most 64 bits: its own id
  int64_t max_groups = 1, max_rows = 1;
  std::string key_table, pairs_table;
  bool bounding = true;  // false only under the audit's test fault (dp_test_faults.h)
};
// The statements: `pairs` (a SELECT whose columns are `pair_names`) fills the pairs table; when
// `over_condition` counts more than 0, `over_update` recomputes the partials of the pairs over
// the row bound (empty: nothing to recompute); `aggregate` returns the group keys, the distinct
// units, then one exact integer per cell, over the bounded pairs.
struct DpBoundingSql {
  std::string pairs;
  std::vector<std::string> pair_names;
  std::string over_condition, over_update;
  std::string aggregate;
};
DpBoundingSql BoundingSql(const DpBoundingInput& input);

}  // namespace cleanroom::privacy::internal
