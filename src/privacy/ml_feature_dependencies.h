#pragma once

#include <set>

#include "checker_internal.h"

namespace cleanroom::privacy::internal {

// Every base column the value of output column `binding` depends on (ml_feature_dependencies.cc):
// its sources (SourcesOfOutput) and window order and partition keys, CASE conditions, every
// column a scalar subquery reads (its filters included), the group keys of aggregates, through
// views and set operations.
std::set<Origin> MlDependencies(CheckContext& ctx, sql::ColumnBinding binding);

}  // namespace cleanroom::privacy::internal
