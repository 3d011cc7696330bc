#include <gtest/gtest.h>

#include <chrono>

#include "sql/emitter/duckdb_emitter.h"
#include "sql/emitter/spark_emitter.h"
#include "sql/frontend.h"

namespace cleanroom::sql {
namespace {

// The last statement of `sql` compiled over t(a int, s string, d decimal(10,2)) and u(a int).
Result<CompiledStatement> CompileLast(const std::string& sql, const CompileOptions& options) {
  Catalog catalog;
  EXPECT_TRUE(catalog
                  .AddTable(TableDef{"t",
                                     {{"a", DataType::Of(TypeId::kInt)},
                                      {"s", DataType::Of(TypeId::kString)},
                                      {"d", DataType::Decimal(10, 2)}},
                                     false})
                  .ok());
  EXPECT_TRUE(catalog.AddTable(TableDef{"u", {{"a", DataType::Of(TypeId::kInt)}}, false}).ok());
  CR_ASSIGN_OR_RETURN(std::vector<CompiledStatement> compiled,
                      CompileScript(sql, catalog, options));
  return compiled.back();
}

std::string Emit(const std::string& sql, const CompileOptions& options = {}) {
  auto r = CompileLast(sql, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->duckdb_sql : "";
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

// The Spark emitter's spellings. That Spark computes the same answers as DuckDB is the ctest
// spark_engine (the privacy suites and the demo's queries on a cluster); these pin the forms.
std::string EmitSpark(const std::string& sql, bool safe = true) {
  CompileOptions options;
  options.safe_arithmetic = safe;
  auto compiled = CompileLast(sql, options);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  if (!compiled.ok()) return "";
  EmitOptions emit;
  emit.safe_arithmetic = safe;
  auto text = EmitSparkSql(*compiled->plan, emit);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

TEST(SparkEmitterTest, QuotesWithBackquotesAndEscapesStringsWithBackslashes) {
  EXPECT_EQ(QuoteSparkIdentifier("a`b"), "`a``b`");
  // Spark reads 'it''s' as two adjacent literals ("its"): the quote is escaped instead.
  EXPECT_EQ(QuoteSparkString("it's \\n"), "'it\\'s \\\\n'");
  std::string sql = EmitSpark("SELECT s AS `x y` FROM t WHERE s = 'it''s'");
  EXPECT_TRUE(Contains(sql, "FROM `t`")) << sql;
  EXPECT_TRUE(Contains(sql, "AS `x y`")) << sql;
  EXPECT_TRUE(Contains(sql, "'it\\'s'")) << sql;
  EXPECT_FALSE(Contains(sql, "\"")) << sql;
}

TEST(SparkEmitterTest, SafeArithmeticIsSparksTryFunctions) {
  std::string sql = EmitSpark("SELECT a + 1, a * a, a / 2, a % 3, -a FROM t") +
                    EmitSpark("SELECT sum(d), avg(a) FROM t");
  for (const char* form : {"try_add(", "try_multiply(", "try_divide(", "try_mod(",
                           "try_subtract(CAST(0 AS int)", "try_sum(", "try_avg("}) {
    EXPECT_TRUE(Contains(sql, form)) << form << " in " << sql;
  }
  // Without safe arithmetic, Spark's own operators (ANSI errors stand).
  std::string plain =
      EmitSpark("SELECT a + 1 FROM t", false) + EmitSpark("SELECT sum(d) FROM t", false);
  EXPECT_FALSE(Contains(plain, "try_")) << plain;
  EXPECT_TRUE(Contains(plain, " + 1)")) << plain;
}

TEST(SparkEmitterTest, SparkKeywordsForSemiJoinsAndNullSafeComparison) {
  std::string sql =
      EmitSpark("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a) AND a <=> 1");
  EXPECT_TRUE(Contains(sql, "<=>")) << sql;
  EXPECT_FALSE(Contains(sql, "IS NOT DISTINCT FROM")) << sql;
  std::string cast = EmitSpark("SELECT CAST(s AS INT) FROM t");
  EXPECT_TRUE(Contains(cast, "try_cast(`")) << cast;
  EXPECT_TRUE(Contains(cast, " AS int)")) << cast;
}

}  // namespace
}  // namespace cleanroom::sql
