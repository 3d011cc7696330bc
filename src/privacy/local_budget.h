#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "privacy/policy.h"

namespace cleanroom::privacy {

// The local privacy budget of `cleanroom sql --policy --budget-file FILE` (docs/
// differential-privacy.md "Local budget"): what an owner trying settings on their own data has
// spent per DP dataset. Accounting is exact (rationals), by sequential composition of the
// queries' (epsilon, delta) under pure DP (the laplace mechanism: epsilons and deltas add up).
// The whole budget of a dataset is its policy's differentialPrivacy.budget.
//
// The file: {"datasets": {"NAME": {"epsilon": [num, den], "delta": [num, den], "runs": N}}}.
// A missing file is an empty ledger. Every change is written atomically (temporary file, fsync,
// rename) under an exclusive lock of FILE.lock, so concurrent runs never lose a charge and no
// half-written file is ever left.

// Charges the query's epsilon and delta to every dataset of `datasets` (each with a
// differentialPrivacy policy in `policies`), all or none. ResourceExhausted naming the dataset and
// its remaining epsilon and delta when any would be overspent; nothing is charged then.
Status ChargeLocalBudget(const std::string& path, const PolicyFile& policies,
                         const std::vector<std::string>& datasets);

// Gives back what ChargeLocalBudget charged, for a run that failed before any result existed.
Status RefundLocalBudget(const std::string& path, const PolicyFile& policies,
                         const std::vector<std::string>& datasets);

}  // namespace cleanroom::privacy
