#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine/result_writer.h"
#include "engine/tests/test_files.h"

namespace cleanroom::engine {
namespace {

using testing::TempDir;

std::unique_ptr<Engine> OpenEngine() {
  auto engine = Engine::Open();
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return std::move(engine).value();
}

// The whole result as CSV text.
std::string Csv(Engine& engine, const std::string& sql, bool raw = false) {
  auto result = raw ? engine.QueryRaw(sql) : engine.Query(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return "";
  std::string out;
  Status status = WriteResult(**result, OutputFormat::kCsv, [&out](std::string_view text) {
    out += text;
    return Status::OK();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

TEST(EngineTest, LoadsCsvAndRegistersTypedColumns) {
  TempDir dir;
  std::string path = dir.Write("people.csv", "id,name,score\n1,ann,2.5\n2,bob,\n");
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->LoadTable({"people", path}).ok());
  const sql::TableDef* table = engine->catalog().FindTable("PEOPLE");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->columns.size(), 3u);
  EXPECT_EQ(table->columns[0].name, "id");
  EXPECT_EQ(table->columns[0].type, sql::DataType::Of(sql::TypeId::kBigInt));
  EXPECT_EQ(table->columns[1].type, sql::DataType::Of(sql::TypeId::kString));
  EXPECT_EQ(table->columns[2].type, sql::DataType::Of(sql::TypeId::kDouble));
  ASSERT_TRUE(engine->Lock().ok());
  EXPECT_EQ(Csv(*engine, "SELECT * FROM people ORDER BY id"), "id,name,score\n1,ann,2.5\n2,bob,\n");
}

TEST(EngineTest, QueryRefusesToRunBeforeLock) {
  auto engine = OpenEngine();
  auto result = engine->Query("SELECT 1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
}

TEST(EngineTest, LockedEngineCannotTouchFilesOrSettings) {
  TempDir dir;
  std::string path = dir.Write("secret.csv", "a\n1\n");
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->Lock().ok());
  for (const std::string& sql :
       {"SELECT * FROM read_csv('" + path + "')", "SELECT * FROM '" + path + "'",
        std::string("SELECT * FROM read_text('/etc/passwd')"),
        std::string("SELECT * FROM glob('/etc/*')")}) {
    auto result = engine->Query(sql);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied) << result.status().ToString();
  }
  EXPECT_FALSE(engine->Execute("COPY (SELECT 1) TO '" + dir.Path("out.csv") + "'").ok());
  EXPECT_FALSE(engine->Execute("SET enable_external_access=true").ok());
  EXPECT_FALSE(engine->Execute("SET lock_configuration=false").ok());
  EXPECT_FALSE(engine->Execute("ATTACH '" + dir.Path("x.db") + "'").ok());
  EXPECT_FALSE(engine->Execute("LOAD httpfs").ok());
  EXPECT_FALSE(engine->LoadTable({"t", path}).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Path("out.csv")));
}

TEST(EngineTest, DeclaredSchemaIsEnforcedWithColumnAndRow) {
  TempDir dir;
  std::string good = dir.Write("good.csv", "id,age,extra\n1,30,x\n2,,y\n");
  std::string bad = dir.Write("bad.csv", "id,age\n1,30\n2,thirty-one\n3,1.5\n");
  std::string fractional = dir.Write("fractional.csv", "id,age\n1,30\n2,1.5\n");
  std::vector<sql::Column> schema = {{"id", sql::DataType::Of(sql::TypeId::kBigInt)},
                                     {"age", sql::DataType::Of(sql::TypeId::kInt)}};
  auto engine = OpenEngine();
  TableSource source{"good", good, Format::kAuto, schema, {}};
  ASSERT_TRUE(engine->LoadTable(source).ok());
  const sql::TableDef* table = engine->catalog().FindTable("good");
  ASSERT_EQ(table->columns.size(), 2u);  // undeclared input columns are not loaded
  EXPECT_EQ(table->columns[1].type, sql::DataType::Of(sql::TypeId::kInt));

  Status status = engine->LoadTable({"bad", bad, Format::kAuto, schema, {}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("column age"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("row 2"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("thirty"), std::string::npos) << status.message();
  EXPECT_EQ(engine->catalog().FindTable("bad"), nullptr);

  status = engine->LoadTable({"fractional", fractional, Format::kAuto, schema, {}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("row 2"), std::string::npos) << status.message();

  std::vector<sql::Column> wider = schema;
  wider.push_back({"email", sql::DataType::Of(sql::TypeId::kString)});
  status = engine->LoadTable({"missing", good, Format::kAuto, wider, {}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("column email"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("missing"), std::string::npos) << status.message();
}

TEST(EngineTest, CsvWithoutHeaderTakesDeclaredNamesByPosition) {
  TempDir dir;
  std::string path = dir.Write("rows.txt", "1|a\n2|b\n");
  TableSource source{"t",
                     path,
                     Format::kCsv,
                     std::vector<sql::Column>{{"n", sql::DataType::Of(sql::TypeId::kInt)},
                                              {"s", sql::DataType::Of(sql::TypeId::kString)}},
                     {}};
  source.csv.header = false;
  source.csv.delimiter = '|';
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->LoadTable(source).ok());
  ASSERT_TRUE(engine->Lock().ok());
  EXPECT_EQ(Csv(*engine, "SELECT n, s FROM t ORDER BY n"), "n,s\n1,a\n2,b\n");
}

TEST(EngineTest, LoadsFromMemoryWithoutAFile) {
  std::string csv = "k,v\na,1\nb,2\n";
  TableSource source{"mem", "", Format::kCsv, std::nullopt, {}};
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->LoadTableFromMemory(source, AsBytes(csv)).ok());
  std::string ndjson = "{\"x\": 1}\n{\"x\": 2}\n";
  ASSERT_TRUE(
      engine->LoadTableFromMemory({"j", "", Format::kNdjson, std::nullopt, {}}, AsBytes(ndjson))
          .ok());
  Status bad = engine->LoadTableFromMemory({"bad", "", Format::kNdjson, std::nullopt, {}},
                                           AsBytes(std::string("{\"x\": 1}\n{\"x\": 2,}\n")));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("line 2"), std::string::npos) << bad.message();
  ASSERT_TRUE(engine->Lock().ok());
  EXPECT_EQ(Csv(*engine, "SELECT sum(v) AS s FROM mem"), "s\n3\n");
  EXPECT_EQ(Csv(*engine, "SELECT sum(x) AS s FROM j"), "s\n3\n");
}

TEST(EngineTest, DirectoryAndGlobAreOneTable) {
  TempDir dir;
  std::filesystem::create_directory(dir.Path("parts"));
  dir.Write("parts/a.csv", "x\n1\n");
  dir.Write("parts/b.csv", "x\n2\n");
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->LoadTable({"d", dir.Path("parts")}).ok());
  ASSERT_TRUE(engine->LoadTable({"g", dir.Path("parts/*.csv")}).ok());
  ASSERT_TRUE(engine->Lock().ok());
  EXPECT_EQ(Csv(*engine, "SELECT count(*) AS n, sum(x) AS s FROM d"), "n,s\n2,3\n");
  EXPECT_EQ(Csv(*engine, "SELECT count(*) AS n FROM g"), "n\n2\n");
}

TEST(EngineTest, UnknownInputsAreClearErrors) {
  auto engine = OpenEngine();
  Status missing = engine->LoadTable({"t", "/nonexistent/file.csv"});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  TempDir dir;
  std::string path = dir.Write("data.bin", "x");
  Status unknown = engine->LoadTable({"t", path});
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument) << unknown.ToString();
  std::string csv = dir.Write("a.csv", "x\n1\n");
  ASSERT_TRUE(engine->LoadTable({"t", csv}).ok());
  EXPECT_EQ(engine->LoadTable({"T", csv}).code(), StatusCode::kAlreadyExists);
}

TEST(EngineTest, ExecutionErrorsCarryNoValues) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->Execute("CREATE TABLE t AS SELECT 'alice' AS name, 2147483647 AS n").ok());
  ASSERT_TRUE(engine->Lock().ok());
  auto result = engine->Query("SELECT CAST(name AS INTEGER) FROM t");
  Status status = result.ok() ? result.value()->Next().status() : result.status();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("alice"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("Conversion Error"), std::string::npos) << status.message();
  result = engine->Query("SELECT n * 2 FROM t");
  status = result.ok() ? result.value()->Next().status() : result.status();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("2147483647"), std::string::npos) << status.message();
  // A regular expression read from a cell: DuckDB's message quotes the pattern; ours does not.
  ASSERT_TRUE(engine->Execute("CREATE TEMP TABLE p AS SELECT '([alice-secret' AS pattern").ok());
  result = engine->Query("SELECT regexp_matches('x', pattern) FROM p");
  status = result.ok() ? result.value()->Next().status() : result.status();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("alice"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("Invalid Input Error"), std::string::npos) << status.message();
}

TEST(EngineTest, RefreshCatalogSeesTablesAndViews) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine
                  ->Execute("CREATE TABLE t1(a INTEGER, b VARCHAR, c DECIMAL(10,2)); "
                            "CREATE VIEW v1 AS SELECT a FROM t1")
                  .ok());
  ASSERT_TRUE(engine->RefreshCatalog().ok());
  const sql::TableDef* t1 = engine->catalog().FindTable("t1");
  ASSERT_NE(t1, nullptr);
  EXPECT_EQ(t1->columns[2].type, sql::DataType::Decimal(10, 2));
  EXPECT_NE(engine->catalog().FindTable("v1"), nullptr);
}

TEST(EngineTest, RunCompiledCreatesViewsThenStreamsTheQuery) {
  auto engine = OpenEngine();
  ASSERT_TRUE(engine->Lock().ok());
  sql::CompiledStatement view;
  view.kind = sql::CompiledStatement::Kind::kCreateView;
  view.view_name = "step1";
  view.duckdb_sql = "SELECT 41 AS x";
  sql::CompiledStatement query;
  query.duckdb_sql = "SELECT x + 1 AS y FROM step1";
  auto result = engine->RunCompiled({view, query});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_NE(*result, nullptr);
  ASSERT_TRUE(*(*result)->Next());
  std::string cell;
  (*result)->chunk().AppendCell(0, 0, CellStyle::kText, cell);
  EXPECT_EQ(cell, "42");
}

}  // namespace
}  // namespace cleanroom::engine
