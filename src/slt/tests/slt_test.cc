#include <gtest/gtest.h>

#include "slt/result_text.h"
#include "slt/script.h"
#include "slt/skip_list.h"

namespace cleanroom::slt {
namespace {

TEST(ScriptTest, ParsesRecordsConditionsAndExpectations) {
  auto records = ParseScript(
      "# name: x\n"
      "hash-threshold 8\n\n"
      "statement ok\nCREATE TABLE t(a INTEGER)\n\n"
      "skipif mysql\nonlyif sqlite\n"
      "query IT rowsort label-1\nSELECT a,\n  'x'\nFROM t\n----\n1\tx\n2\ty\n\n"
      "statement error\nSELECT nope\n----\nnot found\n\n"
      "load ok people data/p.csv schema=s.json\n\n"
      "loop i 0 10\n\n"
      "halt\n");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 7u);
  EXPECT_EQ((*records)[0].kind, Record::Kind::kHashThreshold);
  EXPECT_EQ((*records)[1].sql, "CREATE TABLE t(a INTEGER)");
  const Record& query = (*records)[2];
  EXPECT_EQ(query.kind, Record::Kind::kQuery);
  EXPECT_EQ(query.line, 9);
  ASSERT_EQ(query.conditions.size(), 2u);
  EXPECT_FALSE(query.conditions[0].first);
  EXPECT_EQ(query.conditions[1].second, "sqlite");
  EXPECT_EQ(query.types, "IT");
  EXPECT_EQ(query.sort_mode, "rowsort");
  EXPECT_EQ(query.label, "label-1");
  EXPECT_EQ(query.sql, "SELECT a,\n  'x'\nFROM t");
  EXPECT_EQ(query.expected, (std::vector<std::string>{"1\tx", "2\ty"}));
  EXPECT_TRUE((*records)[3].expect_error);
  EXPECT_EQ((*records)[3].expected, std::vector<std::string>{"not found"});
  EXPECT_EQ((*records)[4].kind, Record::Kind::kLoad);
  EXPECT_EQ((*records)[4].arguments.size(), 3u);
  EXPECT_EQ((*records)[5].kind, Record::Kind::kUnsupported);
  EXPECT_EQ((*records)[6].kind, Record::Kind::kHalt);
}

TEST(ScriptTest, RejectsMalformedHeaders) {
  EXPECT_FALSE(ParseScript("statement maybe-not\nSELECT 1\n").ok());
  EXPECT_FALSE(ParseScript("query\nSELECT 1\n").ok());
}

TEST(SkipListTest, MatchesPathSuffixAndLine) {
  SkipList list = SkipList::Parse(
      "- `test/sql/a.test:12` uses chr()\n- `test/sql/b.test` needs a setting\n`notatest`\n");
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(list.SkipsRecord("/x/test/sql/a.test", 12));
  EXPECT_FALSE(list.SkipsRecord("/x/test/sql/a.test", 13));
  EXPECT_FALSE(list.SkipsRecord("/x/other_test/sql/a.test", 12));
  EXPECT_TRUE(list.SkipsFile("/x/test/sql/b.test"));
  EXPECT_TRUE(list.SkipsRecord("/x/test/sql/b.test", 99));
  EXPECT_FALSE(list.SkipsFile("/x/test/sql/a.test"));
}

TEST(ResultTextTest, SqliteFormatting) {
  using sql::DataType;
  using sql::TypeId;
  const auto kSqlite = sql::Dialect::kSqlite;
  EXPECT_EQ(FormatValue(true, "", DataType::Of(TypeId::kInt), 'I', kSqlite), "NULL");
  EXPECT_EQ(FormatValue(false, "-7.9", DataType::Of(TypeId::kDouble), 'I', kSqlite), "-7");
  EXPECT_EQ(FormatValue(false, "12.50", DataType::Decimal(5, 2), 'I', kSqlite), "12");
  EXPECT_EQ(FormatValue(false, "true", DataType::Of(TypeId::kBoolean), 'I', kSqlite), "1");
  EXPECT_EQ(FormatValue(false, "42abc", DataType::Of(TypeId::kString), 'I', kSqlite), "42");
  EXPECT_EQ(FormatValue(false, "abc", DataType::Of(TypeId::kString), 'I', kSqlite), "0");
  EXPECT_EQ(FormatValue(false, "1.5", DataType::Of(TypeId::kDouble), 'R', kSqlite), "1.500");
  EXPECT_EQ(FormatValue(false, "-0.0001", DataType::Of(TypeId::kDouble), 'R', kSqlite), "0.000");
  EXPECT_EQ(FormatValue(false, "3", DataType::Of(TypeId::kInt), 'R', kSqlite), "3.000");
  EXPECT_EQ(FormatValue(false, "", DataType::Of(TypeId::kString), 'T', kSqlite), "(empty)");
  EXPECT_EQ(FormatValue(false, "a\tb\xc3\xa9", DataType::Of(TypeId::kString), 'T', kSqlite),
            "a@b@@");
}

TEST(ResultTextTest, SparkComparisonIsNumericForReals) {
  const auto kSpark = sql::Dialect::kSpark;
  EXPECT_EQ(FormatValue(false, "", sql::DataType::Of(sql::TypeId::kString), 'T', kSpark),
            "(empty)");
  EXPECT_EQ(CompareValues({"12.000000", "1", "x"}, {"12.0", "true", "x"}, "RIT", "nosort", kSpark),
            "");
  EXPECT_NE(CompareValues({"12.5"}, {"13.0"}, "R", "nosort", kSpark), "");
  EXPECT_NE(CompareValues({"1"}, {"2"}, "I", "nosort", kSpark), "");
  EXPECT_NE(CompareValues({"1.000"}, {"1.0"}, "R", "nosort", sql::Dialect::kSqlite), "");
  EXPECT_NE(CompareValues({"1"}, {"1", "2"}, "I", "nosort", kSpark), "");
}

TEST(ResultTextTest, SortsAndHashesAsSqllogictest) {
  std::vector<std::string> rows = {"2", "b", "10", "a", "2", "a"};
  SortValues(rows, 2, "rowsort");
  EXPECT_EQ(rows, (std::vector<std::string>{"10", "a", "2", "a", "2", "b"}));
  std::vector<std::string> values = {"b", "a", "c"};
  SortValues(values, 1, "valuesort");
  EXPECT_EQ(values, (std::vector<std::string>{"a", "b", "c"}));
  // md5("1\n2\n")
  EXPECT_EQ(HashValues({"1", "2"}), "6ddb4095eb719e2a9f0a3f95677d24e0");
  Expected hashed = ParseExpected({"30 values hashing to 3c13dee48d9356ae19af2515e05e6b54"});
  EXPECT_TRUE(hashed.hashed);
  EXPECT_EQ(hashed.count, 30u);
  Expected rows_split = ParseExpected({"1\tx", "2\t(empty)"});
  EXPECT_EQ(rows_split.values, (std::vector<std::string>{"1", "x", "2", "(empty)"}));
}

}  // namespace
}  // namespace cleanroom::slt
