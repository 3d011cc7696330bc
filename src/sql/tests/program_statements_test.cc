#include "sql/emitter/program_statements.h"

#include <gtest/gtest.h>

namespace cleanroom::sql {
namespace {

const ProgramStatements& DuckDb() { return ProgramStatements::For(SqlTarget::kDuckDb); }
const ProgramStatements& Spark() { return ProgramStatements::For(SqlTarget::kSpark); }

TEST(ProgramStatementsTest, QuotesEveryName) {
  const ProgramStatements& d = DuckDb();
  EXPECT_EQ(
      d.CreateTempTableAs("t\"x", "SELECT 1, 2", {"c0", "c1"}),
      "CREATE TEMP TABLE \"t\"\"x\" AS SELECT * FROM (SELECT 1, 2) AS \"__cr_t\"(\"c0\", \"c1\")");
  EXPECT_EQ(d.CreateTempView("v", "SELECT 1"), "CREATE OR REPLACE TEMP VIEW \"v\" AS SELECT 1");
  EXPECT_EQ(d.CountRows("t"), "SELECT count(*) FROM \"t\"");
  EXPECT_EQ(d.CountRows("t", d.ColumnCompare("c1", "<", 5)),
            "SELECT count(*) FROM \"t\" WHERE \"c1\" < 5");
  EXPECT_EQ(d.CountRowsWhere("t", {"NOT " + d.AtLeast("c2", 10), "x"}),
            "SELECT count(*) FILTER (WHERE NOT coalesce(\"c2\" >= 10, false)), count(*) FILTER "
            "(WHERE x) FROM \"t\"");
  EXPECT_EQ(d.SelectInserted("t", {"c0", "c1"}, {"a", "b"}, "true"),
            "SELECT \"c0\" AS \"a\", \"c1\" AS \"b\" FROM \"t\" WHERE true ORDER BY rowid");
  EXPECT_TRUE(d.conditional_steps());
}

TEST(ProgramStatementsTest, UpdateMatchesGroupsNullSafely) {
  const ProgramStatements& d = DuckDb();
  UpdateFromGroups u{"t", {"c0", "c1", "c2"},      {"c0", "c1"},
                     1,   "SELECT k, l, e FROM s", {{"c2", d.SourceValue(0)}},
                     ""};
  UpdateStatement update = d.UpdateGroups(u);
  EXPECT_EQ(update.sql,
            "UPDATE \"t\" SET \"c2\" = \"__cr_x\".\"e0\" FROM (SELECT k, l, e FROM s) AS "
            "\"__cr_x\"(\"k0\", \"k1\", \"e0\") WHERE \"t\".\"c0\" IS NOT DISTINCT FROM "
            "\"__cr_x\".\"k0\" AND \"t\".\"c1\" IS NOT DISTINCT FROM \"__cr_x\".\"k1\"");
  EXPECT_EQ(update.table, "t");
  // No group keys (one group over everything): every row matches.
  UpdateFromGroups all{"t", {"c0", "c1"}, {}, 1, "SELECT e FROM s", {{"c0", "NULL"}}, ""};
  EXPECT_EQ(
      d.UpdateGroups(all).sql,
      "UPDATE \"t\" SET \"c0\" = NULL FROM (SELECT e FROM s) AS \"__cr_x\"(\"e0\") WHERE true");
  all.where = d.UpdatedColumn("t", "c1") + " < 3";
  EXPECT_NE(d.UpdateGroups(all).sql.find("WHERE \"t\".\"c1\" < 3"), std::string::npos);
}

TEST(ProgramStatementsTest, SparkCachesTablesAndKeepsTheirOrder) {
  const ProgramStatements& s = Spark();
  EXPECT_EQ(s.CreateTempTableAs("t`x", "SELECT 1, 2", {"c0", "c1"}),
            "CACHE TABLE `t``x` AS SELECT *, monotonically_increasing_id() AS `__cr_order` FROM "
            "(SELECT 1, 2) AS `__cr_t`(`c0`, `c1`)");
  EXPECT_EQ(s.CountRowsWhere("t", {"NOT " + s.AtLeast("c2", 10)}),
            "SELECT count(*) FILTER (WHERE NOT coalesce(`c2` >= 10, false)) FROM `t`");
  EXPECT_EQ(s.SelectInserted("t", {"c0"}, {"a"}, "true"),
            "SELECT `c0` AS `a` FROM `t` WHERE true ORDER BY `__cr_order`");
  EXPECT_FALSE(s.conditional_steps());
}

TEST(ProgramStatementsTest, SparkUpdateIsANewVersionOfTheTable) {
  const ProgramStatements& s = Spark();
  UpdateFromGroups u{"g",
                     {"c0", "c1", "c2"},
                     {"c0"},
                     1,
                     "SELECT k, e FROM s",
                     {{"c1", "-1"}, {"c2", "NULL"}},
                     s.SourceValue(0) + " < 3"};
  UpdateStatement update = s.UpdateGroups(u);
  EXPECT_EQ(update.table, "g_v2");
  EXPECT_EQ(update.sql,
            "CACHE TABLE `g_v2` AS SELECT `g`.`c0` AS `c0`, CASE WHEN `__cr_x`.`__cr_m` IS NOT "
            "NULL AND (`__cr_x`.`e0` < 3) THEN -1 ELSE `g`.`c1` END AS `c1`, CASE WHEN "
            "`__cr_x`.`__cr_m` IS NOT NULL AND (`__cr_x`.`e0` < 3) THEN NULL ELSE `g`.`c2` END AS "
            "`c2`, `g`.`__cr_order` FROM `g` LEFT JOIN (SELECT *, true AS `__cr_m` FROM (SELECT "
            "k, e FROM s) AS `__cr_s`(`k0`, `e0`)) AS `__cr_x` ON `g`.`c0` <=> `__cr_x`.`k0`");
  u.table = update.table;
  EXPECT_EQ(s.UpdateGroups(u).table, "g_v3");
}

}  // namespace
}  // namespace cleanroom::sql
