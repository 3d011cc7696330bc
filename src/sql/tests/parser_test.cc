#include "sql/parser/parser.h"

#include <gtest/gtest.h>

namespace cleanroom::sql {
namespace {

TEST(ParserTest, ParsesASelectWithEveryClause) {
  auto script = ParseScript(
      "WITH c AS (SELECT a FROM t) SELECT DISTINCT a, count(*) AS n FROM c JOIN u USING (a) "
      "WHERE a > 1 GROUP BY a HAVING count(*) > 2 ORDER BY n DESC NULLS LAST LIMIT 5 OFFSET 1");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  ASSERT_EQ(script->size(), 1u);
  const ast::QueryNode& q = *(*script)[0].query;
  EXPECT_EQ(q.ctes.size(), 1u);
  EXPECT_TRUE(q.select.distinct);
  EXPECT_EQ(q.select.select_list.size(), 2u);
  EXPECT_EQ(q.select.select_list[1].alias, "n");
  EXPECT_EQ(q.select.from->kind, ast::TableRefKind::kJoin);
  EXPECT_EQ(q.select.from->using_columns.size(), 1u);
  EXPECT_EQ(q.order_by.size(), 1u);
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_EQ(q.order_by[0].nulls_first, 0);
  ASSERT_NE(q.limit, nullptr);
  ASSERT_NE(q.offset, nullptr);
}

TEST(ParserTest, ParsesMultiStepScripts) {
  auto script = ParseScript(
      "CREATE TEMP VIEW v AS SELECT 1 AS x; CREATE OR REPLACE TEMPORARY VIEW w AS SELECT x FROM v;"
      " SELECT * FROM w;");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  ASSERT_EQ(script->size(), 3u);
  EXPECT_EQ((*script)[0].kind, ast::Statement::Kind::kCreateView);
  EXPECT_EQ((*script)[1].view_name, "w");
  EXPECT_TRUE((*script)[1].or_replace);
  EXPECT_EQ((*script)[2].kind, ast::Statement::Kind::kQuery);
}

TEST(ParserTest, ReadsSparkLiteralsAndCasts) {
  auto script = ParseScript(
      "SELECT 1L, 2S, 3Y, 1.5D, 1.5BD, `odd name`, \"str\", x::int, TRY_CAST(y AS decimal(5,2)), "
      "DATE '2024-01-01', INTERVAL 3 DAYS FROM t");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  const auto& items = (*script)[0].query->select.select_list;
  ASSERT_EQ(items.size(), 11u);
  EXPECT_EQ(items[0].expr->text, "1L");
  EXPECT_EQ(items[4].expr->text, "1.5BD");
  EXPECT_EQ(items[5].expr->kind, ast::ExprKind::kColumn);
  EXPECT_EQ(items[5].expr->name, "odd name");
  EXPECT_EQ(items[6].expr->literal_kind, ast::LiteralKind::kString);
  EXPECT_EQ(items[7].expr->kind, ast::ExprKind::kCast);
  EXPECT_TRUE(items[8].expr->try_cast);
  EXPECT_EQ(items[9].expr->literal_kind, ast::LiteralKind::kDate);
  EXPECT_EQ(items[10].expr->text, "3 day");
}

TEST(ParserTest, RollupExpandsToGroupingSets) {
  auto script = ParseScript("SELECT a, b, count(*) FROM t GROUP BY ROLLUP(a, b)");
  ASSERT_TRUE(script.ok());
  const auto& select = (*script)[0].query->select;
  EXPECT_TRUE(select.has_grouping_sets);
  EXPECT_EQ(select.grouping_sets.size(), 3u);  // (a, b), (a), ()
  EXPECT_EQ(select.group_by.size(), 2u);
}

TEST(ParserTest, ErrorsCarryLineColumnAndCaret) {
  auto script = ParseScript("SELECT a,\n  FROM t");
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.status().code(), StatusCode::kInvalidArgument);
  const std::string m = script.status().message();
  EXPECT_NE(m.find("line 2, column 3"), std::string::npos) << m;
  EXPECT_NE(m.find("\n  FROM t\n  ^"), std::string::npos) << m;
}

TEST(ParserTest, UnterminatedStringIsAnError) {
  auto script = ParseScript("SELECT 'abc");
  ASSERT_FALSE(script.ok());
  EXPECT_NE(script.status().message().find("unterminated string"), std::string::npos);
  EXPECT_NE(script.status().message().find("line 1, column 8"), std::string::npos);
}

TEST(ParserTest, DeepNestingIsRefusedNotACrash) {
  std::string sql = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
  auto script = ParseScript(sql);
  ASSERT_FALSE(script.ok());
  EXPECT_NE(script.status().message().find("nested too deeply"), std::string::npos);
}

TEST(ParserTest, OnlyTemporaryViewsAreStatements) {
  auto script = ParseScript("CREATE VIEW v AS SELECT 1");
  ASSERT_FALSE(script.ok());
  EXPECT_NE(script.status().message().find("TEMP VIEW"), std::string::npos);
  EXPECT_FALSE(ParseScript("DROP TABLE t").ok());
}

}  // namespace
}  // namespace cleanroom::sql
