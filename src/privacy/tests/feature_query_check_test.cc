// The checker's row-level-inside mode for ML feature queries (docs/ml.md "Feature query").
#include "privacy/feature_query_check.h"

#include <gtest/gtest.h>

namespace cleanroom::privacy {
namespace {

// A bank and an insurer, joined on their customers (the privacy unit of both).
std::vector<DeclaredDataset> Documents(const std::string& bank_ml = R"({
      "features": ["income", "debt"], "labels": ["defaulted"], "minTrainingUnits": 50})") {
  const std::string bank = R"({
    "name": "bank", "format": "csv",
    "schema": [{"name": "customer_id", "type": "string"}, {"name": "income", "type": "double"},
               {"name": "debt", "type": "double"}, {"name": "branch", "type": "string"},
               {"name": "defaulted", "type": "int"}, {"name": "account", "type": "string"}],
    "policy": {"privacyUnit": "customer_id", "minGroupUnits": 10,
               "columns": {"account": {"role": "join"}},
               "machineLearning": )" +
                           bank_ml + R"(}})";
  const std::string insurer = R"({
    "name": "insurer", "format": "csv",
    "schema": [{"name": "customer_id", "type": "string"}, {"name": "claims", "type": "int"},
               {"name": "premium", "type": "double"}],
    "policy": {"privacyUnit": "customer_id",
               "machineLearning": {"features": ["claims"]}}})";
  std::vector<DeclaredDataset> out;
  for (const std::string& doc : {bank, insurer}) {
    auto d = DeclaredDatasetFromDocument(doc);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (d.ok()) out.push_back(*d);
  }
  return out;
}

const char* kJoin =
    "SELECT b.customer_id, i.customer_id AS insured, b.income, b.debt / 2 AS half_debt, "
    "i.claims, b.defaulted FROM bank b JOIN insurer i ON b.customer_id = i.customer_id";

using Use = MlFeatureLayout::Use;

TEST(FeatureQueryCheckTest, RowLevelFeaturesInsideWithUnitKeysAndLabel) {
  auto program = CheckFeatureQuery(kJoin, MlFeatureMode{"DEFAULTED"}, Documents());
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  ASSERT_TRUE(program->ml.has_value());
  EXPECT_EQ(program->ml->uses, (std::vector<Use>{Use::kUnitKey, Use::kUnitKey, Use::kFeature,
                                                 Use::kFeature, Use::kFeature, Use::kLabel}));
  EXPECT_EQ(program->ml->unit_dataset[0], "bank");
  EXPECT_EQ(program->ml->unit_dataset[1], "insurer");
  EXPECT_EQ(program->ml->min_training_units.at("bank"), 50);
  EXPECT_EQ(program->ml->min_training_units.at("insurer"), kDefaultMinTrainingUnits);
  // The same query outside ML mode: row-level output of aggregate-only datasets is refused.
  auto plain = CheckProposedQuery(kJoin, "", "", Documents());
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("output rule"), std::string::npos);
}

TEST(FeatureQueryCheckTest, RefusesAFeatureItsOwnerDidNotAllow) {
  // premium is not among the insurer's features; branch not among the bank's.
  for (const char* column : {"i.premium", "b.branch", "length(b.branch) AS n"}) {
    std::string q = std::string("SELECT b.customer_id, i.customer_id, ") + column +
                    ", b.defaulted FROM bank b JOIN insurer i ON b.customer_id = i.customer_id";
    auto program = CheckFeatureQuery(q, MlFeatureMode{"defaulted"}, Documents());
    ASSERT_FALSE(program.ok()) << column;
    EXPECT_EQ(program.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(program.status().message().find("may not be a feature"), std::string::npos)
        << program.status().ToString();
  }
  // A feature computed through an aggregate of a column not allowed is refused too.
  auto sub = CheckFeatureQuery(
      "SELECT b.customer_id, (SELECT AVG(premium) FROM insurer) AS p, b.defaulted FROM bank b",
      MlFeatureMode{"defaulted"}, Documents());
  ASSERT_FALSE(sub.ok());
}

TEST(FeatureQueryCheckTest, RefusesALabelItsOwnerDidNotAllow) {
  auto program = CheckFeatureQuery(
      "SELECT b.customer_id, i.customer_id, b.income, i.claims AS target FROM bank b JOIN "
      "insurer i ON b.customer_id = i.customer_id",
      MlFeatureMode{"target"}, Documents());
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.status().message().find("claims of dataset insurer may not be a label"),
            std::string::npos)
      << program.status().ToString();
  auto missing = CheckFeatureQuery("SELECT customer_id, income FROM bank", MlFeatureMode{"churned"},
                                   Documents());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("does not output the label"), std::string::npos);
}

TEST(FeatureQueryCheckTest, JoinColumnsStillOnlyJoin) {
  auto program = CheckFeatureQuery("SELECT customer_id, account, defaulted FROM bank",
                                   MlFeatureMode{"defaulted"}, Documents());
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.status().message().find("only joins"), std::string::npos);
  // A transformed privacy unit is not a unit key and may not be a feature.
  auto hashed =
      CheckFeatureQuery("SELECT customer_id, length(customer_id) AS l, defaulted FROM bank",
                        MlFeatureMode{"defaulted"}, Documents());
  ASSERT_FALSE(hashed.ok());
  EXPECT_NE(hashed.status().message().find("only joins"), std::string::npos);
}

TEST(FeatureQueryCheckTest, EveryDatasetReadNeedsConsentAndItsUnitKey) {
  auto no_key = CheckFeatureQuery(
      "SELECT b.customer_id, b.income, b.defaulted FROM bank b JOIN insurer i ON b.customer_id = "
      "i.customer_id",
      MlFeatureMode{"defaulted"}, Documents());
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("privacy unit of dataset insurer"), std::string::npos)
      << no_key.status().ToString();
  auto docs = Documents();
  docs[1].document_policy->machine_learning.reset();
  auto no_consent = CheckFeatureQuery(kJoin, MlFeatureMode{"defaulted"}, docs);
  ASSERT_FALSE(no_consent.ok());
  EXPECT_NE(no_consent.status().message().find("insurer does not allow machine learning"),
            std::string::npos);
}

TEST(FeatureQueryCheckTest, PolicyFieldsAreChecked) {
  auto bad = [](const std::string& ml) {
    auto d = DeclaredDatasetFromDocument(R"({"name": "t", "format": "csv",
      "schema": [{"name": "u", "type": "string"}, {"name": "x", "type": "int"}],
      "policy": {"privacyUnit": "u", "allowedFields": ["u", "x"], "machineLearning": )" +
                                         ml + "}}");
    return d.ok() ? std::string() : d.status().message();
  };
  EXPECT_EQ(bad(R"({"features": ["x"]})"), "");
  EXPECT_NE(bad(R"({"features": ["y"]})").find("not in allowedFields"), std::string::npos);
  EXPECT_NE(bad(R"({"features": ["u"]})").find("privacy unit"), std::string::npos);
  EXPECT_NE(bad(R"({"minTrainingUnits": 0})").find("minTrainingUnits"), std::string::npos);
  EXPECT_NE(bad(R"({"feature": ["x"]})").find("not a machineLearning field"), std::string::npos);
}

// Generated attacks: feature queries that try to carry the label (allowed as a label, not as a
// feature) or a person's identity into a feature column, through every SQL shape that moves
// values or control between columns. Each must be refused, naming the rule that refused it (the
// ML feature rule, or a role rule that already keeps the column out of that place).
TEST(FeatureQueryCheckTest, GeneratedQueriesCannotSmuggleTheLabelOrTheUnitIntoAFeature) {
  const std::vector<std::string> carriers = {
      "b.defaulted AS f",
      "b.defaulted + 0 AS f",
      "CAST(b.defaulted AS double) AS f",
      "CASE WHEN b.defaulted = 1 THEN b.income ELSE 0 END AS f",
      "CASE WHEN b.defaulted = 1 THEN 1 ELSE 0 END AS f",
      "b.income * b.defaulted AS f",
      "coalesce(b.defaulted, b.income) AS f",
      "AVG(b.defaulted) OVER (PARTITION BY b.income) AS f",
      "ROW_NUMBER() OVER (ORDER BY b.defaulted) AS f",
      "SUM(b.income) OVER (PARTITION BY b.defaulted) AS f",
      "(SELECT MAX(x.defaulted) FROM bank x WHERE x.income = b.income) AS f",
      "(SELECT COUNT(*) FROM bank x WHERE x.defaulted = 1 AND x.income = b.income) AS f",
      "length(b.customer_id) AS f",
      "ROW_NUMBER() OVER (ORDER BY b.customer_id) AS f",
      "(SELECT COUNT(*) FROM bank x WHERE x.customer_id < b.customer_id) AS f",
      "CASE WHEN b.customer_id = 'c7' THEN 1 ELSE 0 END AS f",
  };
  for (const std::string& carrier : carriers) {
    const std::string q =
        "SELECT b.customer_id, b.income, " + carrier + ", b.defaulted FROM bank b";
    auto program = CheckFeatureQuery(q, MlFeatureMode{"defaulted"}, Documents());
    ASSERT_FALSE(program.ok()) << carrier;
    EXPECT_EQ(program.status().code(), StatusCode::kPermissionDenied) << carrier;
    EXPECT_NE(program.status().message().find(" rule: "), std::string::npos)
        << carrier << ": " << program.status().ToString();
  }
  // Through a temp view step, the same.
  auto staged = CheckFeatureQuery(
      "CREATE TEMP VIEW v AS SELECT customer_id, income, defaulted AS d2, defaulted FROM bank;\n"
      "SELECT customer_id, income, d2, defaulted FROM v",
      MlFeatureMode{"defaulted"}, Documents());
  ASSERT_FALSE(staged.ok());
  EXPECT_NE(staged.status().message().find("may not be a feature"), std::string::npos)
      << staged.status().ToString();
  // Found by this test: a window ordered by the label was accepted before the ML rule followed
  // order keys. Windows over allowed features, ordered or partitioned by allowed features, are
  // still accepted.
  auto ordered = CheckFeatureQuery(
      "SELECT customer_id, ROW_NUMBER() OVER (ORDER BY b.defaulted) AS f, defaulted FROM bank b",
      MlFeatureMode{"defaulted"}, Documents());
  ASSERT_FALSE(ordered.ok());
  EXPECT_NE(ordered.status().message().find("defaulted of dataset bank may not be a feature"),
            std::string::npos)
      << ordered.status().ToString();
  auto allowed = CheckFeatureQuery(
      "SELECT customer_id, AVG(income) OVER (PARTITION BY debt ORDER BY income) AS f, defaulted "
      "FROM bank",
      MlFeatureMode{"defaulted"}, Documents());
  EXPECT_TRUE(allowed.ok()) << allowed.status().ToString();
  // The label column itself twice (once under the label's name) is refused too.
  auto twice =
      CheckFeatureQuery("SELECT customer_id, income, defaulted, defaulted AS defaulted FROM bank",
                        MlFeatureMode{"defaulted"}, Documents());
  EXPECT_FALSE(twice.ok());
}

}  // namespace
}  // namespace cleanroom::privacy
