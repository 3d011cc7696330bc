// The sqlite dialect and the leniencies the shared corpora need.
#include <gtest/gtest.h>

#include "sql/frontend.h"

namespace cleanroom::sql {
namespace {

Catalog SqliteCatalog() {
  Catalog catalog;
  catalog.PutTable(TableDef{"t1",
                            {{"a", DataType::Of(TypeId::kInt)},
                             {"b", DataType::Of(TypeId::kInt)},
                             {"x", DataType::Of(TypeId::kString)}},
                            false});
  return catalog;
}

Result<CompiledStatement> Compile(const std::string& sql, Dialect dialect) {
  Catalog catalog = SqliteCatalog();
  CompileOptions options;
  options.dialect = dialect;
  CR_ASSIGN_OR_RETURN(auto statements, CompileScript(sql, catalog, options));
  return statements.back();
}

TEST(DialectTest, SqliteIntegerArithmeticStaysInteger) {
  auto r = Compile("SELECT a / b, a * b, 7 / 2, 1.5 + a FROM t1", Dialect::kSqlite);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output[0].type.ToString(), "bigint");
  EXPECT_EQ(r->output[1].type.ToString(), "bigint");
  EXPECT_EQ(r->output[2].type.ToString(), "bigint");
  EXPECT_EQ(r->output[3].type.ToString(), "double");
  auto spark = Compile("SELECT a / b FROM t1", Dialect::kSpark);
  ASSERT_TRUE(spark.ok());
  EXPECT_EQ(spark->output[0].type.ToString(), "double");
}

TEST(DialectTest, SqliteSyntax) {
  EXPECT_TRUE(
      Compile("SELECT \"a\" FROM t1 NOT INDEXED WHERE b NOTNULL AND x ISNULL", Dialect::kSqlite)
          .ok());
  auto in_table = Compile("SELECT a FROM t1 WHERE a IN t1", Dialect::kSqlite);
  EXPECT_FALSE(in_table.ok());  // t1 has three columns
  EXPECT_NE(in_table.status().message().find("one column"), std::string::npos);
  EXPECT_TRUE(Compile("SELECT min(a, b), max(a, b, 3) FROM t1", Dialect::kSqlite).ok());
  EXPECT_TRUE(Compile("SELECT total(a), group_concat(x), min(a) FROM t1", Dialect::kSqlite).ok());
  // In Spark "x" is a string; in SQLite an identifier.
  auto spark = Compile("SELECT \"x\" FROM t1", Dialect::kSpark);
  ASSERT_TRUE(spark.ok());
  EXPECT_NE(spark->duckdb_sql.find("'x'"), std::string::npos);
}

TEST(DialectTest, GroupingSetsNestAndCombine) {
  auto r = Compile(
      "SELECT a, b, count(*) FROM t1 GROUP BY GROUPING SETS (GROUPING SETS (a, ()), ROLLUP (b))",
      Dialect::kSpark);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->duckdb_sql.find("GROUPING SETS (("), std::string::npos) << r->duckdb_sql;
}

TEST(DialectTest, SetOperationOrderByMayNameABranchColumn) {
  auto r = Compile("SELECT a - 1 AS k FROM t1 UNION SELECT b - 1 AS l FROM t1 ORDER BY l",
                   Dialect::kSpark);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(
      Compile("SELECT a FROM t1 UNION SELECT b FROM t1 ORDER BY zz", Dialect::kSpark).ok());
}

TEST(DialectTest, NamedWindows) {
  auto r = Compile(
      "SELECT a, sum(b) OVER w, rank() OVER (w ORDER BY b) FROM t1 WINDOW w AS (PARTITION BY a)",
      Dialect::kSpark);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(Compile("SELECT sum(b) OVER nowhere FROM t1", Dialect::kSpark).ok());
}

// The duckdb profile: Spark's language with DuckDB's semantics where DuckDB's corpus expects
// them; the spark dialect keeps Spark's.
TEST(DialectTest, DuckdbProfileConcatAndPad) {
  auto concat = Compile("SELECT concat(x, a, NULL) FROM t1", Dialect::kDuckdb);
  ASSERT_TRUE(concat.ok()) << concat.status().ToString();
  // DuckDB's concat skips NULLs; Spark's is NULL-propagating `||`.
  EXPECT_EQ(concat->duckdb_sql.find("||"), std::string::npos) << concat->duckdb_sql;
  auto spark = Compile("SELECT concat(x, a, NULL) FROM t1", Dialect::kSpark);
  ASSERT_TRUE(spark.ok());
  EXPECT_NE(spark->duckdb_sql.find("||"), std::string::npos) << spark->duckdb_sql;
  EXPECT_FALSE(Compile("SELECT concat()", Dialect::kDuckdb).ok());
  EXPECT_TRUE(Compile("SELECT concat()", Dialect::kSpark).ok());
  EXPECT_FALSE(Compile("SELECT lpad(x, 3) FROM t1", Dialect::kDuckdb).ok());
  EXPECT_FALSE(Compile("SELECT rpad(x, 3) FROM t1", Dialect::kDuckdb).ok());
  EXPECT_TRUE(Compile("SELECT lpad(x, 3, '*') FROM t1", Dialect::kDuckdb).ok());
  EXPECT_TRUE(Compile("SELECT lpad(x, 3) FROM t1", Dialect::kSpark).ok());
}

TEST(DialectTest, DuckdbProfileDecimalCastAndDivision) {
  auto decimal =
      Compile("SELECT CAST(x AS DECIMAL), CAST(1.5 AS INT), a / b FROM t1", Dialect::kDuckdb);
  ASSERT_TRUE(decimal.ok()) << decimal.status().ToString();
  EXPECT_EQ(decimal->output[0].type.ToString(), "decimal(18,3)");
  EXPECT_EQ(decimal->duckdb_sql.find("trunc("), std::string::npos) << decimal->duckdb_sql;
  EXPECT_EQ(decimal->duckdb_sql.find("DIVIDE_BY_ZERO"), std::string::npos) << decimal->duckdb_sql;
  auto spark =
      Compile("SELECT CAST(x AS DECIMAL), CAST(1.5 AS INT), a / b FROM t1", Dialect::kSpark);
  ASSERT_TRUE(spark.ok());
  EXPECT_EQ(spark->output[0].type.ToString(), "decimal(10,0)");
  EXPECT_NE(spark->duckdb_sql.find("trunc("), std::string::npos);
  EXPECT_NE(spark->duckdb_sql.find("DIVIDE_BY_ZERO"), std::string::npos);
}

TEST(DialectTest, DuckdbProfileOrderBy) {
  const char* computed = "SELECT a - 1 AS k FROM t1 UNION SELECT b - 1 AS l FROM t1 ORDER BY 1 - k";
  EXPECT_TRUE(Compile(computed, Dialect::kSpark).ok());
  auto refused = Compile(computed, Dialect::kDuckdb);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("could not ORDER BY"), std::string::npos);
  // A branch's expression, written the same way, names its output column in both.
  EXPECT_TRUE(Compile("SELECT a - 1 AS k FROM t1 UNION SELECT b - 1 FROM t1 ORDER BY b - 1",
                      Dialect::kDuckdb)
                  .ok());
  auto ordered =
      Compile("SELECT count(a ORDER BY b DESC), first(x ORDER BY a) FROM t1", Dialect::kDuckdb);
  ASSERT_TRUE(ordered.ok()) << ordered.status().ToString();
  EXPECT_NE(ordered->duckdb_sql.find(" ORDER BY "), std::string::npos) << ordered->duckdb_sql;
  EXPECT_FALSE(Compile("SELECT count(a ORDER BY b) FROM t1", Dialect::kSpark).ok());
  EXPECT_FALSE(Compile("SELECT abs(a ORDER BY b) FROM t1", Dialect::kDuckdb).ok());
}

}  // namespace
}  // namespace cleanroom::sql
