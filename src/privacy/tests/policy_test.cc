#include "privacy/policy.h"

#include <gtest/gtest.h>

namespace cleanroom::privacy {
namespace {

TEST(PolicyTest, ParsesRolesAndFloors) {
  auto p = ParseDatasetPolicy(R"({
    "allowedFields": ["Email", "age_band", "ltv"],
    "privacyUnit": "email",
    "columns": {"ltv": {"role": "aggregate", "functions": ["sum"]}},
    "output": "list", "minRowCount": 10, "minGroupUnits": 5})",
                              "doc");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->RoleOf("EMAIL"), ColumnRole::kPrivacyUnit);
  EXPECT_EQ(p->RoleOf("age_band"), ColumnRole::kDimension);
  EXPECT_EQ(p->RoleOf("ltv"), ColumnRole::kAggregate);
  EXPECT_EQ(p->Find("ltv")->functions, (std::set<std::string>{"SUM"}));
  EXPECT_EQ(p->output, OutputMode::kList);
  EXPECT_EQ(p->min_row_count, 10);
  EXPECT_EQ(p->min_group_units, 5);
}

TEST(PolicyTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"columns": {"x": {"role": "secret"}}})", "columns.x.role"},
      {R"({"allowedFields": ["a"], "columns": {"b": {"role": "join"}}})", "columns.b"},
      {R"({"privacyUnit": "z", "allowedFields": ["a"]})", "privacyUnit"},
      {R"({"minGroupUnits": 5})", "minGroupUnits"},
      {R"({"minRowCount": -1})", "minRowCount"},
      {R"({"output": "rows"})", "output"},
      {R"({"allowedFields": ["a", "A"]})", "allowedFields[1]"},
      {R"({"columns": {"v": {"role": "aggregate", "functions": ["median"]}}})",
       "columns.v.functions[0]"},
      {R"({"colums": {}})", "colums"},
      // A unit index must be hidden from queries and needs a unit to index.
      {R"({"allowedFields": ["a", "i"], "privacyUnit": "a", "unitIndex": "i"})", "unitIndex"},
      {R"({"privacyUnit": "a", "unitIndex": "i"})", "unitIndex"},
      {R"({"allowedFields": ["a"], "unitIndex": "i"})", "unitIndex"},
      {R"({"allowedFields": ["a"], "privacyUnit": "a", "unitIndex": ""})", "unitIndex"},
  };
  for (const auto& c : cases) {
    auto p = ParseDatasetPolicy(c.json, "doc.json");
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.field), std::string::npos) << p.status().message();
    EXPECT_NE(p.status().message().find("doc.json"), std::string::npos);
  }
  EXPECT_FALSE(ParseDatasetPolicy("{not json", "x").ok());
}

TEST(PolicyTest, ParsesUnitIndex) {
  auto p = ParseDatasetPolicy(
      R"({"allowedFields": ["Email", "band"], "privacyUnit": "email", "unitIndex": "Person_Id"})",
      "doc");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->unit_index, "person_id");
  EXPECT_EQ(p->RoleOf("person_id"), ColumnRole::kDimension);  // not a column queries see
}

TEST(PolicyTest, StrictestFloorWins) {
  auto file = ParsePolicyFile(R"({
    "datasets": {"c": {"privacyUnit": "id", "minRowCount": 100, "minGroupUnits": 10}},
    "query": {"preConditions": [{"dataset": "C", "minRowCount": 500}], "minGroupUnits": 3,
              "postFilters": [{"column": "n", "min": 2}]}})",
                              "f");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EffectiveFloors f = MergeFloors(file->datasets.at("c"), file->query, "c");
  EXPECT_EQ(f.min_row_count, 500);
  EXPECT_EQ(f.min_group_units, 10);
  file->query.min_group_units = 20;
  EXPECT_EQ(MergeFloors(file->datasets.at("c"), file->query, "c").min_group_units, 20);
  ASSERT_EQ(file->query.post_filters.size(), 1u);
  EXPECT_FALSE(
      ParsePolicyFile(
          R"({"datasets": {}, "query": {"preConditions": [{"dataset": "q", "minRowCount": 1}]}})",
          "f")
          .ok());
}

}  // namespace
}  // namespace cleanroom::privacy
