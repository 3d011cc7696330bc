// The differential-privacy model's documents: exact decimals, the owner's bounds in a dataset
// policy, the query's settings, and narrowing (never widening) the owner's bounds.
#include "privacy/dp_settings.h"

#include <gtest/gtest.h>

#include "privacy/dataset_document.h"
#include "privacy/policy.h"

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

TEST(ExactDecimal, ParsesExactlyIntoLowestTerms) {
  struct Case {
    const char* text;
    bool negative;
    int64_t num;
    int64_t den;
  };
  for (const Case& c :
       {Case{"0.5", false, 1, 2}, Case{"1e-6", false, 1, 1000000}, Case{"-12.25", true, 49, 4},
        Case{"3", false, 3, 1}, Case{"0.1", false, 1, 10}, Case{"2.50E+1", false, 25, 1},
        Case{"+0.000", false, 0, 1}}) {
    auto r = ParseExactDecimal(c.text, "test", "x");
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(r->negative, c.negative) << c.text;
    EXPECT_EQ(r->magnitude.num, c.num) << c.text;
    EXPECT_EQ(r->magnitude.den, c.den) << c.text;
  }
  for (const char* bad : {"", "abc", "1.2.3", "1e", "--1", "0x10", "1e-99", "1 ", ".", "1e99999"}) {
    auto r = ParseExactDecimal(bad, "test", "x");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("field 'x'"), std::string::npos);
    if (std::string(bad).size() > 2) {
      EXPECT_EQ(r.status().message().find(bad), std::string::npos) << "echoes the value";
    }
  }
  EXPECT_TRUE(Rational({1, 3}) < Rational({1, 2}));
  EXPECT_FALSE(Rational({2, 4}) < Rational({1, 2}));
  EXPECT_EQ(Rational({1, 100}).ToString(), "0.01");
  EXPECT_EQ(Rational({1, 3}).ToString(), "1/3");
  EXPECT_TRUE(SignedRational({true, {1, 1}}) < SignedRational({false, {0, 1}}));
  EXPECT_TRUE(SignedRational({true, {2, 1}}) < SignedRational({true, {1, 1}}));
}

TEST(DatasetDpBounds, TheOwnersBoundsInTheDatasetPolicy) {
  auto policy = ParseDatasetPolicy(R"({
      "privacyUnit": "person",
      "differentialPrivacy": {"maxGroupsPerUnit": 4, "maxRowsPerUnitPerGroup": 2,
                              "bounds": {"Spend": {"min": -5, "max": 99.5, "resolution": 0.01}},
                              "budget": {"epsilon": 10, "delta": 1e-6}}})",
                                   "test");
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  ASSERT_TRUE(policy->differential_privacy.has_value());
  const DatasetDpBounds& dp = *policy->differential_privacy;
  EXPECT_EQ(dp.max_groups_per_unit, 4);
  EXPECT_EQ(dp.max_rows_per_unit_per_group, 2);
  ASSERT_EQ(dp.columns.count("spend"), 1u);
  EXPECT_EQ(dp.columns.at("spend").min.ToString(), "-5");
  EXPECT_EQ(dp.columns.at("spend").max.ToString(), "199/2");
  EXPECT_EQ(dp.columns.at("spend").resolution, (Rational{1, 100}));
  EXPECT_EQ(dp.budget_epsilon, (Rational{10, 1}));
  EXPECT_EQ(dp.budget_delta, (Rational{1, 1000000}));

  struct Case {
    const char* policy;
    const char* field;
  };
  const char* kOk =
      R"("maxGroupsPerUnit": 1, "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1})";
  for (const Case& c : {
           Case{R"({"differentialPrivacy": {"maxGroupsPerUnit": 1, "maxRowsPerUnitPerGroup": 1,
                                            "budget": {"epsilon": 1}}})",
                "needs privacyUnit"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxRowsPerUnitPerGroup": 1,
                                            "budget": {"epsilon": 1}}})",
                "maxGroupsPerUnit"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 0,
                                            "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1}}})",
                "maxGroupsPerUnit"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                                            "maxRowsPerUnitPerGroup": 1}})",
                "budget"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                                            "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 0}}})",
                "budget.epsilon"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                     "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1, "delta": 1}}})",
                "budget.delta"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                     "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1, "rho": 1}}})",
                "budget.rho"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                     "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1}, "refresh": true}})",
                "differentialPrivacy.refresh"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                     "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1},
                     "bounds": {"v": {"min": 2, "max": 1}}}})",
                "bounds.v"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                     "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1},
                     "bounds": {"v": {"min": 0, "max": 1, "resolution": 0}}}})",
                "bounds.v.resolution"},
           Case{R"({"privacyUnit": "p", "differentialPrivacy": {"maxGroupsPerUnit": 1,
                     "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1},
                     "bounds": {"p": {"min": 0, "max": 1}}}})",
                "privacy unit"},
           Case{R"({"allowedFields": ["p"], "privacyUnit": "p", "differentialPrivacy": {
                     "maxGroupsPerUnit": 1, "maxRowsPerUnitPerGroup": 1, "budget": {"epsilon": 1},
                     "bounds": {"v": {"min": 0, "max": 1}}}})",
                "not in allowedFields"},
       }) {
    auto refused = ParseDatasetPolicy(c.policy, "test");
    ASSERT_FALSE(refused.ok()) << c.policy;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << c.policy;
    EXPECT_NE(refused.status().message().find(c.field), std::string::npos)
        << refused.status().ToString();
  }
  // A registered document carries the bounds to the checker.
  auto document = PolicyOfDatasetDocument(
      json::parse(std::string(R"({"name": "d", "columnRoles": {"p": "privacy_unit"},
                      "policy": {"differentialPrivacy": {)") +
                  kOk + "}}}"));
  // columnRoles names the unit after the policy is parsed: bounds need it in the policy itself.
  EXPECT_FALSE(document.ok());
  auto in_policy = PolicyOfDatasetDocument(json::parse(
      std::string(R"({"name": "d", "policy": {"privacyUnit": "p", "differentialPrivacy": {)") +
      kOk + "}}}"));
  ASSERT_TRUE(in_policy.ok()) << in_policy.status().ToString();
  EXPECT_TRUE(in_policy->differential_privacy.has_value());
}

TEST(QueryDpSettings, ParsedNarrowedNeverWidened) {
  auto none = ParseQueryDpSettings(json::object(), "q", "privacy");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto settings =
      ParseQueryDpSettings(json::parse(R"({"epsilon": 0.5, "delta": "1e-7", "mechanism": "Gaussian",
                      "maxRowsPerUnitPerGroup": 1,
                      "bounds": {"Visits.Spend": {"min": 10, "max": 20}}})"),
                           "q", "privacy");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  const QueryDpSettings& q = **settings;
  EXPECT_EQ(q.epsilon, (Rational{1, 2}));
  EXPECT_EQ(q.delta, (Rational{1, 10000000}));
  EXPECT_EQ(q.mechanism, NoiseMechanism::kGaussian);

  DatasetDpBounds owner;
  owner.max_groups_per_unit = 3;
  owner.max_rows_per_unit_per_group = 2;
  owner.columns["spend"] = ClampBounds{{false, {0, 1}}, {false, {100, 1}}, {1, 100}};
  owner.budget_epsilon = {1, 1};
  owner.budget_delta = {1, 1000000};
  auto narrowed = NarrowBounds(owner, q, "visits");
  ASSERT_TRUE(narrowed.ok()) << narrowed.status().ToString();
  EXPECT_EQ(narrowed->max_groups_per_unit, 3);  // not stated: the owner's
  EXPECT_EQ(narrowed->max_rows_per_unit_per_group, 1);
  EXPECT_EQ(narrowed->columns.at("spend").min.ToString(), "10");
  EXPECT_EQ(narrowed->columns.at("spend").max.ToString(), "20");
  EXPECT_EQ(narrowed->columns.at("spend").resolution, (Rational{1, 100}));  // the owner's
  // Bounds for another dataset do not touch this one.
  auto other = NarrowBounds(owner, q, "customers");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->columns.at("spend").max.ToString(), "100");

  QueryDpSettings wide = q;
  wide.max_groups_per_unit = 4;
  EXPECT_EQ(NarrowBounds(owner, wide, "visits").status().code(), StatusCode::kInvalidArgument);
  wide = q;
  wide.columns["visits.spend"].max = {false, {1001, 10}};
  EXPECT_EQ(NarrowBounds(owner, wide, "visits").status().code(), StatusCode::kInvalidArgument);
  wide = q;
  wide.epsilon = {3, 2};
  EXPECT_EQ(NarrowBounds(owner, wide, "visits").status().code(), StatusCode::kInvalidArgument);

  for (const char* bad :
       {R"({"epsilon": 101})", R"({"epsilon": -1})", R"({"epsilon": 1, "delta": 1})",
        R"({"epsilon": 1, "bounds": {"spend": {"min": 0, "max": 1}}})",
        R"({"epsilon": 1, "bounds": {"v.spend": {"min": 0, "max": 1, "resolution": 1}}})",
        R"({"epsilon": 1, "maxGroupsPerUnit": 1.5})", R"([1])"}) {
    auto refused = ParseQueryDpSettings(json::parse(bad), "q", "privacy");
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(QueryDpSettings, APolicyFileCarriesThem) {
  auto file = ParsePolicyFile(R"({"datasets": {"v": {"privacyUnit": "p"}},
                                  "privacy": {"epsilon": 2}})",
                              "test");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(file->privacy.has_value());
  EXPECT_EQ(file->privacy->epsilon, (Rational{2, 1}));
  EXPECT_FALSE(ParsePolicyFile(R"({"privacy": {"epsilon": 2, "x": 1}})", "test").ok());
}

}  // namespace
}  // namespace cleanroom::privacy
