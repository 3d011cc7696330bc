#include "privacy/query_check.h"

#include <gtest/gtest.h>

namespace cleanroom::privacy {
namespace {

// Two parties' dataset documents as governance registers them.
std::vector<DeclaredDataset> Documents() {
  const char* customers = R"({
    "name": "customers", "format": "csv",
    "schema": [{"name": "hashed_email", "type": "string"}, {"name": "region", "type": "string"},
               {"name": "age_band", "type": "string"}, {"name": "ltv", "type": "int"}],
    "policy": {"allowedFields": ["hashed_email", "region", "age_band", "ltv"],
               "privacyUnit": "hashed_email",
               "columns": {"ltv": {"role": "aggregate", "functions": ["SUM"]}},
               "minGroupUnits": 10}})";
  const char* conversions = R"({
    "name": "conversions", "format": "csv",
    "schema": [{"name": "hashed_email", "type": "string"}, {"name": "campaign", "type": "int"}],
    "policy": {"columns": {"hashed_email": {"role": "join"}}}})";
  std::vector<DeclaredDataset> out;
  for (const char* doc : {customers, conversions}) {
    auto d = DeclaredDatasetFromDocument(doc);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (d.ok()) out.push_back(*d);
  }
  return out;
}

TEST(QueryCheckTest, AcceptsAQueryTheRuntimeRuns) {
  auto program = CheckProposedQuery(
      "SELECT c.region, COUNT(*) AS n, SUM(c.ltv) AS v FROM customers c JOIN conversions v "
      "ON c.hashed_email = v.hashed_email WHERE v.campaign = 3 GROUP BY c.region",
      R"({"minGroupUnits": 20})", "", Documents());
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  EXPECT_NE(program->explain.find("minGroupUnits(customers)>=20"), std::string::npos)
      << program->explain;
  // The summary approvers review: sources and roles of each output column, floors by dataset.
  const CheckSummary& summary = program->summary;
  ASSERT_EQ(summary.columns.size(), 3u);
  EXPECT_EQ(summary.columns[0].sources, std::vector<std::string>{"customers.region (dimension)"});
  EXPECT_FALSE(summary.columns[0].aggregated);
  EXPECT_TRUE(summary.columns[1].aggregated);
  EXPECT_EQ(summary.columns[2].sources, std::vector<std::string>{"customers.ltv (aggregate)"});
  ASSERT_EQ(summary.floors.size(), 2u);
  EXPECT_EQ(summary.floors[0].dataset, "conversions");
  EXPECT_EQ(summary.floors[1].dataset, "customers");
  EXPECT_EQ(summary.floors[1].min_group_units, 20);
  EXPECT_EQ(summary.floors[1].owner_min_group_units, 10);
  ASSERT_FALSE(summary.suppression_rules.empty());
  EXPECT_EQ(summary.suppression_rules[0], "minGroupUnits(customers)>=20");
  std::string json = CheckSummaryJson(summary);
  EXPECT_NE(json.find("\"customers.ltv (aggregate)\""), std::string::npos) << json;
}

TEST(QueryCheckTest, RefusesWithTheRuntimesMessage) {
  const std::string script =
      "SELECT c.region, COUNT(*) FILTER (WHERE v.campaign = 3) AS n FROM customers c JOIN "
      "conversions v ON c.hashed_email = v.hashed_email GROUP BY c.region";
  auto proposed = CheckProposedQuery(script, "", "", Documents());
  ASSERT_FALSE(proposed.ok());
  EXPECT_EQ(proposed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(proposed.status().message().find("conditional aggregation rule"), std::string::npos)
      << proposed.status().ToString();
  // The runtime's path over its (loaded) catalog: the same status, word for word.
  auto policies = PoliciesOfQuery(Documents(), "");
  ASSERT_TRUE(policies.ok());
  sql::Catalog loaded;
  for (const DeclaredDataset& d : Documents())
    loaded.PutTable(sql::TableDef{d.name, d.schema, false});
  auto at_run = CompileAndCheck(loaded, script, *policies);
  ASSERT_FALSE(at_run.ok());
  EXPECT_EQ(at_run.status().ToString(), proposed.status().ToString());
}

// The documents as governance holds them: the query document and the dataset documents.
TEST(QueryCheckTest, ChecksTheQueryDocument) {
  const std::string customers = R"({"name": "customers", "format": "csv",
    "schema": [{"name": "hashed_email", "type": "string"}, {"name": "region", "type": "string"}],
    "policy": {"privacyUnit": "hashed_email", "minGroupUnits": 10}})";
  auto accepted = CheckQueryDocument(
      R"({"name": "reach", "steps": ["CREATE TEMP VIEW v AS SELECT region, hashed_email FROM customers",
          "SELECT region, COUNT(DISTINCT hashed_email) AS reach FROM v GROUP BY region"],
          "guards": {"minGroupUnits": 25}, "outputFormat": "csv"})",
      {customers});
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->summary.floors.at(0).min_group_units, 25);
  auto dp = CheckQueryDocument(
      R"({"steps": ["SELECT region, COUNT(*) FROM customers GROUP BY region"],
          "privacy": {"epsilon": 1}})",
      {customers});
  // DP settings over a dataset its owner did not bound: refused, not ignored.
  EXPECT_EQ(dp.status().code(), StatusCode::kInvalidArgument) << dp.status().ToString();
  auto typo = CheckQueryDocument(
      R"({"steps": ["SELECT region, COUNT(*) FROM customers GROUP BY region"],
          "guards": {"minGroupUnit": 1}})",
      {customers});
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  // A second step's error is placed on the script's second line, as at run time.
  auto refused = CheckQueryDocument(
      R"({"steps": ["CREATE TEMP VIEW v AS SELECT region FROM customers", "SELECT nope FROM v"]})",
      {customers});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("line 2"), std::string::npos)
      << refused.status().ToString();
  EXPECT_FALSE(CheckQueryDocument(R"({"steps": []})", {customers}).ok());
}

TEST(QueryCheckTest, UnknownGuardFieldIsAnErrorNamingIt) {
  auto program = CheckProposedQuery("SELECT region, COUNT(*) FROM customers GROUP BY region",
                                    R"({"minGroupUnit": 50})", "", Documents());
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(program.status().message().find("minGroupUnit"), std::string::npos);
  EXPECT_NE(program.status().message().find("is not a query guard field"), std::string::npos);
}

// A dataset whose owner set differentialPrivacy bounds, beside Documents()' two.
std::vector<DeclaredDataset> DocumentsWithDp() {
  std::vector<DeclaredDataset> out = Documents();
  auto d = DeclaredDatasetFromDocument(R"({
    "name": "visits", "format": "csv",
    "schema": [{"name": "person", "type": "string"}, {"name": "site", "type": "string"},
               {"name": "spend", "type": "double"}],
    "policy": {"privacyUnit": "person",
               "columns": {"spend": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
               "differentialPrivacy": {"maxGroupsPerUnit": 3, "maxRowsPerUnitPerGroup": 2,
                                       "bounds": {"spend": {"min": 0, "max": 100,
                                                            "resolution": "0.01"}},
                                       "budget": {"epsilon": 5, "delta": "1e-6"}}}})");
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  if (d.ok()) out.push_back(*d);
  return out;
}

// Valid DP settings over a supported shape are checked into a DP program (its summary shows each
// aggregate's mechanism, epsilon share and interval); invalid ones get InvalidArgument naming the
// field, a DP dataset read without DP is PermissionDenied. Nothing is accepted and ignored.
TEST(QueryCheckTest, DifferentialPrivacyIsValidatedThenChecked) {
  const std::string script = "SELECT site, COUNT(*) AS n FROM visits GROUP BY site";
  auto valid = CheckProposedQuery(script, "", R"({"epsilon": 1, "delta": "1e-7",
      "maxGroupsPerUnit": 2, "bounds": {"visits.spend": {"min": 0, "max": 50}}})",
                                  DocumentsWithDp());
  ASSERT_TRUE(valid.ok()) << valid.status().ToString();
  ASSERT_EQ(valid->summary.dp.size(), 1u);
  EXPECT_EQ(valid->summary.dp[0].column, "n");
  EXPECT_EQ(valid->summary.dp[0].epsilon, "1/2");  // the count and partition selection
  EXPECT_EQ(valid->summary.dp[0].mechanism, "laplace");
  EXPECT_NE(valid->summary.dp_groups.find("partition selection"), std::string::npos);
  ASSERT_EQ(valid->output.size(), 4u);
  EXPECT_EQ(valid->output[2].name, "n_ci_low");
  EXPECT_EQ(valid->output[3].name, "n_ci_high");
  EXPECT_NE(CheckSummaryJson(valid->summary).find("\"interval95\""), std::string::npos);
  // Grouped without a delta: partition selection cannot be differentially private.
  auto no_delta = CheckProposedQuery(script, "", R"({"epsilon": 1})", DocumentsWithDp());
  EXPECT_EQ(no_delta.status().code(), StatusCode::kInvalidArgument) << no_delta.status().ToString();
  EXPECT_NE(no_delta.status().message().find("delta"), std::string::npos);

  auto without_dp = CheckProposedQuery(script, "", "", DocumentsWithDp());
  EXPECT_EQ(without_dp.status().code(), StatusCode::kPermissionDenied)
      << without_dp.status().ToString();
  EXPECT_NE(without_dp.status().message().find("visits"), std::string::npos);

  struct Case {
    const char* privacy;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"epsilon": 6})", "epsilon"},                 // above the budget
           Case{R"({"epsilon": 1, "delta": "1e-5"})", "delta"},  // above the budget
           Case{R"({"epsilon": 1, "maxGroupsPerUnit": 4})", "maxGroupsPerUnit"},
           Case{R"({"epsilon": 1, "maxRowsPerUnitPerGroup": 3})", "maxRowsPerUnitPerGroup"},
           Case{R"({"epsilon": 1, "bounds": {"visits.spend": {"min": -1, "max": 50}}})",
                "visits.spend"},
           Case{R"({"epsilon": 1, "bounds": {"visits.spend": {"min": 0, "max": 101}}})",
                "visits.spend"},
           Case{R"({"epsilon": 1, "bounds": {"visits.site": {"min": 0, "max": 1}}})",
                "visits.site"},
           Case{R"({"epsilon": 1, "bounds": {"customers.ltv": {"min": 0, "max": 1}}})",
                "customers.ltv"},
           Case{R"({"epsilon": 1, "mechanism": "gaussian"})", "delta"},
           Case{R"({"epsilon": 1, "mechanism": "exponential"})", "mechanism"},
           Case{R"({"epsilon": 0})", "epsilon"},
           Case{R"({"delta": "1e-9"})", "epsilon"},
           Case{R"({"epsilon": "a lot"})", "epsilon"},
           Case{R"({"epsilon": 1, "publicGroups": ["a"]})", "publicGroups"},
       }) {
    auto refused = CheckProposedQuery(script, "", c.privacy, DocumentsWithDp());
    ASSERT_FALSE(refused.ok()) << c.privacy;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument)
        << c.privacy << ": " << refused.status().ToString();
    EXPECT_NE(refused.status().message().find(c.field), std::string::npos)
        << c.privacy << ": " << refused.status().ToString();
  }
  // DP settings over datasets none of which is bounded: nobody to protect, refused.
  auto unbounded = CheckProposedQuery("SELECT region, COUNT(*) FROM customers GROUP BY region", "",
                                      R"({"epsilon": 1})", DocumentsWithDp());
  EXPECT_EQ(unbounded.status().code(), StatusCode::kInvalidArgument);
}

TEST(QueryCheckTest, MisplacedDifferentialPrivacySettingsSayWhereTheyBelong) {
  const std::string script = "SELECT region, COUNT(*) FROM customers GROUP BY region";
  auto in_guards = CheckProposedQuery(script, R"({"epsilon": 0.5})", "{}", Documents());
  ASSERT_FALSE(in_guards.ok());
  EXPECT_EQ(in_guards.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(in_guards.status().message().find("the query's privacy object"), std::string::npos)
      << in_guards.status().ToString();
  std::vector<DeclaredDataset> documents = Documents();
  documents[0].document_policy.reset();  // read policy_json, as a caller without a document does
  documents[0].policy_json = R"({"privacyUnit": "hashed_email", "noise": "laplace"})";
  auto in_policy = CheckProposedQuery(script, "", "", documents);
  ASSERT_FALSE(in_policy.ok());
  EXPECT_EQ(in_policy.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(in_policy.status().message().find("differentialPrivacy object"), std::string::npos);
  auto declared = DeclaredDatasetFromDocument(
      R"({"name": "c", "schema": [{"name": "e", "type": "string"}],
          "policy": {"privacyUnit": "e", "epsilon": 1}})");
  EXPECT_EQ(declared.status().code(), StatusCode::kInvalidArgument) << declared.status().ToString();
  // No settings at all pass.
  EXPECT_TRUE(CheckProposedQuery(script, "", "{}", Documents()).ok());
  EXPECT_TRUE(CheckProposedQuery(script, "{}", "null", Documents()).ok());
}

TEST(QueryCheckTest, ValueAggregatesAndSubtotalsAreRefusedAtProposal) {
  auto min = CheckProposedQuery("SELECT region, MIN(age_band) FROM customers GROUP BY region", "",
                                "", Documents());
  ASSERT_FALSE(min.ok());
  EXPECT_NE(min.status().message().find("may not be aggregated by MIN"), std::string::npos)
      << min.status().ToString();
  auto rollup = CheckProposedQuery(
      "SELECT region, COUNT(*) FROM customers GROUP BY ROLLUP (region)", "", "", Documents());
  ASSERT_FALSE(rollup.ok());
  EXPECT_NE(rollup.status().message().find("subtotal rule"), std::string::npos);
}

}  // namespace
}  // namespace cleanroom::privacy
