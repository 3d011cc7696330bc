// `dataset publish` and `result get` through the cleanroom binary against `governance serve` on
// loopback: the document and key reach governance, a run executed on the published ciphertext is
// opened by its recipient only, and a tampered result is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/file.h"
#include "crypto/container.h"
#include "governance/json_reader.h"
#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"
#include "runtime/run_execution.h"
#include "runtime/sealed_result.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {
namespace {

using governance::testing::ProcessServer;
using governance::testing::RunCleanroom;
using governance::testing::TempDir;
using nlohmann::json;

class RuntimeCli : public ::testing::Test {
 protected:
  std::string Run(std::vector<std::string> args, int expected = 0) {
    std::string out;
    int rc = RunCleanroom(args, &out);
    std::string line;
    for (const auto& a : args) line += a + " ";
    EXPECT_EQ(rc, expected) << line << "\n" << out;
    return out;
  }
  std::string Id(const std::string& who) { return dir_.path() + "/" + who; }
  TempDir dir_;
};

TEST_F(RuntimeCli, PublishRunAndGetResult) {
  for (const char* who : {"alice", "bob", "carol"}) Run({"keygen", "--name", who, "--out", Id(who)});
  ProcessServer server(dir_.path() + "/service");
  ASSERT_FALSE(server.url().empty());
  for (const char* who : {"alice", "bob", "carol"}) {
    Run({"governance", "pin", "--identity", Id(who), "--governance", server.url(),
         "--service-fingerprint", server.fingerprint()});
  }
  Run({"collab", "create", "--identity", Id("alice"), "--name", "t", "--member",
       Id("alice") + ":analyst,recipient", "--member", Id("bob") + ":provider", "--member",
       Id("carol")});
  Run({"collab", "accept", "--identity", Id("bob")});
  Run({"collab", "accept", "--identity", Id("carol")});

  std::string csv = dir_.path() + "/customers.csv";
  {
    std::ofstream out(csv);
    out << "hashed_email,age_band\n";
    for (int i = 0; i < 90; ++i) out << "e" << i << "," << (i < 60 ? "a" : i < 85 ? "b" : "c") << "\n";
  }
  std::string policy = dir_.path() + "/policy.json";
  ASSERT_TRUE(WriteFileAtomic(policy, R"({"privacyUnit": "hashed_email", "minGroupUnits": 10})").ok());
  std::string storage_url = "file://" + dir_.path() + "/storage";
  std::string key_file = dir_.path() + "/customers.dek";
  // A provider only: alice (analyst) is refused and leaves no ciphertext behind.
  std::string refused = Run({"dataset", "publish", csv, "--name", "customers", "--policy", policy,
                             "--identity", Id("alice"), "--storage", storage_url}, 1);
  EXPECT_NE(refused.find("PermissionDenied"), std::string::npos) << refused;
  std::string published_dir = dir_.path() + "/storage/datasets/customers";
  EXPECT_TRUE(!std::filesystem::exists(published_dir) || std::filesystem::is_empty(published_dir));
  Run({"dataset", "publish", csv, "--name", "customers", "--policy", policy, "--identity", Id("bob"),
       "--storage", storage_url, "--save-key", key_file});

  std::string shown = Run({"dataset", "show", "customers", "--identity", Id("alice"), "--json"});
  auto view = governance::ParseJson(shown, "output");
  ASSERT_TRUE(view.ok()) << shown;
  const json& version = (*view)["versions"][0];
  EXPECT_FALSE(version["secret"].is_null());
  auto key_text = ReadFileToString(key_file);
  ASSERT_TRUE(key_text.ok());
  auto key = crypto::container::DataKey::Parse(*key_text);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(key->key_id()), version["document"]["keyId"]);

  // The runtime's execution on the registered document and the published ciphertext.
  auto storage = OpenStorage(storage_url);
  ASSERT_TRUE(storage.ok());
  auto alice = crypto::LoadPublicIdentity(Id("alice"));
  ASSERT_TRUE(alice.ok());
  RunSpec spec;
  spec.run_id = "r1";
  spec.steps = {"SELECT age_band, COUNT(DISTINCT hashed_email) AS people FROM customers GROUP BY age_band ORDER BY age_band"};
  spec.inputs.push_back({version["document"], 1, version["hash"], &*key});
  spec.recipients.push_back({alice->member_id, alice->encryption_public_key});
  spec.evidence_kind = "simulated";
  spec.engine_threads = 1;
  RunOutcome outcome = ExecuteRun(spec, **storage);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  auto runtime_key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  ASSERT_TRUE(runtime_key.ok());
  ASSERT_TRUE(StoreRunRecord(**storage, outcome.record, *runtime_key).ok());

  std::string out_file = dir_.path() + "/result.csv";
  std::string got = Run({"result", "get", "r1", "--out", out_file, "--identity", Id("alice"),
                         "--storage", storage_url});
  EXPECT_NE(got.find("rows suppressed"), std::string::npos) << got;
  auto result = ReadFileToString(out_file);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, "age_band,people\na,60\nb,25\n");

  // Carol is a member but not a recipient.
  std::string denied = Run({"result", "get", "r1", "--out", dir_.path() + "/carol.csv",
                            "--identity", Id("carol"), "--storage", storage_url}, 1);
  EXPECT_NE(denied.find("PermissionDenied"), std::string::npos) << denied;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/carol.csv"));

  // A flipped byte in the sealed output is refused (DataLoss), and nothing is written.
  std::string sealed_path = dir_.path() + "/storage/" + ResultOutputKey("r1");
  auto sealed = ReadFileToString(sealed_path);
  ASSERT_TRUE(sealed.ok());
  (*sealed)[sealed->size() - 3] ^= 0x40;
  ASSERT_TRUE(WriteFileAtomic(sealed_path, *sealed).ok());
  std::string tampered = Run({"result", "get", "r1", "--out", dir_.path() + "/t.csv", "--identity",
                              Id("alice"), "--storage", storage_url}, 1);
  EXPECT_NE(tampered.find("DataLoss"), std::string::npos) << tampered;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/t.csv"));
}

}  // namespace
}  // namespace cleanroom::runtime
