// Issue 18 end to end: a bank, an insurer and an agency on loopback through the cleanroom binary
// (`governance serve` and `runtime serve` as child processes, members acting through the CLI).
// The bank trains a risk model on its labels joined with the insurer's features; the insurer
// scores its own customers with the bank's published model and alone receives the predictions;
// row-level predictions to anyone else are refused at proposal; a fine-tuning job continues the
// model; revoked consent blocks the next job. Python's xgboost loads the model trained in the
// clean room and predicts exactly what the clean room predicted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "base/file.h"
#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"
#include "govwire/json_reader.h"

namespace cleanroom::runtime {
namespace {

using governance::testing::ProcessServer;
using governance::testing::RunCleanroom;
using governance::testing::RunCleanroomExpecting;
using governance::testing::TempDir;
using nlohmann::json;

constexpr int kCustomers = 1200;

// Python's xgboost through the interop script ml_test uses; the output's lines.
std::vector<std::string> Python(const std::string& args) {
  std::string command = "/usr/bin/python3 " + std::string(CLEANROOM_SOURCE_DIR) +
                        "/src/ml/tests/xgboost_interop.py " + args + " 2>/dev/null";
  std::vector<std::string> lines;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return lines;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    std::string line(buffer);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    lines.push_back(line);
  }
  EXPECT_EQ(::pclose(pipe), 0) << command;
  return lines;
}

class MlE2e : public ::testing::Test {
 protected:
  std::string Run(const std::vector<std::string>& args, int expected = 0) {
    return RunCleanroomExpecting(args, expected);
  }
  std::string Id(const std::string& who) const { return dir_.path() + "/" + who; }
  std::string Path(const std::string& file) const { return dir_.path() + "/" + file; }
  std::string Storage() const { return "file://" + dir_.path() + "/storage"; }
  json JsonOf(const std::string& text) {
    auto parsed = govwire::ParseJson(text, "output");
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? *parsed : json();
  }
  void Write(const std::string& file, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(Path(file), text).ok());
  }

  void SetUp() override {
    ASSERT_EQ(std::system("/usr/bin/python3 -c 'import xgboost' >/dev/null 2>&1"), 0)
        << "/usr/bin/python3 cannot import xgboost: run scripts/install-deps.sh";
    for (const char* who : {"bank", "insurer", "agency"}) {
      std::string out = Run({"keygen", "--name", who, "--out", Id(who)});
      ASSERT_EQ(out.rfind("member ", 0), 0u) << out;
      ids_[who] = out.substr(7, 64);
    }
    std::string platform = Run({"runtime", "init-platform", "--out", Id("platform")});
    size_t at = platform.find("simulated_platform_keys): ");
    ASSERT_NE(at, std::string::npos) << platform;
    std::string platform_key = platform.substr(at + 26, 64);
    std::string measurement = Run({"runtime", "measure"}).substr(0, 96);
    server_ = std::make_unique<ProcessServer>(dir_.path() + "/service");
    ASSERT_FALSE(server_->url().empty());
    for (const char* who : {"bank", "insurer", "agency"}) {
      Run({"governance", "pin", "--identity", Id(who), "--governance", server_->url(),
           "--service-fingerprint", server_->fingerprint()});
    }
    Run({"collab", "create", "--identity", Id("bank"), "--name", "risk", "--member",
         Id("bank") + ":provider,analyst,recipient", "--member",
         Id("insurer") + ":provider,analyst,recipient", "--member", Id("agency") + ":recipient",
         "--measurement", measurement, "--platform-key", platform_key, "--evidence-kind",
         "simulated"});
    for (const char* who : {"insurer", "agency"}) Run({"collab", "accept", "--identity", Id(who)});

    // The bank knows who defaulted; the insurer knows ages, claims and premiums. The label
    // depends on the insurer's columns, so a model trained on the join learns something.
    std::ostringstream bank, insurer;
    bank << "customer_id,income,defaulted\n";
    insurer << "customer_id,age,claims,premium\n";
    uint64_t state = 42;
    auto next = [&state] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<int>((state >> 33) % 1000);
    };
    for (int i = 0; i < kCustomers; ++i) {
      int age = 18 + next() % 60, claims = next() % 6, noise = next() % 100;
      bool defaulted = (claims * 12 + (70 - age) + noise) > 110;
      customers_.push_back({age, claims, defaulted});
      bank << "c" << i << "," << 20000 + next() * 50 << "," << (defaulted ? 1 : 0) << "\n";
      insurer << "c" << i << "," << age << "," << claims << "," << 300 + next() << "\n";
    }
    Write("bank.csv", bank.str());
    Write("insurer.csv", insurer.str());
    Write("bank-policy.json", R"({"privacyUnit": "customer_id", "minGroupUnits": 10,
        "machineLearning": {"features": ["income"], "labels": ["defaulted"],
                            "minTrainingUnits": 500}})");
    Write("insurer-policy.json", R"({"privacyUnit": "customer_id", "minGroupUnits": 10,
        "machineLearning": {"features": ["age", "claims"]}})");
    Run({"dataset", "publish", Path("bank.csv"), "--name", "bank", "--policy",
         Path("bank-policy.json"), "--identity", Id("bank"), "--storage", Storage()});
    Run({"dataset", "publish", Path("insurer.csv"), "--name", "insurer", "--policy",
         Path("insurer-policy.json"), "--identity", Id("insurer"), "--storage", Storage()});
  }

  // Proposes a job as `who`; returns the reply (exit code `expected`).
  json ProposeJob(const std::string& who, const json& job, int expected = 0) {
    Write("job.json", job.dump());
    std::string out =
        Run({"job", "propose", Path("job.json"), "--identity", Id(who), "--json"}, expected);
    return expected == 0 ? JsonOf(out) : json{{"error", out}};
  }
  json TrainingJob(const std::string& where = "") {
    return {{"name", "risk-training"},
            {"kind", "training"},
            {"steps",
             {"SELECT b.customer_id, i.customer_id AS insured, i.age, i.claims, b.defaulted "
              "FROM bank b JOIN insurer i ON b.customer_id = i.customer_id" +
              where}},
            {"label", "defaulted"},
            {"training", {{"rounds", 20}, {"params", Params()}}},
            {"evaluation", {{"heldOutFraction", 0.2}, {"metrics", {"auc", "logloss"}}}},
            {"recipients", {ids_["bank"]}}};
  }
  // binary:logistic's hessian is at most 1/4 a row: min_child_weight 3 keeps 12 customers or
  // more in every leaf, above the owners' leaf floor of 10 (their minGroupUnits).
  static json Params() {
    return {{"objective", "binary:logistic"}, {"max_depth", 3},        {"eta", 0.3},
            {"min_child_weight", 3},          {"tree_method", "hist"}, {"seed", 7}};
  }
  // The customers' features (age, claims) and labels as Python's interop script reads them:
  // customers [0, count).
  void WriteRows(const std::string& rows, const std::string& labels, int count) {
    std::ostringstream features, targets;
    features << "age,claims\n";
    for (int i = 0; i < count; ++i) {
      features << customers_[i].age << "," << customers_[i].claims << "\n";
      targets << (customers_[i].defaulted ? 1 : 0) << "\n";
    }
    Write(rows, features.str());
    Write(labels, targets.str());
  }
  std::vector<float> PythonPredicts(const std::string& model, const std::string& rows) {
    std::vector<float> out;
    for (const std::string& line : Python("predict " + Path(model) + " " + Path(rows))) {
      out.push_back(std::strtof(line.c_str(), nullptr));
    }
    return out;
  }

  // Runs job `id` (already approved) as `who`; returns the run's view.
  json RunJob(const std::string& id, const std::string& who) {
    json requested = JsonOf(Run({"run", "request", id, "--identity", Id(who), "--json"}));
    std::string run = requested["result"].value("run", "");
    // `runtime serve --once` exits 1 when the run failed: the run's view says why.
    std::string served;
    RunCleanroom(
        {"runtime", "serve", "--governance", server_->url(), "--service-fingerprint",
         server_->fingerprint(), "--platform", Id("platform"), "--storage", Storage(), "--once"},
        &served);
    return JsonOf(Run({"run", "show", run, "--identity", Id(who), "--json"}));
  }
  std::string ResultOf(const json& run, const std::string& who, const std::string& file,
                       int expected = 0) {
    return Run({"result", "get", run["id"], "--out", Path(file), "--identity", Id(who), "--storage",
                Storage()},
               expected);
  }

  struct Customer {
    int age;
    int claims;
    bool defaulted;
  };
  TempDir dir_;
  std::unique_ptr<ProcessServer> server_;
  std::map<std::string, std::string> ids_;
  std::vector<Customer> customers_;
};

TEST_F(MlE2e, TrainScoreFineTuneAndRevoke) {
  // Training: approved by the insurer (the bank proposed it and owns a dataset read).
  json proposed = ProposeJob("bank", TrainingJob());
  std::string training = proposed["result"]["id"];
  EXPECT_EQ(proposed["result"]["state"], "proposed");
  EXPECT_EQ(proposed["result"]["approvers"].size(), 2u);
  EXPECT_EQ(proposed["result"]["check"]["features"], json({"age", "claims"}));
  Run({"query", "approve", training, "--identity", Id("insurer")});
  json run = RunJob(training, "bank");
  ASSERT_EQ(run["state"], "succeeded") << run.dump();
  const json& record = run["report"]["record"];
  EXPECT_EQ(record["job"]["kind"], "training");
  EXPECT_EQ(record["job"]["boostedRounds"], 20);
  EXPECT_EQ(record["job"]["trainingRows"].get<int>() + record["job"]["heldOutRows"].get<int>(),
            kCustomers);
  EXPECT_GT(record["job"]["heldOutRows"].get<int>(), 100);
  // The held-out metrics leave as aggregates; the labels are learnable from the features.
  EXPECT_GT(record["job"]["metrics"]["auc"].get<double>(), 0.75) << record.dump();
  EXPECT_LT(record["job"]["metrics"]["logloss"].get<double>(), 0.6);
  // The record says which data trained the model.
  ASSERT_EQ(record["inputs"].size(), 2u);
  EXPECT_EQ(record["inputs"][0]["dataset"], "bank");
  EXPECT_EQ(record["inputs"][1]["dataset"], "insurer");
  ResultOf(run, "bank", "risk.json");
  ResultOf(run, "insurer", "stolen.json", 1);  // not a recipient
  EXPECT_FALSE(std::filesystem::exists(Path("stolen.json")));
  EXPECT_EQ(Python("rounds " + Path("risk.json")), std::vector<std::string>{"20"});

  // A deprecated binary model is refused at publish; the JSON one is published.
  Python("deprecated " + Path("risk.json") + " " + Path("risk.bin"));
  std::string refused = Run({"model", "publish", Path("risk.bin"), "--name", "old", "--identity",
                             Id("bank"), "--storage", Storage()},
                            2);
  EXPECT_NE(refused.find("deprecated"), std::string::npos) << refused;
  Write("model-policy.json",
        json({{"inferenceFor", {ids_["insurer"]}}, {"fineTuning", true}}).dump());
  Run({"model", "publish", Path("risk.json"), "--name", "risk", "--policy",
       Path("model-policy.json"), "--identity", Id("bank"), "--storage", Storage()});

  // Inference: the insurer scores its own customers; the bank (the model's owner) approves.
  json inference = {{"name", "score"},
                    {"kind", "inference"},
                    {"model", "risk"},
                    {"steps", {"SELECT customer_id, age, claims FROM insurer"}},
                    {"recipients", {ids_["insurer"]}}};
  proposed = ProposeJob("insurer", inference);
  std::string scoring = proposed["result"]["id"];
  EXPECT_EQ(proposed["result"]["model"]["owner"], ids_["bank"]);
  Run({"query", "approve", scoring, "--identity", Id("bank")});
  run = RunJob(scoring, "insurer");
  ASSERT_EQ(run["state"], "succeeded") << run.dump();
  EXPECT_EQ(run["report"]["record"]["job"]["predictions"], kCustomers);
  ResultOf(run, "insurer", "predictions.csv");
  ResultOf(run, "bank", "bank-predictions.csv", 1);
  EXPECT_FALSE(std::filesystem::exists(Path("bank-predictions.csv")));
  auto predictions = ReadFileToString(Path("predictions.csv"));
  ASSERT_TRUE(predictions.ok());
  // Python's xgboost on the model file and the same rows predicts the very same float32s.
  std::istringstream lines(*predictions), source(*ReadFileToString(Path("insurer.csv")));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "customer_id,prediction");
  std::ostringstream rows;
  rows << "age,claims\n";
  std::getline(source, line);
  std::map<std::string, std::string> features;
  while (std::getline(source, line)) {
    std::vector<std::string> cells;
    std::stringstream split(line);
    for (std::string cell; std::getline(split, cell, ',');) cells.push_back(cell);
    features[cells[0]] = cells[1] + "," + cells[2];
  }
  std::vector<std::string> ours;
  while (std::getline(lines, line)) {
    size_t comma = line.find(',');
    rows << features[line.substr(0, comma)] << "\n";
    ours.push_back(line.substr(comma + 1));
  }
  ASSERT_EQ(ours.size(), static_cast<size_t>(kCustomers));
  Write("rows.csv", rows.str());
  std::vector<std::string> theirs = Python("predict " + Path("risk.json") + " " + Path("rows.csv"));
  ASSERT_EQ(theirs.size(), ours.size());
  size_t differ = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    differ += std::strtof(ours[i].c_str(), nullptr) != std::strtof(theirs[i].c_str(), nullptr);
  }
  EXPECT_EQ(differ, 0u);

  // Row-level predictions to anyone but the owner of the scored rows: refused at proposal.
  json to_bank = inference;
  to_bank["recipients"] = {ids_["bank"]};
  json denied = ProposeJob("bank", to_bank, 1);
  EXPECT_NE(denied["error"].get<std::string>().find("only to the owner of the scored rows"),
            std::string::npos)
      << denied.dump();
  to_bank["recipients"] = {ids_["agency"]};
  ProposeJob("insurer", to_bank, 1);

  // Fine-tuning continues the model: 20 old rounds + 5 trees, to the model's owner.
  json fine = TrainingJob();
  fine["name"] = "risk-fine-tuning";
  fine["kind"] = "fine-tuning";
  fine["model"] = "risk";
  fine["training"]["rounds"] = 5;
  proposed = ProposeJob("bank", fine);
  std::string tuning = proposed["result"]["id"];
  Run({"query", "approve", tuning, "--identity", Id("insurer")});
  run = RunJob(tuning, "bank");
  ASSERT_EQ(run["state"], "succeeded") << run.dump();
  EXPECT_EQ(run["report"]["record"]["job"]["boostedRounds"], 25);
  ResultOf(run, "bank", "risk-25.json");
  EXPECT_EQ(Python("rounds " + Path("risk-25.json")), std::vector<std::string>{"25"});

  // Consent revocation: the insurer switches its dataset off; the next job cannot run.
  proposed = ProposeJob("bank", TrainingJob());
  std::string next = proposed["result"]["id"];
  Run({"query", "approve", next, "--identity", Id("insurer")});
  Run({"dataset", "disable", "insurer", "--identity", Id("insurer")});
  std::string blocked = Run({"run", "request", next, "--identity", Id("bank")}, 1);
  EXPECT_NE(blocked.find("FailedPrecondition"), std::string::npos) << blocked;

  // A restarted service replays models and jobs from its ledger: the same bound jobs and hashes.
  json before = JsonOf(Run({"query", "show", scoring, "--identity", Id("bank"), "--json"}));
  server_->Terminate();
  server_ = std::make_unique<ProcessServer>(dir_.path() + "/service");
  ASSERT_FALSE(server_->url().empty());
  Run({"governance", "pin", "--identity", Id("bank"), "--governance", server_->url(),
       "--service-fingerprint", server_->fingerprint()});
  json after = JsonOf(Run({"query", "show", scoring, "--identity", Id("bank"), "--json"}));
  EXPECT_EQ(after["queryHash"], before["queryHash"]);
  EXPECT_EQ(after["bound"], before["bound"]);
  EXPECT_EQ(after["bound"]["model"]["name"], "risk");
}

TEST_F(MlE2e, AModelTrainedInPythonIsFineTunedThroughAGovernedJob) {
  // The bank trains a model in Python on half its customers (10 rounds) and publishes it.
  WriteRows("half.csv", "half-labels.csv", kCustomers / 2);
  Write("params.json", Params().dump());
  Python("train " + Path("half.csv") + " " + Path("half-labels.csv") + " " + Path("py.json") +
         " 10 " + Path("params.json"));
  ASSERT_EQ(Python("rounds " + Path("py.json")), std::vector<std::string>{"10"});
  Write("py-policy.json", json({{"fineTuning", true}}).dump());
  Run({"model", "publish", Path("py.json"), "--name", "pyrisk", "--policy", Path("py-policy.json"),
       "--identity", Id("bank"), "--storage", Storage()});

  // Fine-tuning on every customer of the join, 6 rounds, approved by the insurer (its rows) and
  // the bank (the model's owner, who proposes).
  json fine = TrainingJob();
  fine["name"] = "py-fine-tuning";
  fine["kind"] = "fine-tuning";
  fine["model"] = "pyrisk";
  fine["training"]["rounds"] = 6;
  fine.erase("evaluation");  // every row trains, as in Python below
  json proposed = ProposeJob("bank", fine);
  std::string id = proposed["result"]["id"];
  EXPECT_EQ(proposed["result"]["model"]["owner"], ids_["bank"]);
  Run({"query", "approve", id, "--identity", Id("insurer")});
  json run = RunJob(id, "bank");
  ASSERT_EQ(run["state"], "succeeded") << run.dump();
  const json& record = run["report"]["record"];
  EXPECT_EQ(record["job"]["boostedRounds"], 16);
  EXPECT_EQ(record["job"]["trainingRows"], kCustomers);
  // The record names the data that trained it and the model it started from.
  ASSERT_EQ(record["inputs"].size(), 3u);
  EXPECT_EQ(record["inputs"][2]["dataset"], "pyrisk");
  ResultOf(run, "bank", "tuned.json");
  ResultOf(run, "insurer", "tuned-stolen.json", 1);
  EXPECT_EQ(Python("rounds " + Path("tuned.json")), std::vector<std::string>{"16"});

  // Python continues its own model on the same rows with the same parameters: the clean room's
  // fine-tuned model predicts what Python's does, within float tolerance (the rows reach
  // XGBoost in the join's order there, in the customers' order here).
  WriteRows("all.csv", "all-labels.csv", kCustomers);
  Python("continue " + Path("py.json") + " " + Path("all.csv") + " " + Path("all-labels.csv") +
         " " + Path("py-16.json") + " 6 " + Path("params.json"));
  std::vector<float> ours = PythonPredicts("tuned.json", "all.csv");
  std::vector<float> theirs = PythonPredicts("py-16.json", "all.csv");
  std::vector<float> before = PythonPredicts("py.json", "all.csv");
  ASSERT_EQ(ours.size(), static_cast<size_t>(kCustomers));
  ASSERT_EQ(theirs.size(), ours.size());
  ASSERT_EQ(before.size(), ours.size());
  double largest = 0, moved = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    largest = std::max(largest, std::fabs(static_cast<double>(ours[i]) - theirs[i]));
    moved = std::max(moved, std::fabs(static_cast<double>(ours[i]) - before[i]));
  }
  EXPECT_LT(largest, 1e-3);
  // ...and the 6 rounds changed the model (the comparison above is not of two unchanged ones).
  EXPECT_GT(moved, 1e-2);
}

TEST_F(MlE2e, RefusalsWithClearErrors) {
  // A feature column its owner did not allow (the insurer's premium).
  json job = TrainingJob();
  job["steps"] = {
      "SELECT b.customer_id, i.customer_id AS insured, i.premium, b.defaulted FROM bank b JOIN "
      "insurer i ON b.customer_id = i.customer_id"};
  std::string error = ProposeJob("bank", job, 1)["error"];
  EXPECT_NE(error.find("column premium of dataset insurer may not be a feature"), std::string::npos)
      << error;
  // A label its owner did not allow (the insurer's claims).
  job = TrainingJob();
  job["label"] = "claims";
  job["steps"] = {
      "SELECT b.customer_id, i.customer_id AS insured, b.income, i.claims FROM bank b JOIN "
      "insurer i ON b.customer_id = i.customer_id"};
  error = ProposeJob("bank", job, 1)["error"];
  EXPECT_NE(error.find("claims of dataset insurer may not be a label"), std::string::npos) << error;
  // A join column used as a feature.
  job = TrainingJob();
  job["steps"] = {"SELECT customer_id, length(customer_id) AS l, defaulted FROM bank"};
  error = ProposeJob("bank", job, 1)["error"];
  EXPECT_NE(error.find("only joins"), std::string::npos) << error;
  // Too few units: accepted at proposal (the count is the data's), refused by the runtime before
  // any training, without the count.
  json proposed = ProposeJob("bank", TrainingJob(" WHERE i.age < 25"));
  std::string id = proposed["result"]["id"];
  Run({"query", "approve", id, "--identity", Id("insurer")});
  json run = RunJob(id, "bank");
  EXPECT_EQ(run["state"], "failed");
  EXPECT_NE(run.value("reason", "").find("than its owner's minimum of 500"), std::string::npos)
      << run.dump();
  // One rejection rejects: the insurer rejects a job reading its data.
  proposed = ProposeJob("bank", TrainingJob());
  id = proposed["result"]["id"];
  Run({"query", "reject", id, "--identity", Id("insurer")});
  std::string refused = Run({"run", "request", id, "--identity", Id("bank")}, 1);
  EXPECT_NE(refused.find("FailedPrecondition"), std::string::npos) << refused;
}

}  // namespace
}  // namespace cleanroom::runtime
