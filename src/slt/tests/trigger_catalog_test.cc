#include "slt/trigger_catalog.h"

#include <gtest/gtest.h>

namespace cleanroom::slt {
namespace {

bool OnlyT1(const std::string& table) { return table == "t1"; }

TEST(TriggerCatalogTest, RecognisesStatements) {
  EXPECT_TRUE(TriggerCatalog::IsCreateTrigger("CREATE TRIGGER r UPDATE ON t1 BEGIN SELECT 1; END"));
  EXPECT_TRUE(TriggerCatalog::IsCreateTrigger("  create temp trigger r ..."));
  EXPECT_FALSE(TriggerCatalog::IsCreateTrigger("CREATE TABLE trigger_log(a INT)"));
  EXPECT_TRUE(TriggerCatalog::IsDropTrigger("DROP TRIGGER r"));
  EXPECT_FALSE(TriggerCatalog::IsDropTrigger("DROP TABLE r"));
  EXPECT_TRUE(TriggerCatalog::IsDropTable("drop table if exists t1"));
}

TEST(TriggerCatalogTest, NamesFollowSqliteRules) {
  TriggerCatalog triggers;
  EXPECT_TRUE(
      triggers.Create("CREATE TRIGGER t1r1 UPDATE ON t1 BEGIN SELECT 1; END;", OnlyT1).ok());
  Status duplicate =
      triggers.Create("CREATE TRIGGER T1R1 DELETE ON t1 BEGIN SELECT 1; END", OnlyT1);
  EXPECT_EQ(duplicate.code(), StatusCode::kAlreadyExists) << duplicate.ToString();
  EXPECT_TRUE(
      triggers.Create("CREATE TRIGGER IF NOT EXISTS t1r1 INSERT ON t1 BEGIN SELECT 1; END", OnlyT1)
          .ok());
  EXPECT_EQ(
      triggers.Create("CREATE TRIGGER r2 INSERT ON nowhere BEGIN SELECT 1; END", OnlyT1).code(),
      StatusCode::kNotFound);
  EXPECT_TRUE(
      triggers
          .Create("CREATE TEMP TRIGGER main.\"r 3\" BEFORE UPDATE OF x, y ON t1 FOR EACH ROW "
                  "WHEN new.x > 1 BEGIN SELECT CASE WHEN 1 THEN 2 END; SELECT 'END'; END",
                  OnlyT1)
          .ok());
  EXPECT_EQ(triggers.size(), 2u);
  EXPECT_TRUE(triggers.Drop("DROP TRIGGER t1r1").ok());
  EXPECT_EQ(triggers.Drop("DROP TRIGGER t1r1").code(), StatusCode::kNotFound);
  EXPECT_TRUE(triggers.Drop("DROP TRIGGER IF EXISTS t1r1").ok());
  triggers.DropTableTriggers("DROP TABLE t1");
  EXPECT_EQ(triggers.size(), 0u);
  EXPECT_EQ(triggers.Drop("DROP TRIGGER [r 3]").code(), StatusCode::kNotFound);
}

TEST(TriggerCatalogTest, BodiesWithEffectsAreRefused) {
  TriggerCatalog triggers;
  EXPECT_EQ(
      triggers
          .Create("CREATE TRIGGER r AFTER INSERT ON t1 BEGIN INSERT INTO t1 VALUES(1); END", OnlyT1)
          .code(),
      StatusCode::kUnimplemented);
  EXPECT_EQ(
      triggers
          .Create("CREATE TRIGGER r AFTER INSERT ON t1 BEGIN SELECT 1; DELETE FROM t1; END", OnlyT1)
          .code(),
      StatusCode::kUnimplemented);
  EXPECT_EQ(triggers
                .Create("CREATE TRIGGER r BEFORE DELETE ON t1 BEGIN SELECT RAISE(ABORT, 'no'); END",
                        OnlyT1)
                .code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(triggers.size(), 0u);
  EXPECT_EQ(triggers.Create("CREATE TRIGGER r UPDATE ON t1 BEGIN END", OnlyT1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(triggers.Create("CREATE TRIGGER r UPDATE ON t1 BEGIN SELECT 1;", OnlyT1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(triggers.Create("CREATE TRIGGER r SELECT ON t1 BEGIN SELECT 1; END", OnlyT1).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cleanroom::slt
