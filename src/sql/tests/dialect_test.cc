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
  EXPECT_TRUE(Compile("SELECT \"a\" FROM t1 NOT INDEXED WHERE b NOTNULL AND x ISNULL", Dialect::kSqlite).ok());
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
  EXPECT_FALSE(Compile("SELECT a FROM t1 UNION SELECT b FROM t1 ORDER BY zz", Dialect::kSpark).ok());
}

TEST(DialectTest, NamedWindows) {
  auto r = Compile(
      "SELECT a, sum(b) OVER w, rank() OVER (w ORDER BY b) FROM t1 WINDOW w AS (PARTITION BY a)",
      Dialect::kSpark);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(Compile("SELECT sum(b) OVER nowhere FROM t1", Dialect::kSpark).ok());
}

}  // namespace
}  // namespace cleanroom::sql
