#include "sql/emitter/program_statements.h"

#include <gtest/gtest.h>

namespace cleanroom::sql {
namespace {

TEST(ProgramStatementsTest, QuotesEveryName) {
  EXPECT_EQ(
      EmitCreateTempTableAs("t\"x", "SELECT 1, 2", {"c0", "c1"}),
      "CREATE TEMP TABLE \"t\"\"x\" AS SELECT * FROM (SELECT 1, 2) AS \"__cr_t\"(\"c0\", \"c1\")");
  EXPECT_EQ(EmitCreateTempView("v", "SELECT 1"), "CREATE OR REPLACE TEMP VIEW \"v\" AS SELECT 1");
  EXPECT_EQ(EmitCountRows("t"), "SELECT count(*) FROM \"t\"");
  EXPECT_EQ(EmitCountRows("t", EmitColumnCompare("c1", "<", 5)),
            "SELECT count(*) FROM \"t\" WHERE \"c1\" < 5");
  EXPECT_EQ(EmitCountRowsWhere("t", {"NOT " + EmitAtLeast("c2", 10), "x"}),
            "SELECT count(*) FILTER (WHERE NOT coalesce(\"c2\" >= 10, false)), count(*) FILTER "
            "(WHERE x) FROM \"t\"");
  EXPECT_EQ(EmitSelectInserted("t", {"c0", "c1"}, {"a", "b"}, "true"),
            "SELECT \"c0\" AS \"a\", \"c1\" AS \"b\" FROM \"t\" WHERE true ORDER BY rowid");
}

TEST(ProgramStatementsTest, UpdateMatchesGroupsNullSafely) {
  UpdateFromGroups u{"t", {"c0", "c1"}, 1, "SELECT k, l, e FROM s", "\"c2\" = " + SourceValue(0),
                     ""};
  EXPECT_EQ(EmitUpdateFromGroups(u),
            "UPDATE \"t\" SET \"c2\" = \"__cr_x\".\"e0\" FROM (SELECT k, l, e FROM s) AS "
            "\"__cr_x\"(\"k0\", \"k1\", \"e0\") WHERE \"t\".\"c0\" IS NOT DISTINCT FROM "
            "\"__cr_x\".\"k0\" AND \"t\".\"c1\" IS NOT DISTINCT FROM \"__cr_x\".\"k1\"");
  // No group keys (one group over everything): every row matches.
  UpdateFromGroups all{"t", {}, 1, "SELECT e FROM s", "\"c0\" = NULL", ""};
  EXPECT_EQ(
      EmitUpdateFromGroups(all),
      "UPDATE \"t\" SET \"c0\" = NULL FROM (SELECT e FROM s) AS \"__cr_x\"(\"e0\") WHERE true");
  all.where = UpdatedColumn("t", "c1") + " < 3";
  EXPECT_NE(EmitUpdateFromGroups(all).find("WHERE \"t\".\"c1\" < 3"), std::string::npos);
}

}  // namespace
}  // namespace cleanroom::sql
