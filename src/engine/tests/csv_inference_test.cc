// A CSV input without a declared schema: a malformed number in a column of numbers is an error
// naming the column and the row (or line), never the value, and leaves no table behind, wherever
// the value is (inside DuckDB's sniffing sample, or past it) and whatever it looks like.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "engine/engine.h"
#include "engine/result_writer.h"
#include "engine/tests/test_files.h"

namespace cleanroom::engine {
namespace {

using testing::TempDir;

// The malformed spellings a number column meets; each carries "Zq" so that a test can tell
// whether the value leaked into the message.
const char* const kMalformed[] = {"12Zq", "Zq", "1.2.Zq", "$Zq5", "Zq-1", "N/A Zq", "1e5Zq"};

struct Generated {
  std::string text;
  int64_t bad_row;  // data rows counted from 1
};

// `rows` data rows of id (integers), amount (integers or decimals) and name (text), with one
// malformed amount at a random row below `within`.
Generated Generate(std::mt19937& random, int rows, int within, bool decimals) {
  Generated out{"id,amount,name\n", std::uniform_int_distribution<int>(1, within)(random)};
  const char* bad =
      kMalformed[std::uniform_int_distribution<size_t>(0, std::size(kMalformed) - 1)(random)];
  for (int row = 1; row <= rows; ++row) {
    out.text += std::to_string(row) + ",";
    if (row == out.bad_row) {
      out.text += bad;
    } else {
      out.text += decimals ? std::to_string(row) + "." + std::to_string(row % 100)
                           : std::to_string(row * 7);
    }
    out.text += ",person" + std::to_string(row % 13) + "\n";
  }
  return out;
}

Status Load(Engine& engine, const std::string& path) {
  return engine.LoadTable(TableSource{"t", path, Format::kCsv, std::nullopt, {}, ""});
}

void ExpectRefused(Engine& engine, const Status& status, const std::string& where) {
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("column amount"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find(where), std::string::npos) << where << ": " << status.ToString();
  EXPECT_EQ(status.message().find("Zq"), std::string::npos) << status.ToString();
  EXPECT_EQ(engine.catalog().FindTable("t"), nullptr);
}

TEST(CsvInference, MalformedNumberInsideTheSampleNamesColumnAndRow) {
  std::mt19937 random(19);
  TempDir dir;
  for (int i = 0; i < 12; ++i) {
    Generated g = Generate(random, 300, 300, i % 2 == 1);
    auto engine = Engine::Open();
    ASSERT_TRUE(engine.ok());
    Status status = Load(**engine, dir.Write("in" + std::to_string(i) + ".csv", g.text));
    ExpectRefused(**engine, status, "row " + std::to_string(g.bad_row) + " is not a number");
    // The same file with the column declared as text loads, every row of it.
    TableSource declared{
        "t",          dir.Path("in" + std::to_string(i) + ".csv"),
        Format::kCsv, std::vector<sql::Column>{{"amount", sql::DataType::Of(sql::TypeId::kString)}},
        {},           ""};
    ASSERT_TRUE((*engine)->LoadTable(declared).ok());
  }
}

TEST(CsvInference, MalformedNumberPastTheSampleNamesColumnAndLine) {
  std::mt19937 random(7);
  TempDir dir;
  for (int i = 0; i < 3; ++i) {
    // DuckDB's sniffer samples 20,480 rows: the malformed value comes after them.
    Generated g = Generate(random, 40000, 15000, i == 1);
    std::string text = "id,amount,name\n";
    int64_t bad_row = 25000 + g.bad_row;
    for (int64_t row = 1; row <= 40000; ++row) {
      text += std::to_string(row) + "," +
              (row == bad_row ? kMalformed[i] : std::to_string(row) + (i == 1 ? ".5" : "")) +
              ",p\n";
    }
    auto engine = Engine::Open();
    ASSERT_TRUE(engine.ok());
    Status status = Load(**engine, dir.Write("late" + std::to_string(i) + ".csv", text));
    // The header is line 1.
    ExpectRefused(**engine, status, "line " + std::to_string(bad_row + 1) + " does not convert");
  }
}

TEST(CsvInference, TextAndNumberColumnsStillLoad) {
  TempDir dir;
  // Mostly text with a few numbers (codes), half and half, and numbers with NULLs: all load.
  std::string text = "code,half,n\n";
  for (int row = 0; row < 100; ++row) {
    text += (row % 10 == 0 ? std::to_string(row) : "C" + std::to_string(row)) + ",";
    text += (row % 2 == 0 ? std::to_string(row) : "x" + std::to_string(row)) + ",";
    text += (row % 3 == 0 ? "" : std::to_string(row)) + "\n";
  }
  auto engine = Engine::Open();
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE(Load(**engine, dir.Write("ok.csv", text)).ok());
  const sql::TableDef* table = (*engine)->catalog().FindTable("t");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->columns[0].type, sql::DataType::Of(sql::TypeId::kString));
  EXPECT_EQ(table->columns[1].type, sql::DataType::Of(sql::TypeId::kString));
  EXPECT_EQ(table->columns[2].type, sql::DataType::Of(sql::TypeId::kBigInt));
  ASSERT_TRUE((*engine)->Lock().ok());
  auto result = (*engine)->Query("SELECT count(*), count(n) FROM t");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::string out;
  ASSERT_TRUE(WriteResult(**result, OutputFormat::kCsv, [&out](std::string_view s) {
                out += s;
                return Status::OK();
              }).ok());
  EXPECT_EQ(out, "count_star(),count(n)\n100,66\n");
}

TEST(CsvInference, MalformedNumberInMemoryInputIsRefusedToo) {
  std::mt19937 random(3);
  Generated g = Generate(random, 200, 200, false);
  auto engine = Engine::Open();
  ASSERT_TRUE(engine.ok());
  TableSource source{"t", "", Format::kCsv, std::nullopt, {}, ""};
  Status status = (*engine)->LoadTableFromMemory(source, AsBytes(g.text));
  ExpectRefused(**engine, status, "row " + std::to_string(g.bad_row) + " is not a number");
}

}  // namespace
}  // namespace cleanroom::engine
