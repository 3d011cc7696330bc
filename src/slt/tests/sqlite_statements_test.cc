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
