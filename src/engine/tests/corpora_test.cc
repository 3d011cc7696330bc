// The shared JSON and CSV corpora read or fail as their manifests say (../shared/testdata/json,
// ../shared/testdata/csv). Each folder's MANIFEST.md states the expectations used here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "engine/engine.h"

namespace cleanroom::engine {
namespace {

std::filesystem::path TestData() {
  const char* from_env = std::getenv("CLEANROOM_TESTDATA");
  return from_env != nullptr ? from_env : CLEANROOM_TESTDATA_DIR;
}

std::vector<std::filesystem::path> FilesIn(const std::filesystem::path& dir,
                                           std::string_view extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// JSONTestSuite: y_ must load through DuckDB's JSON reader via our loader, n_ must be refused,
// i_ may go either way; none may crash.
TEST(CorporaTest, JsonTestSuiteParsingFiles) {
  std::filesystem::path dir = TestData() / "json" / "test_parsing";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  auto engine = Engine::Open(EngineOptions{1});
  ASSERT_TRUE(engine.ok());
  int y = 0, n = 0, i = 0, table = 0;
  for (const auto& path : FilesIn(dir, ".json")) {
    std::string name = path.filename().string();
    TableSource source;
    source.name = "t" + std::to_string(++table);
    source.path = path.string();
    source.format = Format::kJson;
    Status status = (*engine)->LoadTable(source);
    if (name.starts_with("y_")) {
      ++y;
      EXPECT_TRUE(status.ok()) << name << ": " << status.ToString();
    } else if (name.starts_with("n_")) {
      ++n;
      EXPECT_FALSE(status.ok()) << name << " was accepted";
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << name << ": " << status.ToString();
    } else {
      ++i;
    }
  }
  EXPECT_GT(y, 50);
  EXPECT_GT(n, 100);
  EXPECT_GT(i, 10);
}

// test_transform: parsers may accept them with differing values; ours must not crash, and
// whatever it does must be the same on a second run (documented behaviour, not an accident).
TEST(CorporaTest, JsonTestSuiteTransformFilesAreStable) {
  std::filesystem::path dir = TestData() / "json" / "test_transform";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  auto first = Engine::Open(EngineOptions{1});
  auto second = Engine::Open(EngineOptions{1});
  int table = 0;
  for (const auto& path : FilesIn(dir, ".json")) {
    TableSource source{"t" + std::to_string(++table), path.string(), Format::kJson, {}, {}};
    Status a = (*first)->LoadTable(source);
    Status b = (*second)->LoadTable(source);
    EXPECT_EQ(a.ok(), b.ok()) << path.filename();
  }
}

// csv-spectrum: every csvs/X.csv equals json/X.json (header-keyed objects, all strings).
TEST(CorporaTest, CsvSpectrumMatchesExpectedJson) {
  std::filesystem::path dir = TestData() / "csv" / "csv-spectrum";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  auto engine = Engine::Open(EngineOptions{1});
  ASSERT_TRUE(engine.ok());
  int checked = 0;
  for (const auto& csv : FilesIn(dir / "csvs", ".csv")) {
    std::string stem = csv.stem().string();
    SCOPED_TRACE(stem);
    auto text = ReadFileToString((dir / "json" / (stem + ".json")).string());
    ASSERT_TRUE(text.ok());
    nlohmann::ordered_json expected = nlohmann::ordered_json::parse(*text);
    ASSERT_TRUE(expected.is_array() && !expected.empty());
    // Every value is a string: declare every column a string so "08123" stays "08123".
    std::vector<sql::Column> schema;
    for (const auto& [key, value] : expected[0].items()) {
      schema.push_back(sql::Column{key, sql::DataType::Of(sql::TypeId::kString)});
    }
    TableSource source{stem, csv.string(), Format::kCsv, schema, {}};
    Status loaded = (*engine)->LoadTable(source);
    ASSERT_TRUE(loaded.ok()) << loaded.ToString();
    auto result = (*engine)->QueryRaw("SELECT * FROM \"" + stem + "\"");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    nlohmann::ordered_json got = nlohmann::ordered_json::array();
    while (true) {
      auto more = (*result)->Next();
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      const Chunk& chunk = (*result)->chunk();
      for (idx_t r = 0; r < chunk.size(); ++r) {
        nlohmann::ordered_json row = nlohmann::ordered_json::object();
        for (idx_t c = 0; c < chunk.column_count(); ++c) {
          std::string cell;
          chunk.AppendCell(c, r, CellStyle::kText, cell);
          row[(*result)->columns()[c].name] = cell;
        }
        got.push_back(row);
      }
    }
    EXPECT_EQ(got, expected) << got.dump();
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

}  // namespace
}  // namespace cleanroom::engine
