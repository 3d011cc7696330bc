// What a trained model, its metrics and the work order could leak, attacked through the runtime's
// ML job path (runtime::ExecuteRun on encrypted inputs, as the runtime server runs it): models
// that memorise single people, metrics over a handful of held-out people, a training floor met
// only with held-out rows, people with many rows, and work orders that do not match the job.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "crypto/identity.h"
#include "ml/booster.h"
#include "runtime/dataset_publish.h"
#include "runtime/model_publish.h"
#include "runtime/run_execution.h"
#include "runtime/sealed_result.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kPeople = 600;

// A person's rows: features x1, x2 and a label that is pure noise (nothing to learn: a model that
// predicts it on the training rows has memorised the people).
struct Rows {
  std::string csv = "person,x1,x2,label\n";
  ml::FeatureMatrix features;
  std::vector<float> labels;
  std::vector<std::string> person;
};

Rows MakeRows(int people, int rows_per_person) {
  Rows rows;
  rows.features.names = {"x1", "x2"};
  uint64_t state = 7;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int>((state >> 33) % 100000);
  };
  for (int p = 0; p < people; ++p) {
    const int x1 = next();  // the person's own value, on each of their rows
    const int label = next() % 2;
    for (int r = 0; r < rows_per_person; ++r) {
      const int x2 = next();
      rows.csv += "p" + std::to_string(p) + "," + std::to_string(x1) + "," + std::to_string(x2) +
                  "," + std::to_string(label) + "\n";
      rows.features.values.push_back(static_cast<float>(x1));
      rows.features.values.push_back(static_cast<float>(x2));
      rows.labels.push_back(static_cast<float>(label));
      rows.person.push_back("p" + std::to_string(p));
    }
  }
  rows.features.rows = rows.labels.size();
  return rows;
}

json Params(int max_depth, double min_child_weight) {
  return {{"objective", "binary:logistic"},
          {"max_depth", max_depth},
          {"min_child_weight", min_child_weight},
          {"lambda", 0},
          {"eta", 1},
          {"tree_method", "exact"},
          {"seed", 7}};
}

// The same parameters for XGBoost called directly, outside the clean room.
ml::TrainingParams Direct(const json& params, int rounds) {
  ml::TrainingParams out;
  out.rounds = rounds;
  for (auto it = params.begin(); it != params.end(); ++it) {
    out.xgboost[it.key()] =
        it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  return out;
}

// The smallest number of distinct people reaching a leaf of any tree of `model` over `rows`.
size_t FewestPeopleInALeaf(const ml::Model& model, const Rows& rows) {
  auto matrix =
      ml::DataMatrix::FromDense(rows.features.values, rows.features.rows, rows.features.names, 1);
  EXPECT_TRUE(matrix.ok());
  auto leaves = model.PredictLeaves(*matrix, 0, model.BoostedRounds(), 1);
  EXPECT_TRUE(leaves.ok()) << leaves.status().ToString();
  size_t fewest = SIZE_MAX;
  for (size_t t = 0; t < leaves->trees; ++t) {
    std::map<uint32_t, std::set<std::string>> people;
    for (size_t r = 0; r < leaves->rows; ++r) {
      people[leaves->leaf[r * leaves->trees + t]].insert(rows.person[r]);
    }
    for (const auto& [leaf, who] : people) fewest = std::min(fewest, who.size());
  }
  return fewest;
}

class MlJobPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ml_job_privacy_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto storage = OpenStorage("file://" + (dir_ / "storage").string());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
    auto alice = crypto::GenerateIdentity("alice");
    auto bob = crypto::GenerateIdentity("bob");
    ASSERT_TRUE(alice.ok() && bob.ok());
    alice_ = std::make_unique<crypto::MemberIdentity>(std::move(*alice));
    bob_ = std::make_unique<crypto::MemberIdentity>(std::move(*bob));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Alice publishes `rows` as dataset "people" with machine learning allowed under `ml`.
  void Publish(const Rows& rows, json ml) {
    std::ofstream(dir_ / "people.csv") << rows.csv;
    PublishRequest request;
    request.file = (dir_ / "people.csv").string();
    request.name = "people";
    ml["features"] = {"x1", "x2"};
    ml["labels"] = {"label"};
    request.policy = {{"privacyUnit", "person"}, {"minGroupUnits", 10}, {"machineLearning", ml}};
    auto published = PublishDataset(request, *storage_);
    ASSERT_TRUE(published.ok()) << published.status().ToString();
    published->document["owner"] = alice_->member_id();  // as governance registers it
    dataset_ = std::make_unique<PublishedDataset>(std::move(*published));
  }

  RunSpec Job(const std::string& run_id, const json& params, int rounds,
              const json& evaluation = nullptr) {
    RunSpec spec;
    spec.run_id = run_id;
    spec.query_id = "q1";
    spec.query_hash = std::string(64, 'a');
    spec.evidence_kind = "simulated";
    spec.engine_threads = 1;
    spec.inputs.push_back({dataset_->document, 1, std::string(64, 'b'), &dataset_->key});
    spec.recipients.push_back({alice_->member_id(), alice_->public_identity.encryption_public_key});
    spec.job = {{"name", "t"},
                {"kind", "training"},
                {"steps", {"SELECT person, x1, x2, label FROM people"}},
                {"label", "label"},
                {"training", {{"rounds", rounds}, {"params", params}}},
                {"recipients", {alice_->member_id()}}};
    if (!evaluation.is_null()) spec.job["evaluation"] = evaluation;
    return spec;
  }

  // A refused run: failed with `reason_part` in its reason, nothing sealed to anyone.
  void ExpectRefused(const RunSpec& spec, const std::string& reason_part) {
    RunOutcome outcome = ExecuteRun(spec, *storage_);
    EXPECT_FALSE(outcome.status.ok());
    EXPECT_EQ(outcome.record.state, govwire::RunState::kFailed);
    EXPECT_NE(outcome.record.reason.find(reason_part), std::string::npos) << outcome.record.reason;
    EXPECT_TRUE(outcome.record.output_hash.empty());
    EXPECT_TRUE(outcome.record.job.is_null());
    for (const char* object : {"output.cdc", "keys.json"}) {
      EXPECT_EQ(storage_->Map("results/" + spec.run_id + "/" + object).status().code(),
                StatusCode::kNotFound)
          << object;
    }
  }

  fs::path dir_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<PublishedDataset> dataset_;
  std::unique_ptr<crypto::MemberIdentity> alice_, bob_;
};

TEST_F(MlJobPrivacyTest, AModelThatMemorisesPeopleIsNeverSealed) {
  Rows rows = MakeRows(kPeople, 1);
  Publish(rows, json::object());
  // The attack is real: deep trees with no minimum leaf weight learn noise labels person by
  // person, so whoever holds the model and a person's features reads that person's label.
  ml::TrainingParams params = Direct(Params(32, 0), 3);
  auto memorised = ml::Model::Train(rows.features, rows.labels, params, nullptr, 1);
  ASSERT_TRUE(memorised.ok());
  auto predicted = memorised->Predict(rows.features, 1);
  ASSERT_TRUE(predicted.ok());
  size_t right = 0;
  for (size_t i = 0; i < rows.labels.size(); ++i)
    right += ((*predicted)[i] > 0.5f) == (rows.labels[i] > 0.5f);
  EXPECT_GT(right, rows.labels.size() * 99 / 100);
  EXPECT_LT(FewestPeopleInALeaf(*memorised, rows), 10u);
  // Through the clean room the same job is refused, and nothing is sealed.
  ExpectRefused(Job("r1", Params(32, 0), 3), "ML leaf floor");
  ExpectRefused(Job("r2", Params(32, 1), 3), "ML leaf floor");
}

TEST_F(MlJobPrivacyTest, AModelWhoseLeavesHoldTheFloorIsSealedAndEveryLeafHoldsIt) {
  Rows rows = MakeRows(kPeople, 1);
  Publish(rows, json::object());
  // binary:logistic's hessian is at most 1/4 per row, so min_child_weight 5 means 20 rows a leaf.
  RunSpec spec = Job("r1", Params(6, 5), 5);
  RunOutcome outcome = ExecuteRun(spec, *storage_);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.record.job["boostedRounds"], 5);
  auto file = OpenSealedResult(*storage_, "r1", *alice_, outcome.record.output_hash);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_FALSE(OpenSealedResult(*storage_, "r1", *bob_, outcome.record.output_hash).ok());
  auto model = ml::Model::Load(*file);
  ASSERT_TRUE(model.ok());
  EXPECT_GE(FewestPeopleInALeaf(*model, rows), 10u);
}

TEST_F(MlJobPrivacyTest, TheLeafFloorCountsPeopleNotRows) {
  // 40 people with 15 rows each: a leaf of one person has 15 rows.
  Rows rows = MakeRows(40, 15);
  Publish(rows, {{"minTrainingUnits", 20}});
  ml::TrainingParams params = Direct(Params(32, 1), 2);
  auto direct = ml::Model::Train(rows.features, rows.labels, params, nullptr, 1);
  ASSERT_TRUE(direct.ok());
  EXPECT_LT(FewestPeopleInALeaf(*direct, rows), 10u);
  ExpectRefused(Job("r1", Params(32, 1), 2), "ML leaf floor");
}

TEST_F(MlJobPrivacyTest, MetricsNeedTheFloorOnTheHeldOutPeople) {
  Rows rows = MakeRows(kPeople, 1);
  Publish(rows, {{"minLeafUnits", 50}, {"minTrainingUnits", 300}});
  // About 12 held-out people: their log-loss would be an aggregate of 12 labels.
  ExpectRefused(
      Job("r1", Params(3, 20), 2, {{"heldOutFraction", 0.02}, {"metrics", {"logloss", "error"}}}),
      "ML metrics floor");
  // About 180: the metrics leave, as aggregates.
  RunOutcome outcome = ExecuteRun(
      Job("r2", Params(3, 20), 2, {{"heldOutFraction", 0.3}, {"metrics", {"auc"}}}), *storage_);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_TRUE(outcome.record.job["metrics"].contains("auc"));
}

TEST_F(MlJobPrivacyTest, TheTrainingFloorCountsOnlyTheRowsThatTrain) {
  Rows rows = MakeRows(kPeople, 1);
  Publish(rows, {{"minTrainingUnits", 500}});
  // Half the 600 people held out: about 300 train, below the owner's 500.
  ExpectRefused(Job("r1", Params(3, 20), 2, {{"heldOutFraction", 0.5}, {"metrics", {"auc"}}}),
                "ML training floor: the training rows hold fewer distinct privacy units of "
                "dataset people than its owner's minimum of 500");
  EXPECT_TRUE(ExecuteRun(Job("r2", Params(3, 20), 2), *storage_).status.ok());
}

TEST_F(MlJobPrivacyTest, WhoIsHeldOutIsDrawnAnewForEachRun) {
  Rows rows = MakeRows(kPeople, 1);
  Publish(rows, {{"minTrainingUnits", 100}});
  std::set<int64_t> held_out;
  for (int i = 0; i < 4; ++i) {
    RunOutcome outcome = ExecuteRun(Job("r" + std::to_string(i), Params(3, 20), 1,
                                        {{"heldOutFraction", 0.4}, {"metrics", {"auc"}}}),
                                    *storage_);
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    held_out.insert(outcome.record.job["heldOutRows"].get<int64_t>());
  }
  // The same split each time would give the same count four times.
  EXPECT_GT(held_out.size(), 1u);
}

TEST_F(MlJobPrivacyTest, TheWorkOrderMustBeTheApprovedJob) {
  Rows rows = MakeRows(kPeople, 1);
  Publish(rows, json::object());
  // Sealed to someone the job does not name.
  RunSpec spec = Job("r1", Params(3, 20), 1);
  spec.recipients.push_back({bob_->member_id(), bob_->public_identity.encryption_public_key});
  ExpectRefused(spec, "recipients are not the approved job's recipients");

  // A model published by alice, for her own rows only.
  auto trained = ExecuteRun(Job("t", Params(3, 20), 2), *storage_);
  ASSERT_TRUE(trained.status.ok()) << trained.status.ToString();
  auto file = OpenSealedResult(*storage_, "t", *alice_, trained.record.output_hash);
  ASSERT_TRUE(file.ok());
  std::ofstream(dir_ / "model.json", std::ios::binary)
      .write(reinterpret_cast<const char*>(file->data()), static_cast<long>(file->size()));
  auto model = PublishModel({(dir_ / "model.json").string(), "m", json::object()}, *storage_);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  model->document["owner"] = alice_->member_id();
  RunSpec score = Job("s1", nullptr, 1);
  score.job = {{"name", "s"},
               {"kind", "inference"},
               {"model", "m"},
               {"steps", {"SELECT person, x1, x2 FROM people"}},
               {"recipients", {alice_->member_id()}}};
  score.inputs.push_back({model->document, 1, std::string(64, 'c'), &model->key, true});
  RunOutcome scored = ExecuteRun(score, *storage_);
  ASSERT_TRUE(scored.status.ok()) << scored.status.ToString();
  EXPECT_EQ(scored.record.job["predictions"], kPeople);

  // The predictions of alice's rows to bob: refused by the runtime too, whatever the order says.
  RunSpec to_bob = score;
  to_bob.run_id = "s2";
  to_bob.job["recipients"] = {bob_->member_id()};
  to_bob.recipients = {{bob_->member_id(), bob_->public_identity.encryption_public_key}};
  ExpectRefused(to_bob, "predictions go only to the owner of the scored rows");
  // The model entry not marked as a model: a dataset it is not, and the job has no model.
  RunSpec unmarked = score;
  unmarked.run_id = "s3";
  unmarked.inputs.back().is_model = false;
  ExpectRefused(unmarked, "its model was not released");
  // A model released to a SQL query.
  RunSpec query = Job("q", nullptr, 1);
  query.job = nullptr;
  query.steps = {"SELECT COUNT(*) AS n FROM people"};
  query.inputs.push_back(score.inputs.back());
  ExpectRefused(query, "a model was released to it");
}

}  // namespace
}  // namespace cleanroom::runtime
