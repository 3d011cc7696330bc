// The runtime's execution of one run with released keys: publish (encrypt into storage), load
// from memory, checked query, sealed result; failures leave no output.
#include "runtime/run_execution.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/file.h"
#include "crypto/identity.h"
#include "crypto/sha256_tree.h"
#include "engine/engine.h"
#include "formats/parquet_reader.h"
#include "privacy/query_check.h"
#include "runtime/dataset_publish.h"
#include "runtime/sealed_result.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A failed run's record: a reason, and nothing of an output (no hash, no row count, no
// suppression notes), in the wire form governance reads too.
void ExpectFailedWithoutOutput(const govwire::RunRecord& record) {
  EXPECT_EQ(record.state, govwire::RunState::kFailed);
  EXPECT_FALSE(record.reason.empty());
  EXPECT_TRUE(record.output_hash.empty());
  EXPECT_FALSE(record.rows_out.has_value());
  EXPECT_TRUE(record.suppressed.empty());
  json wire = record.ToJson();
  EXPECT_FALSE(wire.contains("outputHash"));
  EXPECT_FALSE(wire.contains("rowsOut"));
  EXPECT_TRUE(govwire::RunRecord::FromJson(wire, "record").ok());
}

class RunExecutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("runtime_exec_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // 150 people in band a, 40 in b, 10 in c: with minGroupUnits 30, band c is suppressed.
    std::ofstream csv(dir_ / "customers.csv");
    csv << "hashed_email,age_band,ltv\n";
    int person = 0;
    for (auto [band, count] : {std::pair{"a", 150}, {"b", 40}, {"c", 10}}) {
      for (int i = 0; i < count; ++i) csv << "e" << person++ << "," << band << "," << i << "\n";
    }
    csv.close();
    auto storage = OpenStorage("file://" + (dir_ / "storage").string());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);

    PublishRequest request;
    request.file = (dir_ / "customers.csv").string();
    request.name = "customers";
    request.policy = {{"allowedFields", {"hashed_email", "age_band", "ltv"}},
                      {"privacyUnit", "hashed_email"},
                      {"columns", {{"ltv", {{"role", "aggregate"}}}}},
                      {"minGroupUnits", 30}};
    auto published = PublishDataset(request, *storage_);
    ASSERT_TRUE(published.ok()) << published.status().ToString();
    published_ = std::make_unique<PublishedDataset>(std::move(*published));

    auto alice = crypto::GenerateIdentity("alice");
    auto bob = crypto::GenerateIdentity("bob");
    ASSERT_TRUE(alice.ok() && bob.ok());
    alice_ = std::make_unique<crypto::MemberIdentity>(std::move(*alice));
    bob_ = std::make_unique<crypto::MemberIdentity>(std::move(*bob));
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunSpec Spec(const std::string& run_id) {
    RunSpec spec;
    spec.run_id = run_id;
    spec.query_id = "q1";
    spec.query_hash = std::string(64, 'a');
    spec.steps = {
        "SELECT age_band, COUNT(DISTINCT hashed_email) AS people FROM customers "
        "GROUP BY age_band ORDER BY age_band"};
    spec.inputs.push_back({published_->document, 1, std::string(64, 'b'), &published_->key});
    spec.recipients.push_back({alice_->member_id(), alice_->public_identity.encryption_public_key});
    spec.evidence_kind = "simulated";
    spec.engine_threads = 1;
    return spec;
  }

  fs::path dir_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<PublishedDataset> published_;
  std::unique_ptr<crypto::MemberIdentity> alice_, bob_;
};

TEST_F(RunExecutionTest, PublishReadsSchemaAndPolicy) {
  const json& doc = published_->document;
  EXPECT_EQ(doc["name"], "customers");
  EXPECT_EQ(doc["format"], "csv");
  ASSERT_EQ(doc["schema"].size(), 3u);
  EXPECT_EQ(doc["schema"][0]["name"], "hashed_email");
  EXPECT_EQ(doc["columnRoles"]["hashed_email"], "privacy_unit");
  EXPECT_EQ(doc["columnRoles"]["ltv"], "aggregate");
  auto ciphertext = storage_->Get(doc["location"]);
  ASSERT_TRUE(ciphertext.ok());
  EXPECT_EQ(crypto::Sha256TreeHex(*ciphertext), doc["contentHash"]);
  // The ciphertext does not hold the plaintext.
  std::string text(ciphertext->begin(), ciphertext->end());
  EXPECT_EQ(text.find("hashed_email"), std::string::npos);
}

TEST_F(RunExecutionTest, PublishRefusesPolicyNamingMissingColumn) {
  PublishRequest request;
  request.file = (dir_ / "customers.csv").string();
  request.name = "customers";
  request.policy = {{"allowedFields", {"hashed_email", "income"}}};
  auto published = PublishDataset(request, *storage_);
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.status().code(), StatusCode::kInvalidArgument);
}

// A CSV published without a declared schema has its types inferred and recorded; a malformed
// number in a column of numbers is refused at publish naming the column and row (never the
// value), and nothing reaches storage.
TEST_F(RunExecutionTest, PublishRefusesMalformedNumberInInferredColumn) {
  std::ofstream csv(dir_ / "spend.csv");
  csv << "hashed_email,ltv\n";
  for (int i = 1; i <= 120; ++i)
    csv << "e" << i << "," << (i == 61 ? "4O7" : std::to_string(i)) << "\n";
  csv.close();
  PublishRequest request;
  request.file = (dir_ / "spend.csv").string();
  request.name = "spend";
  request.policy = {{"allowedFields", {"hashed_email", "ltv"}}, {"privacyUnit", "hashed_email"}};
  auto refused = PublishDataset(request, *storage_);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("column ltv: the value in row 61 is not a number"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find("4O7"), std::string::npos);
  // No object (the folder may exist: the CLI's publish removes the folders it created).
  EXPECT_TRUE(!fs::exists(dir_ / "storage" / "datasets" / "spend") ||
              fs::is_empty(dir_ / "storage" / "datasets" / "spend"));

  // Declared as text, it publishes, and its document records the declared type.
  request.schema =
      std::vector<sql::Column>{{"hashed_email", sql::DataType::Of(sql::TypeId::kString)},
                               {"ltv", sql::DataType::Of(sql::TypeId::kString)}};
  auto published = PublishDataset(request, *storage_);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(published->document["schema"][1]["type"], "string");
}

TEST_F(RunExecutionTest, HappyPathSealsToRecipientOnly) {
  RunOutcome outcome = ExecuteRun(Spec("r1"), *storage_);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  const govwire::RunRecord& record = outcome.record;
  EXPECT_EQ(record.state, govwire::RunState::kSucceeded);
  EXPECT_EQ(record.rows_out, 2u);
  uint64_t suppressed = 0;
  for (const govwire::RunRecordSuppression& note : record.suppressed) suppressed += note.rows;
  EXPECT_EQ(suppressed, 1u);
  ASSERT_EQ(record.inputs.size(), 1u);
  EXPECT_EQ(record.inputs[0].content_hash, published_->document["contentHash"]);
  EXPECT_TRUE(record.evidence_insecure);
  EXPECT_TRUE(record.reason.empty());
  // The record is the wire type governance reads: it reads back as it was built.
  auto read_back = govwire::RunRecord::FromJson(record.ToJson(), "record");
  ASSERT_TRUE(read_back.ok()) << read_back.status().ToString();
  EXPECT_EQ(read_back->ToJson(), record.ToJson());

  auto output = OpenSealedResult(*storage_, "r1", *alice_, record.output_hash);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  std::string text(output->begin(), output->end());
  EXPECT_EQ(text, "age_band,people\na,150\nb,40\n");

  auto refused = OpenSealedResult(*storage_, "r1", *bob_, record.output_hash);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);

  auto wrong_hash = OpenSealedResult(*storage_, "r1", *alice_, std::string(64, '0'));
  EXPECT_EQ(wrong_hash.status().code(), StatusCode::kDataLoss);
}

TEST_F(RunExecutionTest, ParquetOutputIsWrittenInMemoryAndSealed) {
  RunSpec spec = Spec("r1");
  spec.output_format = "parquet";
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.record.rows_out, 2u);
  EXPECT_EQ(outcome.record.output_format, "parquet");
  auto output = OpenSealedResult(*storage_, "r1", *alice_, outcome.record.output_hash);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  // A whole Parquet file: our reader verifies it and reads the two groups back.
  auto reader = formats::ParquetReader::OpenSpan(*output, "result");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Verify(1).ok());
  EXPECT_EQ((*reader)->num_rows(), 2);
}

TEST_F(RunExecutionTest, SignedRecordVerifies) {
  RunOutcome outcome = ExecuteRun(Spec("r1"), *storage_);
  ASSERT_TRUE(outcome.status.ok());
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  ASSERT_TRUE(key.ok());
  auto signed_record = SignRunRecord(outcome.record.ToJson(), *key, "runtime");
  ASSERT_TRUE(signed_record.ok());
  auto verified = VerifyRunRecord(*signed_record, key->public_key());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(*verified, outcome.record.ToJson());
  (*signed_record)[signed_record->size() - 1] ^= 1;
  EXPECT_EQ(VerifyRunRecord(*signed_record, key->public_key()).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(RunExecutionTest, TamperedCiphertextFailsWithDataLossAndNoOutput) {
  std::string path =
      (dir_ / "storage" / published_->document["location"].get<std::string>()).string();
  auto bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomic(path, *bytes).ok());
  RunOutcome outcome = ExecuteRun(Spec("r2"), *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kDataLoss);
  ExpectFailedWithoutOutput(outcome.record);
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r2")));
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultKeysKey("r2")));
}

// An attacker with write access to storage swaps the container for another one encrypted under
// the same data key (an older or doctored version of the dataset: here band c grows past the
// threshold). Every chunk authenticates, so only the contentHash the owner registered refuses it.
TEST_F(RunExecutionTest, ContainerSwappedForAnotherUnderTheSameKeyIsRefused) {
  std::string doctored = "hashed_email,age_band,ltv\n";
  for (int i = 0; i < 100; ++i)
    doctored += "x" + std::to_string(i) + ",c," + std::to_string(i) + "\n";
  crypto::container::EncryptOptions options;
  options.dataset_id = "customers";
  auto swapped = crypto::container::EncryptBuffer(published_->key, options, AsBytes(doctored));
  ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
  // The swapped container is authentic under the key: it decrypts.
  auto reader =
      crypto::container::Reader::Open(crypto::container::MemoryInput(*swapped), published_->key);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto plaintext = (*reader)->DecryptToBuffer();
  ASSERT_TRUE(plaintext.ok()) << plaintext.status().ToString();
  EXPECT_EQ(plaintext->size(), doctored.size());

  std::string location = published_->document["location"];
  ASSERT_TRUE(
      WriteFileAtomic((dir_ / "storage" / location).string(), std::string(AsStringView(*swapped)))
          .ok());
  RunOutcome outcome = ExecuteRun(Spec("r9"), *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kDataLoss) << outcome.status.ToString();
  EXPECT_NE(outcome.status.message().find("contentHash"), std::string::npos)
      << outcome.status.ToString();
  ExpectFailedWithoutOutput(outcome.record);
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r9")));
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultKeysKey("r9")));
}

TEST_F(RunExecutionTest, PolicyViolationFailsWithoutOutput) {
  RunSpec spec = Spec("r3");
  spec.steps = {"SELECT hashed_email FROM customers"};
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kPermissionDenied);
  ExpectFailedWithoutOutput(outcome.record);
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r3")));
}

// A document registered by hand (`cleanroom dataset register --allowed ... --roles ...`) states
// its rules at the top level, with no `policy` object: the runtime enforces them all the same.
TEST_F(RunExecutionTest, TopLevelAllowedFieldsAndRolesAreEnforced) {
  RunSpec spec = Spec("r15");
  json& document = spec.inputs[0].document;
  document.erase("policy");
  document["allowedFields"] = {"hashed_email", "age_band"};
  document["columnRoles"] = {{"hashed_email", "privacy_unit"}};
  // ltv is not in allowedFields: it does not exist for the query.
  spec.steps = {"SELECT age_band, SUM(ltv) AS v FROM customers GROUP BY age_band"};
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_FALSE(outcome.status.ok());
  ExpectFailedWithoutOutput(outcome.record);
  EXPECT_NE(outcome.status.message().find("ltv"), std::string::npos) << outcome.status.ToString();
  // The privacy unit named only in columnRoles cannot be output.
  spec = Spec("r16");
  spec.inputs[0].document.erase("policy");
  spec.inputs[0].document["columnRoles"] = {{"hashed_email", "privacy_unit"}};
  spec.steps = {"SELECT hashed_email, COUNT(*) AS n FROM customers GROUP BY hashed_email"};
  outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kPermissionDenied) << outcome.status.ToString();
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r16")));
}

// Two statements of the same rule that disagree fail the run before anything is read.
TEST_F(RunExecutionTest, ConflictingDocumentRulesFailTheRun) {
  RunSpec spec = Spec("r17");
  spec.inputs[0].document["columnRoles"]["ltv"] = "dimension";  // the policy says aggregate
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kInvalidArgument) << outcome.status.ToString();
  ExpectFailedWithoutOutput(outcome.record);
}

// Refused by the proposal-time check, before anything is decrypted: with the wrong key, a
// policy violation still fails as a policy violation, with the message of the check that
// governance runs at proposal.
TEST_F(RunExecutionTest, RefusalComesBeforeDecryptionWithTheProposalMessage) {
  auto other = crypto::container::DataKey::Generate();
  ASSERT_TRUE(other.ok());
  RunSpec spec = Spec("r5");
  spec.steps = {"SELECT COUNT(*) AS n, MIN(age_band) AS a FROM customers"};
  spec.inputs[0].key = &*other;
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kPermissionDenied) << outcome.status.ToString();
  std::vector<privacy::DeclaredDataset> declared;
  for (const RunInput& input : spec.inputs) {
    auto d = privacy::DeclaredDatasetFromDocument(input.document.dump());
    ASSERT_TRUE(d.ok());
    declared.push_back(*d);
  }
  auto proposed =
      privacy::CheckProposedQuery(spec.steps[0] + ";\n", spec.guards.dump(), "", declared);
  ASSERT_FALSE(proposed.ok());
  EXPECT_EQ(outcome.record.reason, proposed.status().ToString());
}

// DP settings over a dataset without DP bounds are invalid; a grouped DP query without a delta is
// invalid (partition selection needs one); a supported DP query over a DP dataset runs and writes
// its result (the budget is governance's, not the runtime's).
TEST_F(RunExecutionTest, DifferentialPrivacySettingsAreCheckedThenRun) {
  RunSpec spec = Spec("r6");
  spec.privacy = {{"epsilon", 1.0}};
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kInvalidArgument) << outcome.status.ToString();
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r6")));
  RunSpec dp = Spec("r8");
  dp.privacy = {{"epsilon", 1.0}};
  dp.inputs[0].document["policy"]["privacyUnit"] = "hashed_email";
  dp.inputs[0].document["policy"]["differentialPrivacy"] = {
      {"maxGroupsPerUnit", 1}, {"maxRowsPerUnitPerGroup", 1}, {"budget", {{"epsilon", 2}}}};
  outcome = ExecuteRun(dp, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kInvalidArgument) << outcome.status.ToString();
  EXPECT_NE(outcome.status.message().find("delta"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r8")));
  RunSpec global = dp;
  global.run_id = "r10";
  global.steps = {"SELECT COUNT(DISTINCT hashed_email) AS people FROM customers"};
  // The owner's minGroupUnits applies to the noisy unit count: partition selection, so a delta.
  global.privacy = {{"epsilon", 1.0}, {"delta", "1e-6"}};
  global.inputs[0].document["policy"]["differentialPrivacy"]["budget"]["delta"] = "1e-5";
  outcome = ExecuteRun(global, *storage_);
  EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_TRUE(fs::exists(dir_ / "storage" / ResultOutputKey("r10")));
  RunSpec typo = Spec("r7");
  typo.guards = {{"minGroupUnit", 5}};
  outcome = ExecuteRun(typo, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outcome.status.message().find("minGroupUnit"), std::string::npos);
}

// A value that does not convert to its declared type: the record names the dataset, never
// the row or the column position of the provider's data.
TEST_F(RunExecutionTest, SchemaMismatchNamesNoRow) {
  RunSpec spec = Spec("r8");
  spec.inputs[0].document["schema"][1]["type"] = "int";  // age_band holds "a", "b", "c"
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kInvalidArgument) << outcome.status.ToString();
  std::string reason = outcome.record.reason;
  EXPECT_NE(reason.find("dataset customers"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("row"), std::string::npos) << reason;
}

// A Parquet dataset whose ltv column has a corrupt page (values outside the statistics the
// footer declares). Publishing reads the schema from the footer and validates the file: it is
// refused. Published with a declared schema (no validation at publish), a run validates only
// what the checked query reads: a query that does not read ltv runs; one that reads it fails
// with DataLoss naming the column, and no output.
TEST_F(RunExecutionTest, ParquetInputValidatesOnlyWhatTheQueryReads) {
  std::string path = (dir_ / "people.parquet").string();
  {
    auto writer = engine::Engine::Open();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)
                    ->Execute("COPY (SELECT 'e' || (i % 200) AS hashed_email, CASE WHEN i % 200 < "
                              "150 THEN 'a' WHEN i % 200 < 190 THEN 'b' ELSE 'c' END AS age_band, "
                              "i::INTEGER AS ltv FROM range(5000) r(i)) TO '" +
                              path + "' (FORMAT parquet, COMPRESSION uncompressed)")
                    .ok());
  }
  auto bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.ok());
  {
    auto reader = formats::ParquetReader::OpenBuffer(*bytes, "people");
    ASSERT_TRUE(reader.ok());
    const formats::ColumnMetaData& ltv = *(*reader)->metadata().row_groups[0].columns[2].meta_data;
    ASSERT_TRUE(ltv.statistics.has_value());
    size_t middle = static_cast<size_t>(ltv.data_page_offset + ltv.total_compressed_size / 2);
    for (size_t i = middle; i < middle + 16; ++i) (*bytes)[i] = 0x7f;  // past the declared max
  }
  ASSERT_TRUE(WriteFileAtomic(path, *bytes).ok());
  ASSERT_EQ(formats::VerifyParquetFile(path).code(), StatusCode::kDataLoss);

  PublishRequest request;
  request.file = path;
  request.name = "people";
  request.policy = {{"allowedFields", {"hashed_email", "age_band", "ltv"}},
                    {"privacyUnit", "hashed_email"},
                    {"columns", {{"ltv", {{"role", "aggregate"}}}}},
                    {"minGroupUnits", 30}};
  auto refused = PublishDataset(request, *storage_);
  ASSERT_EQ(refused.status().code(), StatusCode::kDataLoss) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("column ltv"), std::string::npos)
      << refused.status().ToString();
  // Validated beside the encryption: the refused file's ciphertext was abandoned, not stored.
  EXPECT_TRUE(!fs::exists(dir_ / "storage" / "datasets" / "people") ||
              fs::is_empty(dir_ / "storage" / "datasets" / "people"));

  request.schema =
      std::vector<sql::Column>{{"hashed_email", sql::DataType::Of(sql::TypeId::kString)},
                               {"age_band", sql::DataType::Of(sql::TypeId::kString)},
                               {"ltv", sql::DataType::Of(sql::TypeId::kInt)}};
  auto published = PublishDataset(request, *storage_);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  RunSpec spec = Spec("r20");
  spec.steps = {
      "SELECT age_band, COUNT(DISTINCT hashed_email) AS people FROM people "
      "GROUP BY age_band ORDER BY age_band"};
  spec.inputs = {{published->document, 1, std::string(64, 'b'), &published->key}};
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  auto output = OpenSealedResult(*storage_, "r20", *alice_, outcome.record.output_hash);
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  EXPECT_EQ(std::string(output->begin(), output->end()), "age_band,people\na,150\nb,40\n");

  spec.run_id = "r21";
  spec.steps = {"SELECT age_band, SUM(ltv) AS v FROM people GROUP BY age_band"};
  outcome = ExecuteRun(spec, *storage_);
  EXPECT_EQ(outcome.status.code(), StatusCode::kDataLoss) << outcome.status.ToString();
  EXPECT_NE(outcome.status.message().find("column ltv"), std::string::npos)
      << outcome.status.ToString();
  EXPECT_FALSE(fs::exists(dir_ / "storage" / ResultOutputKey("r21")));
}

TEST_F(RunExecutionTest, WrongKeyFails) {
  auto other = crypto::container::DataKey::Generate();
  ASSERT_TRUE(other.ok());
  RunSpec spec = Spec("r4");
  spec.inputs[0].key = &*other;
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  EXPECT_FALSE(outcome.status.ok());
  ExpectFailedWithoutOutput(outcome.record);
}

TEST(StorageTest, RefusesEscapingKeys) {
  EXPECT_FALSE(CheckStorageKey("../x").ok());
  EXPECT_FALSE(CheckStorageKey("a//b").ok());
  EXPECT_FALSE(CheckStorageKey("/abs").ok());
  EXPECT_TRUE(CheckStorageKey("datasets/customers/01.cdc").ok());
  EXPECT_FALSE(OpenStorage("s3://bucket").ok());
}

}  // namespace
}  // namespace cleanroom::runtime
