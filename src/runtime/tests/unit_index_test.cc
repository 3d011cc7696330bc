// The unit index (docs/privacy.md, "The unit index"): an index that disagrees with the privacy
// unit is refused at publish, before anything is stored; a consistent one is published outside
// the allowed fields, and a checked query over it counts the index instead of the unit, with the
// same groups kept and suppressed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "crypto/identity.h"
#include "engine/engine.h"
#include "engine/result_writer.h"
#include "privacy/policy.h"
#include "runtime/checked_query.h"
#include "runtime/dataset_publish.h"
#include "runtime/run_execution.h"
#include "runtime/storage.h"
#include "runtime/tests/result_rows.h"
#include "runtime/unit_index_check.h"

namespace cleanroom::runtime {
namespace {

namespace fs = std::filesystem;

// 150 people in band a, 40 in b, 10 in c, three rows each; with minGroupUnits 30, c is
// suppressed. `id(person, row)` is the index cell of a person's row ("" for NULL).
using IdOf = std::function<std::string(int person, int row)>;

class UnitIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("runtime_unit_index_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto storage = OpenStorage("file://" + (dir_ / "storage").string());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string WriteCsv(const std::string& name, const IdOf& id) {
    std::string path = (dir_ / (name + ".csv")).string();
    std::ofstream csv(path);
    csv << "hashed_email,person_id,age_band\n";
    int person = 0;
    for (auto [band, count] : {std::pair{"a", 150}, {"b", 40}, {"c", 10}}) {
      for (int i = 0; i < count; ++i, ++person) {
        for (int row = 0; row < 3; ++row) {
          csv << "e" << person << "," << id(person, row) << "," << band << "\n";
        }
      }
    }
    return path;
  }

  static nlohmann::json Policy() {
    return {{"allowedFields", {"hashed_email", "age_band"}},
            {"privacyUnit", "hashed_email"},
            {"unitIndex", "person_id"},
            {"minGroupUnits", 30}};
  }

  Result<PublishedDataset> Publish(const std::string& file) {
    PublishRequest request;
    request.file = file;
    request.name = "customers";
    request.policy = Policy();
    return PublishDataset(request, *storage_);
  }

  bool StorageEmpty() const {
    fs::path datasets = dir_ / "storage" / "datasets";
    return !fs::exists(datasets) || fs::is_empty(datasets);
  }

  fs::path dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(UnitIndexTest, ConsistentIndexIsPublishedOutsideTheAllowedFields) {
  auto published =
      Publish(WriteCsv("customers", [](int person, int) { return std::to_string(7 * person); }));
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  const nlohmann::json& document = published->document;
  EXPECT_EQ(document["policy"]["unitIndex"], "person_id");
  bool in_schema = false;
  for (const auto& column : document["schema"]) in_schema |= column["name"] == "person_id";
  EXPECT_TRUE(in_schema);
  for (const auto& field : document["allowedFields"]) EXPECT_NE(field, "person_id");
}

TEST_F(UnitIndexTest, IndexThatDisagreesWithTheUnitIsRefusedBeforeAnythingIsStored) {
  struct Case {
    const char* what;
    IdOf id;
  } cases[] = {
      // One person split in two: counts would exceed the people (the leak direction).
      {"a person with two ids",
       [](int person, int row) { return std::to_string(person == 3 && row == 2 ? 999 : person); }},
      // Two people merged: counts below the people.
      {"two people with one id",
       [](int person, int) { return std::to_string(person == 5 ? 4 : person); }},
      {"a NULL id",
       [](int person, int row) {
         return person == 8 && row == 1 ? std::string() : std::to_string(person);
       }},
      // Every row its own id: a forged index.
      {"one id per row", [](int person, int row) { return std::to_string(3 * person + row); }},
  };
  for (const Case& c : cases) {
    auto published = Publish(WriteCsv("customers", c.id));
    ASSERT_FALSE(published.ok()) << c.what;
    EXPECT_EQ(published.status().code(), StatusCode::kInvalidArgument) << c.what;
    const std::string message = published.status().message();
    EXPECT_NE(message.find("unitIndex column 'person_id'"), std::string::npos) << message;
    // Counts of kinds only: no person and no id in the message.
    EXPECT_EQ(message.find("e3"), std::string::npos) << message;
    EXPECT_EQ(message.find("999"), std::string::npos) << message;
    EXPECT_TRUE(StorageEmpty()) << c.what;
  }
  // Not an integer column, or not a column at all.
  auto text =
      Publish(WriteCsv("customers", [](int person, int) { return "x" + std::to_string(person); }));
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("is not an integer column"), std::string::npos)
      << text.status().ToString();
  PublishRequest request;
  request.file = WriteCsv("customers", [](int person, int) { return std::to_string(person); });
  request.name = "customers";
  request.policy = Policy();
  request.policy["unitIndex"] = "people_id";
  auto missing = PublishDataset(request, *storage_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("is not a column of"), std::string::npos)
      << missing.status().ToString();
  EXPECT_TRUE(StorageEmpty());
}

// Through the runtime: the published container, its document's policy, a run of a query over
// it. The record keeps bands a and b and counts band c suppressed, as counting the unit does.
TEST_F(UnitIndexTest, ARunOverThePublishedDatasetKeepsTheUnitsGroups) {
  auto published =
      Publish(WriteCsv("customers", [](int person, int) { return std::to_string(person + 5); }));
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  auto alice = crypto::GenerateIdentity("alice");
  ASSERT_TRUE(alice.ok());
  RunSpec spec;
  spec.run_id = "r1";
  spec.query_id = "q1";
  spec.query_hash = std::string(64, 'a');
  spec.steps = {"SELECT age_band, COUNT(*) AS n FROM customers GROUP BY age_band"};
  spec.inputs.push_back({published->document, 1, std::string(64, 'b'), &published->key});
  spec.recipients.push_back({alice->member_id(), alice->public_identity.encryption_public_key});
  spec.evidence_kind = "simulated";
  spec.engine_threads = 1;
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.record.rows_out, 2u);
  uint64_t suppressed = 0;
  for (const auto& note : outcome.record.suppressed) suppressed += note.rows;
  EXPECT_EQ(suppressed, 1u);
}

// The checked program over the dataset as the runtime loads it: a Parquet file, every column of
// its schema in the engine, and only the columns the query reads validated (PrepareCheckedInputs:
// with an index, the index and not the unit). A column left unvalidated fails when it is read, so
// the run shows whether the threshold read hashed_email. The groups kept are the unit's.
TEST_F(UnitIndexTest, ThresholdsCountTheIndexWhereTheQueryDoesNotReadTheUnit) {
  std::string csv = WriteCsv("customers", [](int person, int) { return std::to_string(person); });
  ASSERT_TRUE(CheckUnitIndex(csv, engine::Format::kCsv, "hashed_email", "person_id").ok());
  const std::string parquet = (dir_ / "customers.parquet").string();
  {
    auto writer = OpenEngineOverFile(csv, engine::Format::kCsv, "customers_csv", 1);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Lock().ok());
    auto all = (*writer)->Query("SELECT * FROM customers_csv");
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_TRUE(engine::WriteResultToFile(**all, engine::OutputFormat::kParquet, parquet).ok());
  }
  privacy::PolicyFile policies;
  auto policy = privacy::ParseDatasetPolicy(Policy().dump(), "test");
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  policies.datasets["customers"] = *policy;

  struct Case {
    const char* sql;
    bool counts_index;
    std::vector<std::string> rows;
  } cases[] = {
      {"SELECT age_band, COUNT(*) AS n FROM customers GROUP BY age_band ORDER BY age_band",
       true,
       {"a|450", "b|120"}},
      // Reads the unit itself: its own count is the threshold's (the unit is validated).
      {"SELECT age_band, COUNT(DISTINCT hashed_email) AS people FROM customers GROUP BY age_band "
       "ORDER BY age_band",
       false,
       {"a|150", "b|40"}},
  };
  for (const Case& c : cases) {
    auto engine = OpenEngineOverFile(parquet, engine::Format::kParquet, "customers", 1);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE(PrepareCheckedInputs(**engine, c.sql, policies).ok()) << c.sql;
    ASSERT_TRUE((*engine)->Lock().ok());
    auto program = CompileChecked(**engine, c.sql, policies);
    ASSERT_TRUE(program.ok()) << program.status().ToString();
    bool reads_index = false;
    for (const auto& step : program->steps) {
      reads_index = reads_index || step.sql.find("person_id") != std::string::npos;
    }
    EXPECT_EQ(reads_index, c.counts_index) << c.sql;
    auto run = RunChecked(**engine, *program);
    ASSERT_TRUE(run.ok()) << c.sql << ": " << run.status().ToString();
    auto rows = test_support::ResultRows(*run->result);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, c.rows) << c.sql;
    int64_t suppressed = 0;
    for (const auto& note : run->notes) suppressed += note.rows;
    EXPECT_EQ(suppressed, 1) << c.sql;
  }
  // The unit was not validated for the first query: reading it there fails, never reads
  // unchecked bytes (what makes the run above a proof that the threshold did not read it).
  auto engine = OpenEngineOverFile(parquet, engine::Format::kParquet, "customers", 1);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE(PrepareCheckedInputs(**engine, cases[0].sql, policies).ok());
  ASSERT_TRUE((*engine)->Lock().ok());
  auto unit = (*engine)->Query("SELECT count(DISTINCT hashed_email) FROM customers");
  Status read = unit.ok() ? (*unit)->Next().status() : unit.status();
  EXPECT_FALSE(read.ok());
}

}  // namespace
}  // namespace cleanroom::runtime
