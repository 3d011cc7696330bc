#include <gtest/gtest.h>

#include <chrono>

#include "sql/emitter/duckdb_emitter.h"
#include "sql/frontend.h"

namespace cleanroom::sql {
namespace {

std::string Emit(const std::string& sql, const CompileOptions& options = {}) {
  Catalog catalog;
  EXPECT_TRUE(catalog
                  .AddTable(TableDef{"t",
                                     {{"a", DataType::Of(TypeId::kInt)},
                                      {"s", DataType::Of(TypeId::kString)},
                                      {"d", DataType::Decimal(10, 2)}},
                                     false})
                  .ok());
  auto r = CompileScript(sql, catalog, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->back().duckdb_sql : "";
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(EmitterTest, OrderByHasExplicitSparkNullOrdering) {
  std::string sql = Emit("SELECT a FROM t ORDER BY a, s DESC");
  EXPECT_TRUE(Contains(sql, "ASC NULLS FIRST")) << sql;
  EXPECT_TRUE(Contains(sql, "DESC NULLS LAST")) << sql;
}

TEST(EmitterTest, ConcatPropagatesNull) {
  std::string sql = Emit("SELECT concat(s, 'x') FROM t");
  EXPECT_TRUE(Contains(sql, "|| 'x'")) << sql;
  EXPECT_FALSE(Contains(sql, "concat(\"")) << sql;
}

TEST(EmitterTest, DivisionIsDoubleAndChecksZero) {
  std::string sql = Emit("SELECT a / 2 FROM t");
  EXPECT_TRUE(Contains(sql, "CAST(\"_c0_0\" AS DOUBLE) /")) << sql;
  EXPECT_TRUE(Contains(sql, "DIVIDE_BY_ZERO")) << sql;
  CompileOptions safe;
  safe.safe_arithmetic = true;
  std::string checked = Emit("SELECT a / 0, a + 1, CAST(s AS INT) FROM t", safe);
  EXPECT_TRUE(Contains(checked, "NULLIF(")) << checked;
  EXPECT_TRUE(Contains(checked, "TRY((")) << checked;
  EXPECT_TRUE(Contains(checked, "TRY_CAST(")) << checked;
  EXPECT_FALSE(Contains(checked, "error(")) << checked;
}

TEST(EmitterTest, SqliteDialectDividesIntegers) {
  CompileOptions sqlite;
  sqlite.dialect = Dialect::kSqlite;
  std::string sql = Emit("SELECT a / 2 FROM t", sqlite);
  EXPECT_TRUE(Contains(sql, "//")) << sql;
}

TEST(EmitterTest, AggregatesKeepSparkTypes) {
  std::string sql = Emit("SELECT sum(a), count(a) FROM t");
  EXPECT_TRUE(Contains(sql, "CAST(sum(CAST(\"_c0_0\" AS BIGINT)) AS BIGINT)")) << sql;
}

TEST(EmitterTest, IdentifiersAreQuotedAndUserTextNeverPassesThrough) {
  std::string sql = Emit("SELECT a AS `we\"ird` FROM t WHERE s = 'it''s'");
  EXPECT_TRUE(Contains(sql, "AS \"we\"\"ird\"")) << sql;
  EXPECT_TRUE(Contains(sql, "'it''s'")) << sql;
  EXPECT_TRUE(Contains(sql, "FROM \"t\"")) << sql;
}

TEST(EmitterTest, FrontEndIsFast) {
  Catalog catalog;
  ASSERT_TRUE(catalog
                  .AddTable(TableDef{"t",
                                     {{"a", DataType::Of(TypeId::kInt)},
                                      {"s", DataType::Of(TypeId::kString)},
                                      {"d", DataType::Decimal(10, 2)}},
                                     false})
                  .ok());
  const std::string query =
      "SELECT s, count(DISTINCT a) AS n, sum(d) FROM t WHERE a > 3 AND s LIKE 'x%' "
      "GROUP BY s HAVING count(*) > 10 ORDER BY n DESC LIMIT 10";
  auto start = std::chrono::steady_clock::now();
  constexpr int kRounds = 200;
  for (int i = 0; i < kRounds; ++i) {
    Catalog copy = catalog;
    ASSERT_TRUE(CompileScript(query, copy).ok());
  }
  auto per_query = (std::chrono::steady_clock::now() - start) / kRounds;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::microseconds>(per_query).count(), 5000);
}

}  // namespace
}  // namespace cleanroom::sql
