// A CSV record that does not parse is reported by its line number, never by a value, and not
// as a position in the statement the engine ran.
#include "engine/csv_rows.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/engine.h"
#include "engine/tests/test_files.h"

namespace cleanroom::engine {
namespace {

using testing::TempDir;

Status Load(const std::string& path, const CsvOptions& csv = {}) {
  auto engine = Engine::Open();
  if (!engine.ok()) return engine.status();
  TableSource source{"t", path, Format::kCsv, std::nullopt, csv, ""};
  return (*engine)->LoadTable(source);
}

TEST(CsvRows, MalformedRecordIsNamedByItsLine) {
  TempDir dir;
  struct Case {
    const char* name;
    std::string contents;
    const char* line;
  } cases[] = {
      {"extra.csv", "a,b\n1,x\n2,y\n3,secret,extra\n4,w\n", "line 4: the record has 3 fields"},
      {"short.csv", "a,b\r\n1,x\r\n2\r\n", "line 3: the record has 1 field where"},
      {"open.csv", "a,b\n1,x\n2,\"secret\n3,z\n", "line 3: a quoted field is not closed"},
      {"after.csv", "a,b\n1,\"x\"\n\"multi\nline\",y\n2,\"secret\"tail\n",
       "line 5: text follows a closing quote"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir.Write(c.name, c.contents);
    EXPECT_EQ(FindMalformedCsvRecord(path, {}).message().substr(0, 7), std::string(c.line, 7));
    Status status = Load(path);
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_NE(status.message().find(c.line), std::string::npos) << status.ToString();
    EXPECT_EQ(status.message().find("secret"), std::string::npos) << status.ToString();
    EXPECT_EQ(status.message().find("column"), std::string::npos) << status.ToString();
  }
}

// A value that does not convert to the type DuckDB detected (past the sniffer's sample): the
// error names the column, the line and the inferred type, never the value.
TEST(CsvRows, ConversionErrorNamesColumnAndLineNoValue) {
  TempDir dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 30000; ++i) text += std::to_string(i) + ",v\n";
  text += "secret,q\n";
  Status status = Load(dir.Write("late.csv", text));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("column a: the value on line 30002 does not convert to bigint"),
            std::string::npos)
      << status.ToString();
  EXPECT_EQ(status.message().find("secret"), std::string::npos) << status.ToString();
}

// The scanner itself: valid files (quoted delimiters, doubled quotes, line breaks in quotes, a
// backslash escape, no final line end, empty lines) pass; options are honoured.
TEST(CsvRows, ValidFilesPass) {
  TempDir dir;
  EXPECT_TRUE(
      FindMalformedCsvRecord(
          dir.Write("ok.csv", "a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\"two\nlines\",3\n\n4,"), {})
          .ok());
  CsvOptions pipes;
  pipes.delimiter = '|';
  pipes.escape = '\\';
  EXPECT_TRUE(FindMalformedCsvRecord(dir.Write("p.csv", "a|b\n\"x\\\"y\"|1\n"), pipes).ok());
  EXPECT_EQ(FindMalformedCsvRecord(dir.Write("p2.csv", "a|b\n1|2|3\n"), pipes).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FindMalformedCsvRecord(dir.Path("missing.csv"), {}).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cleanroom::engine
