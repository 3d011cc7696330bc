#include "workload/generator.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "base/file.h"
#include "workload/schema.h"

namespace cleanroom::workload {
namespace {

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "workload_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static WorkloadOptions Small(uint64_t seed) {
    WorkloadOptions options;
    options.customers = 2000;
    options.seed = seed;
    return options;
  }
  std::string Read(const std::string& dir, const std::string& file) {
    Result<std::string> text = ReadFileToString(dir + "/" + file);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : std::string();
  }
  static std::vector<std::vector<std::string>> Rows(const std::string& csv) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::vector<std::string> fields;
      std::istringstream cells(line);
      std::string cell;
      while (std::getline(cells, cell, ',')) fields.push_back(cell);
      rows.push_back(std::move(fields));
    }
    return rows;
  }

  std::string root_;
};

TEST_F(GeneratorTest, SameSeedGivesSameBytesWhateverTheThreadCount) {
  WorkloadOptions one = Small(11);
  one.threads = 1;
  WorkloadOptions four = Small(11);
  four.threads = 4;
  ASSERT_TRUE(GenerateWorkload(one, root_ + "/a").ok());
  ASSERT_TRUE(GenerateWorkload(four, root_ + "/b").ok());
  for (const char* file :
       {"customers.csv", "impressions.csv", "conversions.csv", "workload.json"}) {
    std::string a = Read(root_ + "/a", file);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, Read(root_ + "/b", file)) << file;
  }
}

TEST_F(GeneratorTest, DifferentSeedGivesDifferentData) {
  ASSERT_TRUE(GenerateWorkload(Small(1), root_ + "/a").ok());
  ASSERT_TRUE(GenerateWorkload(Small(2), root_ + "/b").ok());
  for (const char* file : {"customers.csv", "impressions.csv", "conversions.csv"}) {
    EXPECT_NE(Read(root_ + "/a", file), Read(root_ + "/b", file)) << file;
  }
}

TEST_F(GeneratorTest, RowCountsHeadersAndOverlapAreWithinBounds) {
  Result<WorkloadSummary> summary = GenerateWorkload(Small(5), root_);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  const auto& tables = WorkloadTables();
  auto customers_csv = Read(root_, "customers.csv");
  auto impressions_csv = Read(root_, "impressions.csv");
  auto conversions_csv = Read(root_, "conversions.csv");
  EXPECT_EQ(customers_csv.substr(0, customers_csv.find('\n')), CsvHeader(tables[0]));
  EXPECT_EQ(impressions_csv.substr(0, impressions_csv.find('\n')), CsvHeader(tables[1]));
  EXPECT_EQ(conversions_csv.substr(0, conversions_csv.find('\n')), CsvHeader(tables[2]));

  auto customers = Rows(customers_csv);
  auto impressions = Rows(impressions_csv);
  auto conversions = Rows(conversions_csv);
  ASSERT_EQ(customers.size(), 2000u);
  ASSERT_EQ(impressions.size(), 20000u);
  EXPECT_EQ(summary->conversions, conversions.size());
  // 2% converting impressions plus 0.4% organic: about 480 of 20000.
  EXPECT_GT(conversions.size(), 350u);
  EXPECT_LT(conversions.size(), 620u);

  std::set<std::string> customer_emails;
  for (const auto& row : customers) {
    ASSERT_EQ(row.size(), tables[0].columns.size());
    customer_emails.insert(row[1]);
  }
  EXPECT_EQ(customer_emails.size(), 2000u);
  std::set<std::string> overlap;
  size_t to_customers = 0;
  for (const auto& row : impressions) {
    ASSERT_EQ(row.size(), tables[1].columns.size());
    if (customer_emails.count(row[1])) {
      ++to_customers;
      overlap.insert(row[1]);
    }
  }
  EXPECT_EQ(to_customers, summary->impressions_to_customers);
  double customer_share = static_cast<double>(to_customers) / 20000.0;
  EXPECT_GT(customer_share, 0.72);
  EXPECT_LT(customer_share, 0.78);
  // About 70% of the customers are reachable, nearly all of them reached at ten impressions
  // per customer.
  double overlap_share = static_cast<double>(overlap.size()) / 2000.0;
  EXPECT_GT(overlap_share, 0.6);
  EXPECT_LT(overlap_share, 0.76);
  EXPECT_LE(overlap.size(), summary->reachable_customers);
}

TEST_F(GeneratorTest, WritesADeclaredSchemaPerTable) {
  Result<WorkloadSummary> summary = GenerateWorkload(Small(4), root_);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->files.size(), 7u);  // three tables, three schemas, the manifest
  std::string schema = Read(root_, "impressions.schema.json");
  EXPECT_EQ(schema.rfind("{\"columns\": [{\"name\": \"impression_id\", \"type\": \"bigint\"}", 0),
            0u)
      << schema;
  EXPECT_NE(schema.find("\"cost\", \"type\": \"decimal(10,4)\""), std::string::npos);
}

TEST_F(GeneratorTest, HashedEmailsAre64LowerCaseHexCharacters) {
  ASSERT_TRUE(GenerateWorkload(Small(3), root_).ok());
  auto check = [](const std::string& value) {
    ASSERT_EQ(value.size(), 64u);
    for (char c : value) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  };
  for (const auto& row : Rows(Read(root_, "customers.csv"))) check(row[1]);
  for (const auto& row : Rows(Read(root_, "impressions.csv"))) check(row[1]);
  for (const auto& row : Rows(Read(root_, "conversions.csv"))) check(row[0]);
}

TEST_F(GeneratorTest, BadOptionsAreRefusedNamingTheField) {
  WorkloadOptions options = Small(1);
  options.customers = 0;
  Result<WorkloadSummary> result = GenerateWorkload(options, root_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("customers"), std::string::npos);

  options = Small(1);
  options.overlap_share = 1.5;
  result = GenerateWorkload(options, root_);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("overlap_share"), std::string::npos);
}

TEST_F(GeneratorTest, OutputPathThatIsAFileIsAnError) {
  ASSERT_TRUE(WriteFileAtomic(root_ + "/plain", "x").ok());
  Result<WorkloadSummary> result = GenerateWorkload(Small(1), root_ + "/plain");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cleanroom::workload
