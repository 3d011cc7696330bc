#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "privacy/checker.h"
#include "privacy/ml_policy.h"
#include "privacy/query_check.h"

namespace cleanroom::privacy {

// The check of an ML job's feature query as its documents describe it, in the row-level-inside
// mode (ml_policy.h): what governance runs when a job is proposed and the runtime before it
// loads anything, so both give the same verdict and message. `script`: the steps joined by
// JoinSteps. The program's `ml` says what each output column is.
Result<CheckedProgram> CheckFeatureQuery(std::string_view script, const MlFeatureMode& mode,
                                         const std::vector<DeclaredDataset>& datasets);

}  // namespace cleanroom::privacy
