// The client verbs of the cleanroom binary against `cleanroom governance serve`, end to end:
// keygen, pin, collab, dataset, query, run, audit download / receipt and their offline checks.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"
#include "crypto/container.h"
#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"
#include "governance/wire.h"

namespace cleanroom::governance::testing {
namespace {

class GovernanceCli : public ::testing::Test {
 protected:
  // Runs the binary; expects exit code `expected` and returns the output.
  std::string Run(const std::vector<std::string>& args, int expected = 0) {
    return RunCleanroomExpecting(args, expected);
  }
  Json RunJson(std::vector<std::string> args) {
    args.push_back("--json");
    std::string out = Run(args);
    auto j = ParseJson(out, "output");
    EXPECT_TRUE(j.ok()) << out;
    return j.ok() ? *j : Json();
  }
  std::string Id(const std::string& who) { return dir_.path() + "/" + who; }

  TempDir dir_;
};

TEST_F(GovernanceCli, AWholeCollaborationThroughTheCommandLine) {
  for (const char* who : {"alice", "bob", "carol"}) {
    Run({"keygen", "--name", who, "--out", Id(who)});
  }
  std::string data = dir_.path() + "/service";
  ProcessServer server(data);
  ASSERT_FALSE(server.url().empty());
  std::string info = Run({"governance", "info", "--data-dir", data});
  EXPECT_NE(info.find(server.fingerprint()), std::string::npos) << info;
  for (const char* who : {"alice", "bob", "carol"}) {
    Run({"governance", "pin", "--identity", Id(who), "--governance", server.url(),
         "--service-fingerprint", server.fingerprint()});
  }
  // A wrong fingerprint is refused before anything is sent.
  std::string wrong = Run({"collab", "show", "--identity", Id("alice"), "--governance",
                           server.url(), "--service-fingerprint", std::string(64, 'b')},
                          1);
  EXPECT_NE(wrong.find("Unauthenticated"), std::string::npos) << wrong;

  Run({"collab", "create", "--identity", Id("alice"), "--name", "demo", "--member",
       Id("alice") + ":analyst,recipient", "--member", Id("bob") + ":provider", "--member",
       Id("carol") + ":provider,recipient"});
  EXPECT_EQ(RunJson({"collab", "show", "--identity", Id("bob")})["state"], "proposed");
  Run({"collab", "accept", "--identity", Id("bob")});
  Run({"collab", "accept", "--identity", Id("carol")});
  std::string shown = Run({"collab", "show", "--identity", Id("alice")});
  EXPECT_NE(shown.find("state active"), std::string::npos) << shown;

  // Datasets, one with its key stored.
  auto key = crypto::container::DataKey::Generate();
  ASSERT_TRUE(key.ok());
  std::string dek = dir_.path() + "/impressions.dek";
  ASSERT_TRUE(WriteFileAtomic(dek, key->Serialize(), 0600).ok());
  std::string content = dir_.path() + "/impressions.enc";
  ASSERT_TRUE(WriteFileAtomic(content, "ciphertext").ok());
  std::string reg = Run({"dataset",    "register",
                         "--identity", Id("bob"),
                         "--name",     "impressions",
                         "--format",   "parquet",
                         "--schema",   "email:string,segment:string",
                         "--allowed",  "email,segment",
                         "--role",     "email=join",
                         "--location", "file://" + content,
                         "--content",  content,
                         "--key-file", dek});
  EXPECT_NE(reg.find("key stored"), std::string::npos) << reg;
  Run({"dataset", "register", "--identity", Id("carol"), "--name", "policies", "--format", "csv",
       "--schema", "email:string,product:string", "--allowed", "email,product", "--location",
       "file:///p.enc", "--content", content, "--bogus", "k"},
      2);  // unknown flag: usage
  Run({"dataset", "register", "--identity", Id("carol"), "--name", "policies", "--format", "csv",
       "--schema", "email:string,product:string", "--allowed", "email,product", "--location",
       "file:///p.enc", "--content", content, "--key-id", "policies-key"});
  // alice is no provider.
  std::string denied = Run({"dataset", "register", "--identity", Id("alice"), "--name", "x",
                            "--format", "csv", "--schema", "a:string", "--allowed", "a",
                            "--location", "file:///x", "--content", content, "--key-id", "k"},
                           1);
  EXPECT_NE(denied.find("PermissionDenied"), std::string::npos) << denied;
  Json listed = RunJson({"dataset", "list", "--identity", Id("alice")});
  EXPECT_EQ(listed["datasets"].size(), 2u);
  Run({"dataset", "disable", "--identity", Id("bob"), "impressions"});
  std::string off = Run({"dataset", "show", "--identity", Id("carol"), "impressions"});
  EXPECT_NE(off.find("disabled by its owner"), std::string::npos) << off;
  EXPECT_NE(off.find("key stored (sealed)"), std::string::npos) << off;
  Run({"dataset", "enable", "--identity", Id("bob"), "impressions"});

  // A query over both datasets: bob and carol approve.
  Json proposed =
      RunJson({"query", "propose", "--identity", Id("alice"), "--name", "overlap", "--sql",
               "SELECT COUNT(*) AS n FROM impressions i JOIN policies p ON i.email = p.email",
               "--recipient", Id("alice")});
  if (proposed.is_null()) return;
  std::string qid = proposed["result"]["id"];
  EXPECT_EQ(proposed["result"]["approvers"].size(), 2u);
  Run({"query", "approve", "--identity", Id("bob"), qid});
  Run({"query", "approve", "--identity", Id("carol"), qid});
  EXPECT_EQ(RunJson({"query", "show", "--identity", Id("alice"), qid})["state"], "accepted");
  Json run = RunJson({"run", "request", "--identity", Id("alice"), qid});
  EXPECT_EQ(run["result"]["state"], "requested");
  Run({"collab", "stop", "--identity", Id("carol")});
  std::string stopped = Run({"run", "request", "--identity", Id("alice"), qid}, 1);
  EXPECT_NE(stopped.find("stopped"), std::string::npos) << stopped;
  Run({"collab", "resume", "--identity", Id("carol")});
  EXPECT_EQ(RunJson({"run", "list", "--identity", Id("bob")})["runs"].size(), 1u);

  // The ledger and a receipt, checked offline.
  std::string ledger = dir_.path() + "/ledger.bin";
  Run({"audit", "download", "--identity", Id("carol"), "--out", ledger});
  std::string verified =
      Run({"audit", "verify", "--ledger", ledger, "--service-cert", data + "/service/cert.pem"});
  std::string receipt = dir_.path() + "/receipt.json";
  uint64_t seqno = run["seqno"];
  Run({"audit", "receipt", "--identity", Id("bob"), std::to_string(seqno), "--out", receipt});
  Run({"audit", "verify-receipt", receipt, "--service-cert", data + "/service/cert.pem"});
}

// `governance init` creates a data dir's missing parents (owner-only, as the data dir itself);
// `serve` creates nothing before init; either names what is wrong with a path it cannot use.
TEST_F(GovernanceCli, DataDirPathsAreCreatedOrTheirProblemIsNamed) {
  std::string nested = dir_.path() + "/a/b/service";
  std::string init = Run({"governance", "init", "--data-dir", nested});
  EXPECT_NE(init.find("bootstrap token"), std::string::npos) << init;
  for (const std::string& made : {dir_.path() + "/a", dir_.path() + "/a/b", nested}) {
    struct stat st;
    ASSERT_EQ(::stat(made.c_str(), &st), 0) << made;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << made;
  }
  std::string info = Run({"governance", "info", "--data-dir", nested});
  EXPECT_NE(info.find("service fingerprint"), std::string::npos) << info;

  // A part of the path that is a file, not a folder.
  std::string file = dir_.path() + "/file";
  ASSERT_TRUE(WriteFileAtomic(file, "x").ok());
  std::string under_file = Run({"governance", "init", "--data-dir", file + "/x"}, 2);
  EXPECT_NE(under_file.find("--data-dir: " + file + " exists and is not a directory"),
            std::string::npos)
      << under_file;
  EXPECT_EQ(under_file.find("Internal"), std::string::npos) << under_file;

  // A folder it may not write in.
  if (::geteuid() != 0) {  // root writes anywhere
    std::string locked = dir_.path() + "/locked";
    ASSERT_EQ(::mkdir(locked.c_str(), 0500), 0);
    std::string denied = Run({"governance", "init", "--data-dir", locked + "/x"}, 1);
    EXPECT_NE(denied.find("PermissionDenied: --data-dir: cannot create " + locked + "/x"),
              std::string::npos)
        << denied;
  }

  // serve on a data dir that does not exist creates nothing and says to run init.
  std::string missing = dir_.path() + "/missing/service";
  std::string serve =
      Run({"governance", "serve", "--data-dir", missing, "--listen", "127.0.0.1:0"}, 2);
  EXPECT_NE(serve.find("--data-dir: " + missing + " does not exist"), std::string::npos) << serve;
  EXPECT_NE(serve.find("governance init"), std::string::npos) << serve;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/missing"));
  std::string not_dir =
      Run({"governance", "serve", "--data-dir", file, "--listen", "127.0.0.1:0"}, 2);
  EXPECT_NE(not_dir.find("--data-dir: " + file + " is not a directory"), std::string::npos)
      << not_dir;

  // The runtime's and keygen's paths: each error names its flag and path, none is Internal.
  std::vector<std::string> runtime = {
      "runtime",           "serve", "--governance", "https://127.0.0.1:1", "--service-fingerprint",
      std::string(64, 'a')};
  std::vector<std::string> platform = runtime;
  platform.insert(platform.end(), {"--platform", dir_.path() + "/nope"});
  std::string no_platform = Run(platform, 2);
  EXPECT_NE(no_platform.find("--platform " + dir_.path() + "/nope (made by"), std::string::npos)
      << no_platform;
  std::vector<std::string> vcek = runtime;
  vcek.insert(vcek.end(), {"--evidence", "sev-snp", "--vcek", dir_.path() + "/nope.pem"});
  std::string no_vcek = Run(vcek, 2);
  EXPECT_NE(no_vcek.find("--vcek " + dir_.path() + "/nope.pem: "), std::string::npos) << no_vcek;
  std::string keygen = Run({"keygen", "--name", "x", "--out", file + "/id"}, 2);
  EXPECT_NE(keygen.find("InvalidArgument: identity: cannot create " + file + "/id"),
            std::string::npos)
      << keygen;
}

}  // namespace
}  // namespace cleanroom::governance::testing
