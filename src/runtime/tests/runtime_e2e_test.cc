// The whole collaboration on loopback through the cleanroom binary: `governance serve` and
// `runtime serve` as child processes, members acting through the CLI. The happy path, every
// refusal of key release (unapproved or switched-off query, consent revoked, measurement not in
// the contract, simulated evidence where only sev-snp is allowed, evidence bound to another run
// or key), a non-recipient, a tampered ciphertext and a runtime killed mid-run.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "attest/simulated.h"
#include "base/file.h"
#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"
#include "govwire/governance_client.h"
#include "govwire/json_reader.h"
#include "runtime/key_request.h"
#include "runtime/sealed_result.h"

namespace cleanroom::runtime {
namespace {

using governance::testing::ChildProcess;
using governance::testing::ProcessServer;
using governance::testing::RunCleanroom;
using governance::testing::RunCleanroomExpecting;
using governance::testing::TempDir;
using nlohmann::json;

struct CollabSetup {
  std::string measurement;  // empty: this runtime's own
  std::vector<std::string> kinds = {"simulated"};
};

class RuntimeE2e : public ::testing::Test {
 protected:
  std::string Run(const std::vector<std::string>& args, int expected = 0) {
    return RunCleanroomExpecting(args, expected);
  }
  // Runs and returns the exit code without expecting one.
  int RunRc(const std::vector<std::string>& args, std::string* out) {
    return RunCleanroom(args, out);
  }
  std::string Id(const std::string& who) const { return dir_.path() + "/" + who; }
  std::string Storage() const { return "file://" + dir_.path() + "/storage"; }
  json JsonOf(const std::string& text) {
    auto parsed = govwire::ParseJson(text, "output");
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? *parsed : json();
  }

  void SetUpCollaboration(const CollabSetup& setup) {
    for (const char* who : {"adv", "pub", "meas", "other"}) {
      Run({"keygen", "--name", who, "--out", Id(who)});
    }
    std::string platform = Run({"runtime", "init-platform", "--out", Id("platform")});
    size_t at = platform.find("simulated_platform_keys): ");
    ASSERT_NE(at, std::string::npos) << platform;
    platform_key_ = platform.substr(at + 26, 64);
    std::string measured = Run({"runtime", "measure"});
    measurement_ = measured.substr(0, 96);
    server_ = std::make_unique<ProcessServer>(dir_.path() + "/service",
                                              std::vector<std::string>{"--run-timeout", "2"});
    ASSERT_FALSE(server_->url().empty());
    for (const char* who : {"adv", "pub", "meas", "other"}) {
      Run({"governance", "pin", "--identity", Id(who), "--governance", server_->url(),
           "--service-fingerprint", server_->fingerprint()});
    }
    std::vector<std::string> create = {
        "collab",         "create",
        "--identity",     Id("adv"),
        "--name",         "e2e",
        "--member",       Id("adv") + ":provider,analyst,recipient",
        "--member",       Id("pub") + ":provider",
        "--member",       Id("meas") + ":recipient",
        "--member",       Id("other"),
        "--measurement",  setup.measurement.empty() ? measurement_ : setup.measurement,
        "--platform-key", platform_key_};
    for (const std::string& kind : setup.kinds) {
      create.push_back("--evidence-kind");
      create.push_back(kind);
    }
    if (std::find(setup.kinds.begin(), setup.kinds.end(), "sev-snp") != setup.kinds.end()) {
      std::string snp_policy = dir_.path() + "/snp-policy.json";
      ASSERT_TRUE(WriteFileAtomic(snp_policy, R"({"minTcb": {"bootloader": 3, "tee": 0,
          "snp": 8, "microcode": 115}})")
                      .ok());
      create.insert(create.end(), {"--snp-policy", snp_policy});
    }
    Run(create);
    for (const char* who : {"pub", "meas", "other"})
      Run({"collab", "accept", "--identity", Id(who)});

    std::string customers = dir_.path() + "/customers.csv";
    std::string impressions = dir_.path() + "/impressions.csv";
    {
      std::ofstream c(customers);
      c << "hashed_email,age_band\n";
      for (int i = 0; i < 90; ++i)
        c << "e" << i << "," << (i < 60 ? "a" : i < 85 ? "b" : "c") << "\n";
      std::ofstream m(impressions);
      m << "hashed_email,campaign\n";
      for (int i = 0; i < 95; ++i) m << "e" << i << ",k" << (i % 3) << "\ne" << i << ",k9\n";
    }
    std::string policy = dir_.path() + "/policy.json";
    ASSERT_TRUE(
        WriteFileAtomic(policy, R"({"privacyUnit": "hashed_email", "minGroupUnits": 10})").ok());
    Run({"dataset", "publish", customers, "--name", "customers", "--policy", policy, "--identity",
         Id("adv"), "--storage", Storage()});
    Run({"dataset", "publish", impressions, "--name", "impressions", "--policy", policy,
         "--identity", Id("pub"), "--storage", Storage()});
    query_ = Propose("reach");
    Run({"query", "approve", query_, "--identity", Id("pub")});
  }

  std::string Propose(const std::string& name) {
    json proposed = JsonOf(Run(
        {"query", "propose", "--identity", Id("adv"), "--json", "--name", name, "--sql",
         // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one SQL text split over lines
         "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach FROM impressions i JOIN "
         "customers c ON i.hashed_email = c.hashed_email GROUP BY c.age_band ORDER BY c.age_band",
         "--recipient", Id("adv"), "--recipient", Id("meas")}));
    return proposed["result"].value("id", "");
  }
  std::string RequestRun(const std::string& query) {
    json requested = JsonOf(Run({"run", "request", query, "--identity", Id("adv"), "--json"}));
    return requested["result"].value("run", "");
  }
  std::vector<std::string> RuntimeArgs(bool once) {
    std::vector<std::string> args = {"runtime",
                                     "serve",
                                     "--governance",
                                     server_->url(),
                                     "--service-fingerprint",
                                     server_->fingerprint(),
                                     "--platform",
                                     Id("platform"),
                                     "--storage",
                                     Storage(),
                                     "--threads",
                                     "1"};
    if (once) args.push_back("--once");
    return args;
  }
  json RunView(const std::string& run) {
    return JsonOf(Run({"run", "show", run, "--identity", Id("adv"), "--json"}));
  }
  std::string Ledger() {
    std::string file = dir_.path() + "/ledger.bin";
    Run({"audit", "download", "--out", file, "--identity", Id("meas")});
    Run({"audit", "verify", "--ledger", file});
    auto bytes = ReadFileToString(file);
    return bytes.ok() ? *bytes : std::string();
  }
  bool HasResultObjects(const std::string& run) {
    return std::filesystem::exists(dir_.path() + "/storage/results/" + run);
  }
  // The pinned connection a runtime uses, opened once.
  govwire::HttpsConnection& Https() {
    if (https_ == nullptr) {
      govwire::ConnectionOptions options;
      EXPECT_TRUE(govwire::ParseServiceUrl(server_->url(), &options.host, &options.port).ok());
      options.service_fingerprint = server_->fingerprint();
      auto https = govwire::HttpsConnection::Connect(options);
      EXPECT_TRUE(https.ok());
      https_ = std::move(https).value();
    }
    return *https_;
  }
  // GET /v1/runs/{run}/challenge, as a runtime asks before it makes its evidence.
  Bytes Challenge(const std::string& run) {
    auto reply = Https().Request("GET", "/v1/runs/" + run + "/challenge", "", "");
    EXPECT_TRUE(reply.ok());
    if (!reply.ok()) return Bytes();
    auto parsed = govwire::RunChallenge::FromJson(govwire::MakeApiReply(*reply).body);
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? parsed->challenge : Bytes();
  }
  // A key request for `run` made in-process with the runtime library, as `runtime serve` makes
  // it (this runtime's platform key and measurement, a fresh challenge unless one is given).
  KeyRequest RuntimeKeyRequest(const std::string& run,
                               std::optional<Bytes> challenge = std::nullopt) {
    auto platform = attest::PlatformKey::Load(Id("platform"));
    EXPECT_TRUE(platform.ok());
    auto measurement = HexDecode(measurement_);
    EXPECT_TRUE(measurement.ok());
    if (!challenge) challenge = Challenge(run);
    auto request = MakeSimulatedKeyRequest(run, *challenge, *platform, *measurement);
    EXPECT_TRUE(request.ok()) << request.status().ToString();
    return std::move(request).value();
  }
  // POST /v1/runs/{run}/keys with `body`, over the pinned connection a runtime uses.
  govwire::ApiReply PostKeys(const std::string& run, const json& body) {
    auto reply =
        Https().Request("POST", "/v1/runs/" + run + "/keys", "application/json", body.dump());
    EXPECT_TRUE(reply.ok());
    return govwire::MakeApiReply(*reply);
  }

  TempDir dir_;
  std::unique_ptr<ProcessServer> server_;
  std::unique_ptr<govwire::HttpsConnection> https_;
  std::string platform_key_, measurement_, query_;
};

TEST_F(RuntimeE2e, HappyPathSealedToRecipientsOnly) {
  SetUpCollaboration({});
  std::string run = RequestRun(query_);
  std::string served = Run(RuntimeArgs(true));
  EXPECT_NE(served.find("INSECURE"), std::string::npos) << served;
  EXPECT_NE(served.find("succeeded"), std::string::npos) << served;
  json view = RunView(run);
  EXPECT_EQ(view["state"], "succeeded") << view.dump();
  EXPECT_EQ(view["release"]["evidence"]["kind"], "simulated");
  EXPECT_EQ(view["release"]["evidence"]["measurement"], measurement_);
  EXPECT_EQ(view["release"]["keys"].size(), 2u);
  EXPECT_EQ(view["report"]["record"]["rowsOut"], 2);

  for (const char* who : {"adv", "meas"}) {
    std::string out = dir_.path() + "/" + who + ".csv";
    std::string got =
        Run({"result", "get", run, "--out", out, "--identity", Id(who), "--storage", Storage()});
    EXPECT_NE(got.find("rows suppressed"), std::string::npos) << got;
    auto text = ReadFileToString(out);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "age_band,reach\na,60\nb,25\n");  // band c (5 people) is below the floor
  }
  std::string denied = Run({"result", "get", run, "--out", dir_.path() + "/other.csv", "--identity",
                            Id("other"), "--storage", Storage()},
                           1);
  EXPECT_NE(denied.find("PermissionDenied"), std::string::npos) << denied;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/other.csv"));
  // A flipped byte in the sealed output is refused (DataLoss), and nothing is written.
  std::string sealed_path = dir_.path() + "/storage/" + ResultOutputKey(run);
  auto sealed = ReadFileToString(sealed_path);
  ASSERT_TRUE(sealed.ok());
  (*sealed)[sealed->size() - 3] ^= 0x40;
  ASSERT_TRUE(WriteFileAtomic(sealed_path, *sealed).ok());
  std::string tampered = Run({"result", "get", run, "--out", dir_.path() + "/t.csv", "--identity",
                              Id("adv"), "--storage", Storage()},
                             1);
  EXPECT_NE(tampered.find("DataLoss"), std::string::npos) << tampered;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/t.csv"));
  // Keys are released once per run: the runtime finds nothing to do.
  Run(RuntimeArgs(true));
  EXPECT_EQ(RunView(run)["state"], "succeeded");
  std::string ledger = Ledger();
  EXPECT_NE(ledger.find("run.keys"), std::string::npos);
  EXPECT_NE(ledger.find("run.report"), std::string::npos);

  // A restarted service rebuilds the run's release and report from its ledger.
  server_->Terminate();
  server_ = std::make_unique<ProcessServer>(dir_.path() + "/service");
  ASSERT_FALSE(server_->url().empty());
  Run({"governance", "pin", "--identity", Id("adv"), "--governance", server_->url(),
       "--service-fingerprint", server_->fingerprint()});
  json replayed = RunView(run);
  EXPECT_EQ(replayed["state"], "succeeded");
  EXPECT_EQ(replayed["release"], view["release"]);
  EXPECT_EQ(replayed["report"]["record"], view["report"]["record"]);
}

TEST_F(RuntimeE2e, UnapprovedOrSwitchedOffQueryGetsNoKeys) {
  SetUpCollaboration({});
  std::string pending = Propose("pending");
  std::string refused = Run({"run", "request", pending, "--identity", Id("adv")}, 1);
  EXPECT_NE(refused.find("not accepted"), std::string::npos) << refused;

  std::string run = RequestRun(query_);
  Run({"query", "disable", query_, "--identity", Id("pub")});
  std::string out;
  EXPECT_NE(RunRc(RuntimeArgs(true), &out), 0) << out;
  EXPECT_NE(out.find("switched off"), std::string::npos) << out;
  json view = RunView(run);
  EXPECT_EQ(view["state"], "failed");
  EXPECT_NE(view.value("reason", "").find("switched off by approver"), std::string::npos)
      << view.dump();
  EXPECT_NE(Ledger().find("run.refused"), std::string::npos);
  EXPECT_FALSE(HasResultObjects(run));
}

TEST_F(RuntimeE2e, ConsentRevocationBlocksTheNextRun) {
  SetUpCollaboration({});
  std::string first = RequestRun(query_);
  Run(RuntimeArgs(true));
  EXPECT_EQ(RunView(first)["state"], "succeeded");
  std::string second = RequestRun(query_);
  Run({"dataset", "disable", "impressions", "--identity", Id("pub")});
  std::string out;
  EXPECT_NE(RunRc(RuntimeArgs(true), &out), 0) << out;
  json view = RunView(second);
  EXPECT_EQ(view["state"], "failed");
  EXPECT_NE(view.value("reason", "").find("dataset 'impressions' is switched off"),
            std::string::npos)
      << view.dump();
  std::string blocked = Run({"run", "request", query_, "--identity", Id("adv")}, 1);
  EXPECT_NE(blocked.find("switched off"), std::string::npos) << blocked;
}

TEST_F(RuntimeE2e, MeasurementNotInTheContractGetsNoKeys) {
  SetUpCollaboration({std::string(96, 'a')});
  std::string run = RequestRun(query_);
  std::string out;
  EXPECT_NE(RunRc(RuntimeArgs(true), &out), 0) << out;
  EXPECT_NE(out.find("EvidenceRefused"), std::string::npos) << out;
  EXPECT_NE(out.find("measurement_not_allowed"), std::string::npos) << out;
  EXPECT_EQ(RunView(run)["state"], "requested");  // a genuine runtime may still take it
  EXPECT_NE(Ledger().find("EvidenceRefused"), std::string::npos);
}

TEST_F(RuntimeE2e, SimulatedEvidenceRefusedWhenOnlySevSnpIsAllowed) {
  SetUpCollaboration({"", {"sev-snp"}});
  std::string run = RequestRun(query_);
  std::string out;
  EXPECT_NE(RunRc(RuntimeArgs(true), &out), 0) << out;
  EXPECT_NE(out.find("kind_not_allowed"), std::string::npos) << out;
  EXPECT_EQ(RunView(run)["state"], "requested");
}

TEST_F(RuntimeE2e, EvidenceBoundToAnotherRunOrKeyGetsNoKeys) {
  SetUpCollaboration({});
  std::string r1 = RequestRun(query_);
  std::string r2 = RequestRun(query_);
  auto post = [&](const std::string& run, const json& body) { return PostKeys(run, body); };

  // Evidence made for r2 (with r2's challenge), presented for r1.
  std::optional<KeyRequest> for_r2 = RuntimeKeyRequest(r2);
  json body = for_r2->ToJson();
  body["run"] = r1;
  auto reply = post(r1, body);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error->code, "EvidenceRefused");
  EXPECT_NE(reply.error->message.find("challenge_not_issued_for_this_run"), std::string::npos);
  // The same, sent with a challenge of r1 (which the evidence does not bind).
  body["challenge"] = Base64Encode(Challenge(r1));
  reply = post(r1, body);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error->code, "EvidenceRefused");
  EXPECT_NE(reply.error->message.find("report_data_mismatch"), std::string::npos);

  // Evidence for r1, but another public key than the one it binds.
  std::optional<KeyRequest> for_r1 = RuntimeKeyRequest(r1);
  body = for_r1->ToJson();
  body["publicKey"] = for_r2->ToJson()["publicKey"];
  reply = post(r1, body);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error->code, "EvidenceRefused");
  EXPECT_NE(reply.error->message.find("report_data_mismatch"), std::string::npos);
  EXPECT_EQ(RunView(r1)["state"], "requested");

  // The genuine request gets keys that open only with its own ephemeral key.
  reply = post(r1, for_r1->ToJson());
  ASSERT_TRUE(reply.ok()) << reply.error->message;
  const json& key = reply.body["keys"][0];
  auto enc = Base64Decode(key.value("enc", ""));
  auto sealed = Base64Decode(key.value("sealed", ""));
  ASSERT_TRUE(enc.ok() && sealed.ok());
  std::string key_id = reply.body["work"]["datasets"][0]["document"].value("keyId", "");
  std::string dataset = key.value("dataset", "");
  EXPECT_TRUE(OpenReleasedKey(*for_r1, dataset, 1, key_id, *enc, *sealed).ok());
  EXPECT_FALSE(OpenReleasedKey(*for_r2, dataset, 1, key_id, *enc, *sealed).ok());
  EXPECT_EQ(RunView(r1)["state"], "running");
  // A second release for the same run is refused, here with the challenge already used (no new
  // one is issued for a running run).
  reply = post(r1, RuntimeKeyRequest(r1, for_r1->challenge).ToJson());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error->code, "FailedPrecondition");
}

TEST_F(RuntimeE2e, TamperedCiphertextFailsTheRunWithDataLoss) {
  SetUpCollaboration({});
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           dir_.path() + "/storage/datasets/impressions")) {
    if (!entry.is_regular_file()) continue;
    auto bytes = ReadFileToString(entry.path());
    ASSERT_TRUE(bytes.ok());
    (*bytes)[bytes->size() / 2] ^= 0x01;
    ASSERT_TRUE(WriteFileAtomic(entry.path(), *bytes).ok());
  }
  std::string run = RequestRun(query_);
  std::string out;
  EXPECT_NE(RunRc(RuntimeArgs(true), &out), 0) << out;
  json view = RunView(run);
  EXPECT_EQ(view["state"], "failed");
  EXPECT_NE(view.value("reason", "").find("DataLoss"), std::string::npos) << view.dump();
  EXPECT_FALSE(HasResultObjects(run));
  std::string got = Run({"result", "get", run, "--out", dir_.path() + "/r.csv", "--identity",
                         Id("adv"), "--storage", Storage()},
                        1);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/r.csv"));
}

// A runtime that dies once it holds the keys (killed mid-run) never reports: governance expires
// the run as failed and nothing reaches the recipients. The test is that runtime: it obtains the
// keys in-process through the runtime library, exactly as `runtime serve` does, then stops.
TEST_F(RuntimeE2e, RuntimeKilledMidRunLeavesTheRunFailedAndNoOutput) {
  SetUpCollaboration({});
  std::string run = RequestRun(query_);
  auto reply = PostKeys(run, RuntimeKeyRequest(run).ToJson());
  ASSERT_TRUE(reply.ok()) << reply.error->message;
  ASSERT_FALSE(reply.body["keys"].empty());
  ASSERT_EQ(RunView(run).value("state", ""), "running");
  std::string state;
  json view;
  for (int i = 0; i < 100 && state != "failed"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    view = RunView(run);
    state = view.value("state", "");
  }
  EXPECT_EQ(state, "failed");
  EXPECT_NE(view.value("reason", "").find("DeadlineExceeded"), std::string::npos) << view.dump();
  EXPECT_FALSE(HasResultObjects(run));
  std::string got = Run({"result", "get", run, "--out", dir_.path() + "/r.csv", "--identity",
                         Id("adv"), "--storage", Storage()},
                        1);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/r.csv"));
}

}  // namespace
}  // namespace cleanroom::runtime

namespace cleanroom::runtime {
namespace {

// `cleanroom demo`: the three-party collaboration end to end, as `make demo` runs it.
TEST(Demo, ThreePartyCollaborationEndToEnd) {
  governance::testing::TempDir dir;
  std::string out = governance::testing::RunCleanroomExpecting(
      {"demo", "--scale", "4000", "--dir", dir.path() + "/demo"});
  for (const char* expected :
       {"the collaboration is active", "publisher REJECTS it", "is rejected", "run r1: succeeded",
        "run r3: 3 dataset key(s) released", "run r3: succeeded", "measurement opens the result",
        "publisher is not a recipient", "row(s) suppressed by minGroupUnits(conversions)>=50",
        "keys refused: dataset 'impressions' is switched off", "run r6 is failed", "ledger OK",
        // The ML jobs (docs/ml.md): training with a held-out metric, inference to the owner of
        // the scored rows only.
        "a training job", "held-out metrics", "\"auc\":", "only the advertiser opens the model",
        "an inference job", "advertiser received 0 predictions",
        "measurement received 0 predictions"}) {
    EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n" << out;
  }
  // The recipients' files are there; no plaintext dataset reached storage.
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/demo/results/r3-measurement.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/demo/results/r3-publisher.csv"));
  EXPECT_NE(out.find("publisher received 40000 predictions"), std::string::npos) << out;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir.path() + "/demo/storage")) {
    if (!entry.is_regular_file()) continue;
    auto bytes = ReadFileToString(entry.path());
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->find("hashed_email"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace cleanroom::runtime
