#include <gtest/gtest.h>

#include <functional>

#include "sql/frontend.h"
#include "sql/plan.h"

namespace cleanroom::sql {
namespace {

Catalog TestCatalog() {
  Catalog catalog;
  EXPECT_TRUE(catalog
                  .AddTable(TableDef{"customers",
                                     {{"id", DataType::Of(TypeId::kBigInt)},
                                      {"region", DataType::Of(TypeId::kString)},
                                      {"age", DataType::Of(TypeId::kInt)},
                                      {"ltv", DataType::Decimal(10, 2)}},
                                     false})
                  .ok());
  EXPECT_TRUE(catalog
                  .AddTable(TableDef{"impressions",
                                     {{"id", DataType::Of(TypeId::kBigInt)},
                                      {"campaign", DataType::Of(TypeId::kString)},
                                      {"cost", DataType::Of(TypeId::kDouble)}},
                                     false})
                  .ok());
  return catalog;
}

Result<CompiledStatement> CompileOne(const std::string& sql) {
  Catalog catalog = TestCatalog();
  CR_ASSIGN_OR_RETURN(auto statements, CompileScript(sql, catalog));
  return statements.back();
}

TEST(BinderTest, UnknownColumnSuggestsTheNearest) {
  auto r = CompileOne("SELECT regoin FROM customers");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("column not found: regoin (did you mean region"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("line 1, column 8"), std::string::npos);
}

TEST(BinderTest, UnknownTableAndFunctionAreNamed) {
  auto table = CompileOne("SELECT 1 FROM customer");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(
      table.status().message().find("table or view not found: customer (did you mean customers"),
      std::string::npos);
  auto function = CompileOne("SELECT sqrtt(age) FROM customers");
  ASSERT_FALSE(function.ok());
  EXPECT_NE(function.status().message().find("function not found: sqrtt (did you mean sqrt"),
            std::string::npos);
  // A function we do not translate is never passed through.
  EXPECT_FALSE(CompileOne("SELECT read_csv('x') FROM customers").ok());
}

TEST(BinderTest, AmbiguousColumnIsAnError) {
  auto r = CompileOne("SELECT id FROM customers c JOIN impressions i ON c.id = i.id");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ambiguous"), std::string::npos);
}

TEST(BinderTest, InfersSparkTypes) {
  auto r = CompileOne("SELECT count(*), sum(age), avg(age), sum(ltv), avg(ltv) FROM customers");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& out = r->output;
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].type.ToString(), "bigint");
  EXPECT_EQ(out[1].type.ToString(), "bigint");
  EXPECT_EQ(out[2].type.ToString(), "double");
  EXPECT_EQ(out[3].type.ToString(), "decimal(20,2)");
  EXPECT_EQ(out[4].type.ToString(), "decimal(14,6)");
  auto s = CompileOne("SELECT ltv * 2, ltv / 3, age / 2, age div 2, 1 + 2L, 1.5 FROM customers");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const auto& scalar = s->output;
  ASSERT_EQ(scalar.size(), 6u);
  EXPECT_EQ(scalar[0].type.ToString(), "decimal(21,2)");   // (10,2) * (10,0)
  EXPECT_EQ(scalar[1].type.ToString(), "decimal(21,13)");  // (10,2) / (10,0)
  EXPECT_EQ(scalar[2].type.ToString(), "double");
  EXPECT_EQ(scalar[3].type.ToString(), "bigint");
  EXPECT_EQ(scalar[4].type.ToString(), "bigint");
  EXPECT_EQ(scalar[5].type.ToString(), "decimal(2,1)");
}

TEST(BinderTest, StarExpandsToCatalogColumnsOnly) {
  auto r = CompileOne("SELECT * FROM impressions");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->output.size(), 3u);
  EXPECT_EQ(r->output[1].name, "campaign");
}

TEST(BinderTest, ColumnReferencesNameTheirDatasetThroughViewsAndJoins) {
  Catalog catalog = TestCatalog();
  auto statements = CompileScript(
      "CREATE TEMP VIEW big AS SELECT id, region FROM customers WHERE age > 30;"
      "SELECT b.region, count(DISTINCT i.id) FROM big b JOIN impressions i ON b.id = i.id "
      "GROUP BY b.region",
      catalog);
  ASSERT_TRUE(statements.ok()) << statements.status().ToString();
  const LogicalPlan& plan = *statements->back().plan;
  const PlanNode* join = nullptr;
  const PlanNode* view_get = nullptr;
  VisitPlan(*plan.root, [&](const PlanNode& node) {
    if (node.kind == PlanKind::kJoin) join = &node;
    if (node.kind == PlanKind::kGet && node.is_view) view_get = &node;
  });
  ASSERT_NE(join, nullptr);
  ASSERT_EQ(join->equi_keys.size(), 1u);
  EXPECT_EQ(join->equi_keys[0].second->table, "impressions");
  EXPECT_EQ(join->equi_keys[0].second->column, "id");
  ASSERT_NE(view_get, nullptr);
  ASSERT_NE(view_get->view_plan, nullptr);  // the checker can follow the view's lineage
  bool reads_customers = false;
  VisitPlan(*view_get->view_plan->root, [&](const PlanNode& node) {
    reads_customers =
        reads_customers || (node.kind == PlanKind::kGet && node.table_name == "customers");
  });
  EXPECT_TRUE(reads_customers);
}

TEST(BinderTest, GroupByRules) {
  EXPECT_FALSE(CompileOne("SELECT region, age FROM customers GROUP BY region").ok());
  EXPECT_TRUE(CompileOne("SELECT region, count(*) FROM customers GROUP BY 1").ok());
  EXPECT_FALSE(CompileOne("SELECT region FROM customers GROUP BY 3").ok());
  EXPECT_FALSE(CompileOne("SELECT sum(count(*)) FROM customers").ok());
  EXPECT_FALSE(CompileOne("SELECT age FROM customers WHERE sum(age) > 1").ok());
}

TEST(BinderTest, ReferencedTablesListsBaseTablesOnly) {
  Catalog catalog = TestCatalog();
  auto tables = ReferencedTables(
      "CREATE TEMP VIEW v AS SELECT id FROM Customers; WITH c AS (SELECT * FROM v) "
      "SELECT * FROM c WHERE id IN (SELECT id FROM impressions)",
      catalog);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(*tables, (std::vector<std::string>{"customers", "impressions"}));
  EXPECT_EQ(catalog.FindTable("v"), nullptr);  // the caller's catalog is untouched
  auto missing = ReferencedTables("SELECT * FROM nowhere", catalog);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cleanroom::sql

namespace cleanroom::sql {
namespace {

TEST(PlanTest, SubqueriesExposeTheirCorrelation) {
  Catalog catalog = TestCatalog();
  auto statements = CompileScript(
      "SELECT region, (SELECT count(*) FROM impressions i WHERE i.id = c.id) FROM customers c "
      "WHERE EXISTS (SELECT 1 FROM impressions WHERE cost > 1)",
      catalog);
  ASSERT_TRUE(statements.ok()) << statements.status().ToString();
  std::vector<const Expression*> subqueries;
  std::function<void(const PlanNode&)> visit = [&](const PlanNode& node) {
    VisitNodeExpressions(node, [&](const Expression& root) {
      VisitExpression(root, [&](const Expression& e) {
        if (e.kind == ExprKind::kSubquery) subqueries.push_back(&e);
      });
    });
  };
  VisitPlan(*statements->back().plan->root, visit);
  ASSERT_EQ(subqueries.size(), 2u);
  size_t correlated = 0;
  for (const Expression* s : subqueries) {
    auto outer = OuterReferences(*s->subquery);
    if (s->subquery_kind == SubqueryKind::kScalar) {
      ASSERT_EQ(outer.size(), 1u);
      EXPECT_EQ(outer[0]->table, "customers");
      EXPECT_EQ(outer[0]->column, "id");
      ++correlated;
    } else {
      EXPECT_TRUE(outer.empty());
    }
  }
  EXPECT_EQ(correlated, 1u);
  std::string text = statements->back().ExplainText();
  EXPECT_NE(text.find("Get #"), std::string::npos) << text;
  EXPECT_NE(text.find("subquery#"), std::string::npos) << text;
  EXPECT_NE(text.find("== DuckDB SQL =="), std::string::npos) << text;
}

}  // namespace
}  // namespace cleanroom::sql
