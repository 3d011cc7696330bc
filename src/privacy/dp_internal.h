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
