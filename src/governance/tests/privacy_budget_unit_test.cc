// The accounting of differential-privacy budgets (privacy_budget.h): exact sums, sequential
// composition for Laplace runs, zCDP composition for Gaussian runs, refunds, and the refusal
// message naming what remains.
#include <gtest/gtest.h>

#include "governance/privacy_budget.h"
#include "privacy/dp_noise.h"

namespace cleanroom::governance {
namespace {

Json DpDataset(const Json& budget) {
  return {
      {"name", "visits"},
      {"format", "csv"},
      {"schema", {{{"name", "person"}, {"type", "string"}}, {{"name", "spend"}, {"type", "int"}}}},
      {"allowedFields", {"person", "spend"}},
      {"columnRoles", {{"person", "privacy_unit"}}},
      {"policy",
       {{"privacyUnit", "person"},
        {"differentialPrivacy",
         {{"maxGroupsPerUnit", 1}, {"maxRowsPerUnitPerGroup", 1}, {"budget", budget}}}}},
      {"location", "file:///visits.enc"},
      {"contentHash", std::string(64, '0')},
      {"keyId", "k"}};
}

DatasetBudgetLimit Limit(const Json& budget) {
  auto limit = BudgetLimitOf(DpDataset(budget));
  EXPECT_TRUE(limit.ok()) << limit.status().ToString();
  EXPECT_TRUE(limit.ok() && limit->has_value());
  return limit.ok() && limit->has_value() ? **limit : DatasetBudgetLimit{};
}

BudgetCharge Charge(const Json& privacy, const std::string& run) {
  auto charge = ChargeFor(privacy, run, "visits", 1);
  EXPECT_TRUE(charge.ok()) << charge.status().ToString();
  return charge.ok() ? *charge : BudgetCharge{};
}

// Charges `charge` (renamed run r1, r2, ...) until refused; the number that fitted.
int ChargeUntilRefused(const DatasetBudgetLimit& limit, std::vector<BudgetCharge>& charges,
                       BudgetCharge charge, Status* refusal) {
  for (int i = 0; i < 1000; ++i) {
    charge.run = "r" + std::to_string(charges.size() + 1);
    Status st = CheckCharge(limit, charges, charge);
    if (!st.ok()) {
      *refusal = st;
      return i;
    }
    charges.push_back(charge);
  }
  return 1000;
}

TEST(PrivacyBudget, ADatasetWithoutDifferentialPrivacyHasNoBudget) {
  Json document = DpDataset({{"epsilon", 1}});
  document["policy"].erase("differentialPrivacy");
  auto limit = BudgetLimitOf(document);
  ASSERT_TRUE(limit.ok()) << limit.status().ToString();
  EXPECT_FALSE(limit->has_value());
}

TEST(PrivacyBudget, AQueryWithoutDifferentialPrivacyCannotBeCharged) {
  auto charge = ChargeFor(Json::object(), "r1", "visits", 1);
  EXPECT_EQ(charge.status().code(), StatusCode::kFailedPrecondition);
}

// Ten runs of epsilon 0.1 spend a budget of 1 exactly (in floating point 0.1 added ten times is
// not 1): the tenth fits, the eleventh is refused with what remains.
TEST(PrivacyBudget, LaplaceRunsComposeSequentiallyAndExactly) {
  DatasetBudgetLimit limit = Limit({{"epsilon", 1}});
  std::vector<BudgetCharge> charges;
  Status refusal;
  EXPECT_EQ(ChargeUntilRefused(limit, charges, Charge({{"epsilon", 0.1}}, ""), &refusal), 10);
  EXPECT_EQ(refusal.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refusal.message().find("dataset 'visits'"), std::string::npos) << refusal.ToString();
  EXPECT_NE(refusal.message().find("run r11"), std::string::npos) << refusal.ToString();
  EXPECT_NE(refusal.message().find("remaining epsilon 0,"), std::string::npos)
      << refusal.ToString();
  auto standing = StandingOf(limit, charges);
  ASSERT_TRUE(standing.ok());
  EXPECT_EQ(standing->epsilon_spent, "1");
  EXPECT_EQ(standing->epsilon_remaining, "0");
}

TEST(PrivacyBudget, DeltasAddUpToTheBudgetsDelta) {
  DatasetBudgetLimit limit = Limit({{"epsilon", 100}, {"delta", "1e-6"}});
  std::vector<BudgetCharge> charges;
  Status refusal;
  EXPECT_EQ(
      ChargeUntilRefused(limit, charges, Charge({{"epsilon", 1}, {"delta", "2e-7"}}, ""), &refusal),
      5);
  EXPECT_NE(refusal.message().find("remaining epsilon 95, delta 0"), std::string::npos)
      << refusal.ToString();
  auto standing = StandingOf(limit, charges);
  ASSERT_TRUE(standing.ok());
  EXPECT_EQ(standing->delta_spent, "0.000001");
}

TEST(PrivacyBudget, ARefundedChargeSpendsNothing) {
  DatasetBudgetLimit limit = Limit({{"epsilon", 2}});
  std::vector<BudgetCharge> charges;
  Status refusal;
  EXPECT_EQ(ChargeUntilRefused(limit, charges, Charge({{"epsilon", 1}}, ""), &refusal), 2);
  charges[0].refunded = true;
  BudgetCharge again = Charge({{"epsilon", 1}}, "r3");
  EXPECT_TRUE(CheckCharge(limit, charges, again).ok());
  auto standing = StandingOf(limit, charges);
  ASSERT_TRUE(standing.ok());
  EXPECT_EQ(standing->epsilon_spent, "1");
  EXPECT_EQ(standing->epsilon_remaining, "1");
}

// A Gaussian run costs rho = ZcdpRhoFor(epsilon, delta); rhos add, and their sum must stay within
// the conversion of the budget. A run of the whole budget fits once.
TEST(PrivacyBudget, GaussianRunsComposeUnderZcdp) {
  DatasetBudgetLimit limit = Limit({{"epsilon", 1}, {"delta", "1e-6"}});
  BudgetCharge whole = Charge({{"epsilon", 1}, {"delta", "1e-6"}, {"mechanism", "gaussian"}}, "");
  auto rho = privacy::ZcdpRhoFor(privacy::Rational{1, 1}, privacy::Rational{1, 1000000});
  ASSERT_TRUE(rho.ok());
  EXPECT_EQ(whole.rho.num * rho->den, rho->num * whole.rho.den);
  std::vector<BudgetCharge> charges;
  Status refusal;
  EXPECT_EQ(ChargeUntilRefused(limit, charges, whole, &refusal), 1);
  EXPECT_NE(refusal.message().find("rho 0 for Gaussian runs"), std::string::npos)
      << refusal.ToString();

  // A quarter of the epsilon: under zCDP many more than four such runs fit (sequential
  // composition would allow four).
  charges.clear();
  BudgetCharge quarter =
      Charge({{"epsilon", 0.25}, {"delta", "1e-6"}, {"mechanism", "gaussian"}}, "");
  int fitted = ChargeUntilRefused(limit, charges, quarter, &refusal);
  EXPECT_GT(fitted, 4);
  // and the sum of what fitted is within the budget's rho, one more is not.
  auto standing = StandingOf(limit, charges);
  ASSERT_TRUE(standing.ok());
  EXPECT_NE(standing->rho_spent, "0");
}

// Laplace runs spend the epsilon and delta the zCDP conversion may use: after a Laplace run of
// half the epsilon, a Gaussian run of the whole budget no longer fits, one of the other half does.
TEST(PrivacyBudget, LaplaceAndGaussianRunsShareOneBudget) {
  DatasetBudgetLimit limit = Limit({{"epsilon", 2}, {"delta", "1e-6"}});
  std::vector<BudgetCharge> charges = {Charge({{"epsilon", 1}}, "r1")};
  BudgetCharge whole = Charge({{"epsilon", 2}, {"delta", "1e-6"}, {"mechanism", "gaussian"}}, "r2");
  EXPECT_EQ(CheckCharge(limit, charges, whole).code(), StatusCode::kResourceExhausted);
  BudgetCharge half = Charge({{"epsilon", 1}, {"delta", "1e-6"}, {"mechanism", "gaussian"}}, "r2");
  EXPECT_TRUE(CheckCharge(limit, charges, half).ok());
  charges.push_back(half);
  // Now the Laplace runs cannot spend more: it would leave too little for the zCDP sum.
  EXPECT_EQ(CheckCharge(limit, charges, Charge({{"epsilon", 0.5}}, "r3")).code(),
            StatusCode::kResourceExhausted);
}

// A pure budget (delta 0) cannot pay for Gaussian noise at all.
TEST(PrivacyBudget, APureBudgetRefusesGaussianRuns) {
  DatasetBudgetLimit limit = Limit({{"epsilon", 10}});
  BudgetCharge gaussian =
      Charge({{"epsilon", 1}, {"delta", "1e-9"}, {"mechanism", "gaussian"}}, "r1");
  EXPECT_EQ(CheckCharge(limit, {}, gaussian).code(), StatusCode::kResourceExhausted);
}

TEST(PrivacyBudget, ChargesShowExactDecimals) {
  BudgetCharge c = Charge({{"epsilon", 0.3}, {"delta", "1e-7"}}, "r4");
  Json j = c.ToJson();
  EXPECT_EQ(j["epsilon"], "0.3");
  EXPECT_EQ(j["delta"], "0.0000001");
  EXPECT_EQ(j["mechanism"], "laplace");
  EXPECT_EQ(j["state"], "charged");
  EXPECT_FALSE(j.contains("rho"));
}

}  // namespace
}  // namespace cleanroom::governance
