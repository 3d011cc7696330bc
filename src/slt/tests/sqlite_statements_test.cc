#include "slt/sqlite_statements.h"

#include <gtest/gtest.h>

namespace cleanroom::slt {
namespace {

TEST(SqliteStatementsTest, RightmostAssignmentWins) {
  auto r = KeepRightmostAssignments("UPDATE t1 SET x=3, y=f(1, 2), x=4, X=5 WHERE y > 0");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "UPDATE t1 SET y=f(1, 2), X=5 WHERE y > 0");
  EXPECT_EQ(*KeepRightmostAssignments("update t set a = 1, a = 'x,y'"), "update t set a = 'x,y'");
  EXPECT_FALSE(KeepRightmostAssignments("UPDATE t1 SET x=3, y=4").has_value());
  EXPECT_FALSE(KeepRightmostAssignments("INSERT INTO t1 VALUES(1)").has_value());
}

TEST(SqliteStatementsTest, ReindexTargets) {
  EXPECT_EQ(ReindexTarget("REINDEX").value(), std::optional<std::string>(""));
  EXPECT_EQ(ReindexTarget("reindex T1I1;").value(), std::optional<std::string>("t1i1"));
  EXPECT_EQ(ReindexTarget("REINDEX main.\"Ix\"").value(), std::optional<std::string>("ix"));
  EXPECT_FALSE(ReindexTarget("SELECT 1").value().has_value());
  EXPECT_FALSE(ReindexTarget("REINDEX a b c").ok());
}

}  // namespace
}  // namespace cleanroom::slt

namespace cleanroom::slt {
namespace {

TEST(SqliteStatementsTest, SplitsInsertValues) {
  auto insert = SplitInsertValues("INSERT INTO t1(a, b) VALUES(1<<63, 'x,)'), (f(2, 3), NULL);");
  ASSERT_TRUE(insert.has_value());
  EXPECT_EQ(insert->head, "INSERT INTO t1(a, b) ");
  ASSERT_EQ(insert->rows.size(), 2u);
  EXPECT_EQ(insert->rows[0], "1<<63, 'x,)'");
  EXPECT_EQ(insert->rows[1], "f(2, 3), NULL");
  // A second statement after the rows, a SELECT source, or no INSERT at all: left alone.
  EXPECT_FALSE(SplitInsertValues("INSERT INTO t1 VALUES(1); DROP INDEX i").has_value());
  EXPECT_FALSE(SplitInsertValues("INSERT INTO t1 SELECT 1").has_value());
  EXPECT_FALSE(SplitInsertValues("INSERT INTO t1 VALUES()").has_value());
  EXPECT_FALSE(SplitInsertValues("SELECT 1").has_value());
}

TEST(SqliteStatementsTest, WidensIntegerColumns) {
  auto widened = WidenIntegerColumns("CREATE TABLE t1(x INTEGER PRIMARY KEY, y VARCHAR(8), z int)");
  ASSERT_TRUE(widened.has_value());
  EXPECT_EQ(*widened, "CREATE TABLE t1(x BIGINT PRIMARY KEY, y VARCHAR(8), z BIGINT)");
  EXPECT_FALSE(WidenIntegerColumns("CREATE TABLE t1(x TEXT, integer_col REAL)").has_value());
  EXPECT_FALSE(WidenIntegerColumns("CREATE TABLE t2 AS SELECT 1 AS x").has_value());
  EXPECT_FALSE(WidenIntegerColumns("CREATE INDEX i ON t1(x)").has_value());
}

}  // namespace
}  // namespace cleanroom::slt
