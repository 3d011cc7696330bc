#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "governance/wire.h"
#include "govwire/run_record.h"
#include "privacy/dp_settings.h"
#include "privacy/exact_rational.h"

// The differential-privacy budget of a dataset in this collaboration (issue 15; docs/privacy.md
// "Privacy budget"): the owner's `differentialPrivacy.budget` (epsilon, delta), spent by the runs
// that read the dataset, charged when their keys are released and refunded when they fail before
// any result exists. Accounting is exact:
//   - a run of a Laplace (pure DP) query charges its (epsilon, delta) to a sum composed
//     sequentially (epsilons add, deltas add), in exact rationals;
//   - a run of a Gaussian query charges rho = privacy::ZcdpRhoFor(epsilon, delta), the rho its
//     noise is calibrated to (a multiple of 2^-30), to a sum composed under zCDP (rhos add);
//   - a charge is allowed when, with it, the Laplace sums E and D and the zCDP sum R satisfy
//     E <= epsilon_B and D <= delta_B when R = 0, and otherwise
//     R <= ZcdpRhoFor(epsilon_B - E, delta_B - D): R-zCDP is then (epsilon_B - E, delta_B - D)-DP
//     (Bun and Steinke 2016, proposition 1.3; the conversion is computed rounded down), and
//     composed with the (E, D)-DP Laplace runs gives (epsilon_B, delta_B)-DP.
namespace cleanroom::governance {

// One run's charge on one dataset.
struct BudgetCharge {
  std::string run;
  std::string dataset;  // as registered
  int64_t version = 0;  // the version the run reads (its budget is the one in force)
  privacy::NoiseMechanism mechanism = privacy::NoiseMechanism::kLaplace;
  privacy::Rational epsilon;  // the query's
  privacy::Rational delta;
  privacy::Rational rho;  // Gaussian only: the zCDP cost charged; 0 for Laplace
  bool refunded = false;
  uint64_t seqno = 0;         // the run.keys entry that charged it
  uint64_t refund_seqno = 0;  // the run.report entry that refunded it

  // What the work order and the runtime's record state: dataset, version and cost.
  govwire::RunBudgetCharge ToWire() const;
  // ToWire's fields plus run, state ("charged" or "refunded"), seqno and refundSeqno.
  Json ToJson() const;
};

// The budget a dataset version's owner states: nullopt when the version has no
// `differentialPrivacy` (then no run is charged for it). InvalidArgument when its policy does not
// parse (it was validated at registration, so only a corrupt state gets here).
struct DatasetBudgetLimit {
  privacy::Rational epsilon;
  privacy::Rational delta;
};
Result<std::optional<DatasetBudgetLimit>> BudgetLimitOf(const Json& dataset_document);

// The charge a run of a query with `query_privacy` (the query document's `privacy` object) makes
// on a DP dataset. FailedPrecondition when the query states no differential privacy (the
// proposal's check refuses such a query over a DP dataset, so it cannot be accepted).
Result<BudgetCharge> ChargeFor(const Json& query_privacy, const std::string& run,
                               const std::string& dataset, int64_t version);

// What the charges not refunded have spent (E, D, R), and what is left: epsilon_B - E and
// delta_B - D for Laplace runs, and ZcdpRhoFor(epsilon_B - E, delta_B - D) - R for Gaussian
// runs. While R > 0 a Laplace run must also keep R within the conversion of what it leaves, so
// the epsilon shown is then an upper bound. Exact decimals ("1.5"), or fractions ("1/3").
struct BudgetStanding {
  std::string epsilon_spent;
  std::string delta_spent;
  std::string rho_spent;
  std::string epsilon_remaining;
  std::string delta_remaining;
  std::string rho_remaining;
};

// ResourceExhausted when adding `charge` to `charges` (the dataset's, refunded ones included)
// would break the rule under `limit`; the message names the dataset and the run and gives the
// budget, what is spent and what remains. OK otherwise. Internal on arithmetic overflow.
Status CheckCharge(const DatasetBudgetLimit& limit, const std::vector<BudgetCharge>& charges,
                   const BudgetCharge& charge);

// The standing of `charges` under `limit`.
Result<BudgetStanding> StandingOf(const DatasetBudgetLimit& limit,
                                  const std::vector<BudgetCharge>& charges);

}  // namespace cleanroom::governance
