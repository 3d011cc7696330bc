// The policy a dataset document states as a whole: `policy` with allowedFields and columnRoles.
#include "privacy/dataset_document.h"

#include <gtest/gtest.h>

namespace cleanroom::privacy {
namespace {

using nlohmann::json;

TEST(DatasetDocumentPolicyTest, TopLevelSettingsAreEnforcedWithoutAPolicyObject) {
  json doc = {{"name", "customers"},
              {"allowedFields", {"Email", "age_band", "ltv"}},
              {"columnRoles", {{"email", "privacy_unit"}, {"ltv", "aggregate"}}}};
  auto p = PolicyOfDatasetDocument(doc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->allowed_fields.size(), 3u);
  EXPECT_EQ(p->privacy_unit, "email");
  EXPECT_EQ(p->RoleOf("EMAIL"), ColumnRole::kPrivacyUnit);
  EXPECT_EQ(p->RoleOf("ltv"), ColumnRole::kAggregate);
  EXPECT_EQ(p->RoleOf("age_band"), ColumnRole::kDimension);
}

TEST(DatasetDocumentPolicyTest, PolicyAndTopLevelAgreeingAreMerged) {
  json doc = {{"allowedFields", {"email", "ltv", "band"}},
              {"columnRoles", {{"email", "privacy_unit"}, {"band", "join"}}},
              {"policy",
               {{"allowedFields", {"LTV", "email", "band"}},
                {"privacyUnit", "email"},
                {"columns", {{"ltv", {{"role", "aggregate"}, {"functions", {"sum"}}}}}},
                {"minGroupUnits", 25}}}};
  auto p = PolicyOfDatasetDocument(doc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->RoleOf("band"), ColumnRole::kJoin);
  EXPECT_EQ(p->Find("ltv")->functions, (std::set<std::string>{"SUM"}));
  EXPECT_EQ(p->min_group_units, 25);
}

TEST(DatasetDocumentPolicyTest, DisagreementsAreErrorsThatNameTheField) {
  struct Case {
    json doc;
    const char* field;
  } cases[] = {
      {{{"allowedFields", {"a", "b"}}, {"policy", {{"allowedFields", {"a"}}}}},
       "policy.allowedFields"},
      {{{"allowedFields", {"a", "v"}},
        {"columnRoles", {{"v", "dimension"}}},
        {"policy", {{"columns", {{"v", {{"role", "aggregate"}}}}}}}},
       "columnRoles.v"},
      {{{"allowedFields", {"a", "b"}},
        {"columnRoles", {{"b", "privacy_unit"}}},
        {"policy", {{"privacyUnit", "a"}}}},
       "columnRoles.b"},
      {{{"allowedFields", {"a"}}, {"policy", {{"columns", {{"z", {{"role", "join"}}}}}}}},
       "policy.columns.z"},
      {{{"allowedFields", {"a"}}, {"columnRoles", {{"a", "secret"}}}}, "columnRoles.a"},
      {{{"allowedFields", {"a"}}, {"policy", {{"minGroupUnit", 5}}}}, "minGroupUnit"},
      {{{"allowedFields", {"a"}}, {"policy", "strict"}}, "policy"},
  };
  for (const Case& c : cases) {
    auto p = PolicyOfDatasetDocument(c.doc);
    ASSERT_FALSE(p.ok()) << c.doc.dump();
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.field), std::string::npos)
        << p.status().message() << " should name " << c.field;
  }
}

}  // namespace
}  // namespace cleanroom::privacy
