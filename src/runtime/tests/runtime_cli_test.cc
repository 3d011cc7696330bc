// `dataset publish` through the cleanroom binary against `governance serve` on loopback: refused
// for a non-provider (leaving nothing), the document and the sealed key reach governance. Runs and
// results are in runtime_e2e_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/file.h"
#include "crypto/container.h"
#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"
#include "govwire/json_reader.h"
#include "runtime/run_execution.h"
#include "runtime/sealed_result.h"
#include "runtime/storage.h"

namespace cleanroom::runtime {
namespace {

using governance::testing::ProcessServer;
using governance::testing::RunCleanroom;
using governance::testing::RunCleanroomExpecting;
using governance::testing::TempDir;
using nlohmann::json;

class RuntimeCli : public ::testing::Test {
 protected:
  std::string Run(const std::vector<std::string>& args, int expected = 0) {
    return RunCleanroomExpecting(args, expected);
  }
  std::string Id(const std::string& who) { return dir_.path() + "/" + who; }
  TempDir dir_;
};

TEST_F(RuntimeCli, PublishRunAndGetResult) {
  for (const char* who : {"alice", "bob", "carol"})
    Run({"keygen", "--name", who, "--out", Id(who)});
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
    for (int i = 0; i < 90; ++i)
      out << "e" << i << "," << (i < 60 ? "a" : i < 85 ? "b" : "c") << "\n";
  }
  std::string policy = dir_.path() + "/policy.json";
  ASSERT_TRUE(
      WriteFileAtomic(policy, R"({"privacyUnit": "hashed_email", "minGroupUnits": 10})").ok());
  std::string storage_url = "file://" + dir_.path() + "/storage";
  std::string key_file = dir_.path() + "/customers.dek";
  // A provider only: alice (analyst) is refused and leaves no ciphertext behind.
  std::string refused = Run({"dataset", "publish", csv, "--name", "customers", "--policy", policy,
                             "--identity", Id("alice"), "--storage", storage_url},
                            1);
  EXPECT_NE(refused.find("PermissionDenied"), std::string::npos) << refused;
  std::string published_dir = dir_.path() + "/storage/datasets/customers";
  EXPECT_TRUE(!std::filesystem::exists(published_dir) || std::filesystem::is_empty(published_dir));
  Run({"dataset", "publish", csv, "--name", "customers", "--policy", policy, "--identity",
       Id("bob"), "--storage", storage_url, "--save-key", key_file});

  std::string shown = Run({"dataset", "show", "customers", "--identity", Id("alice"), "--json"});
  auto view = govwire::ParseJson(shown, "output");
  ASSERT_TRUE(view.ok()) << shown;
  const json& version = (*view)["versions"][0];
  EXPECT_FALSE(version["secret"].is_null());
  auto key_text = ReadFileToString(key_file);
  ASSERT_TRUE(key_text.ok());
  auto key = crypto::container::DataKey::Parse(*key_text);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(key->key_id()), version["document"]["keyId"]);
}

}  // namespace
}  // namespace cleanroom::runtime
