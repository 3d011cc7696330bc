#include "engine/result_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "engine/tests/test_files.h"

namespace cleanroom::engine {
namespace {

using testing::TempDir;

std::unique_ptr<Engine> LockedEngine() {
  auto engine = Engine::Open();
  EXPECT_TRUE(engine.ok());
  EXPECT_TRUE((*engine)->Lock().ok());
  return std::move(engine).value();
}

std::string Render(Engine& engine, const std::string& sql, OutputFormat format) {
  auto result = engine.Query(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  std::string out;
  Status status = WriteResult(**result, format, [&out](std::string_view text) {
    out += text;
    return Status::OK();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

constexpr char kMixed[] =
    "SELECT * FROM (VALUES (1, 'plain', 1.5::DOUBLE, DATE '2024-02-29', true, 12.30::DECIMAL(6,2)),"
    " (2, 'a,\"b\"\nc', NULL, NULL, false, -0.05::DECIMAL(6,2)),"
    " (3, '', 2.0::DOUBLE, DATE '1999-12-31', NULL, NULL)) AS t(id, s, d, dt, b, m) ORDER BY id";

TEST(ResultWriterTest, CsvQuotesAndDistinguishesNullFromEmpty) {
  auto engine = LockedEngine();
  EXPECT_EQ(Render(*engine, kMixed, OutputFormat::kCsv),
            "id,s,d,dt,b,m\n"
            "1,plain,1.5,2024-02-29,true,12.30\n"
            "2,\"a,\"\"b\"\"\nc\",,,false,-0.05\n"
            "3,\"\",2.0,1999-12-31,,\n");
}

TEST(ResultWriterTest, JsonIsAnArrayOfTypedObjects) {
  auto engine = LockedEngine();
  nlohmann::json parsed = nlohmann::json::parse(Render(*engine, kMixed, OutputFormat::kJson));
  ASSERT_TRUE(parsed.is_array());
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0]["id"], 1);
  EXPECT_EQ(parsed[0]["d"], 1.5);
  EXPECT_EQ(parsed[0]["dt"], "2024-02-29");
  EXPECT_EQ(parsed[0]["b"], true);
  EXPECT_EQ(parsed[1]["s"], "a,\"b\"\nc");
  EXPECT_TRUE(parsed[1]["d"].is_null());
  EXPECT_EQ(parsed[2]["s"], "");
  EXPECT_EQ(Render(*engine, "SELECT 1 AS x WHERE false", OutputFormat::kJson), "[]\n");
}

TEST(ResultWriterTest, NdjsonIsOneObjectPerLine) {
  auto engine = LockedEngine();
  EXPECT_EQ(Render(*engine,
                   "SELECT range AS i, [range, NULL] AS l, {'k': 'v'} AS s "
                   "FROM range(2)",
                   OutputFormat::kNdjson),
            "{\"i\":0,\"l\":[0,null],\"s\":{\"k\":\"v\"}}\n"
            "{\"i\":1,\"l\":[1,null],\"s\":{\"k\":\"v\"}}\n");
}

TEST(ResultWriterTest, TableAlignsColumnsAndCountsRows) {
  auto engine = LockedEngine();
  EXPECT_EQ(Render(*engine, "SELECT * FROM (VALUES (1, 'a'), (100, NULL)) t(n, name)",
                   OutputFormat::kTable),
            " n   | name\n"
            "-----+------\n"
            "   1 | a\n"
            " 100 | NULL\n"
            "(2 rows)\n");
}

TEST(ResultWriterTest, TableStreamsManyRows) {
  auto engine = LockedEngine();
  std::string out = Render(*engine, "SELECT range AS i FROM range(5000)", OutputFormat::kTable);
  EXPECT_NE(out.find("(5000 rows)"), std::string::npos);
}

TEST(ResultWriterTest, ParquetRoundTripsThroughTheLoader) {
  TempDir dir;
  auto engine = LockedEngine();
  auto result = engine->Query(kMixed);
  ASSERT_TRUE(result.ok());
  uint64_t rows = 0;
  std::string path = dir.Path("out.parquet");
  ASSERT_TRUE(WriteResultToFile(**result, OutputFormat::kParquet, path, &rows).ok());
  EXPECT_EQ(rows, 3u);
  auto reader = Engine::Open();
  ASSERT_TRUE((*reader)->LoadTable({"p", path}).ok());
  ASSERT_TRUE((*reader)->Lock().ok());
  auto back = (*reader)->Query("SELECT * FROM p ORDER BY id");
  ASSERT_TRUE(back.ok());
  std::string csv;
  ASSERT_TRUE(WriteResult(**back, OutputFormat::kCsv, [&csv](std::string_view text) {
                csv += text;
                return Status::OK();
              }).ok());
  EXPECT_EQ(csv, Render(*engine, kMixed, OutputFormat::kCsv));
  EXPECT_EQ((*back)->columns()[5].type, sql::DataType::Decimal(6, 2));
}

TEST(ResultWriterTest, FailedOutputLeavesNoFile) {
  TempDir dir;
  // One thread streams lazily, so the error surfaces after the first chunks were written.
  auto engine = Engine::Open(EngineOptions{1});
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Lock().ok());
  for (OutputFormat format : {OutputFormat::kCsv, OutputFormat::kParquet}) {
    auto result = (*engine)->Query(
        "SELECT CAST(CASE WHEN range < 3000000 THEN range::VARCHAR ELSE 'x' || range END "
        "AS INTEGER) AS v FROM range(4000000)");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    std::string path = dir.Path("out");
    Status status = WriteResultToFile(**result, format, path);
    EXPECT_FALSE(status.ok());
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      ADD_FAILURE() << "left behind: " << entry.path() << " after " << status.ToString();
    }
  }
}

TEST(ResultWriterTest, OutputFormatFromName) {
  EXPECT_EQ(*OutputFormatFromPath("a/b.PARQUET"), OutputFormat::kParquet);
  EXPECT_EQ(*OutputFormatFromPath("x.jsonl"), OutputFormat::kNdjson);
  EXPECT_FALSE(OutputFormatFromPath("x.txt").ok());
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

}  // namespace
}  // namespace cleanroom::engine
