// `cleanroom attest verify` and `cleanroom runtime init-platform` through the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/file.h"

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult Cleanroom(const std::string& args) {
  std::string command = std::string(CLEANROOM_BINARY) + " " + args + " 2>&1";
  CommandResult run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Data(const std::string& relative) {
  const char* env = std::getenv("CLEANROOM_TESTDATA");
  return std::string(env != nullptr ? env : CLEANROOM_TESTDATA_DIR) + "/attestation/" + relative;
}

class AttestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/attest_cli_" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(AttestCliTest, ValidReportExitsZeroAndPrintsFields) {
  CommandResult run =
      Cleanroom("attest verify --report " + Data("sev-snp/trustee/test-report.bin") + " --vcek " +
                Data("sev-snp/trustee/test-vcek.der") + " --at 2025-06-01T00:00:00Z");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("verdict: valid"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("measurement: a1f3930413247bb3"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("product: Milan"), std::string::npos);
}

TEST_F(AttestCliTest, DebugReportRefusedUnlessThePolicyAllowsIt) {
  std::string base = "attest verify --report " + Data("sev-snp/go-sev-guest/attestation.bin") +
                     " --vcek " + Data("sev-snp/go-sev-guest/vcek.testcer") + " --chain " +
                     Data("sev-snp/go-sev-guest/milan.testcer") + " --at 2025-06-01T00:00:00Z";
  CommandResult run = Cleanroom(base + " --json");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("\"reason\": \"debug_not_allowed\""), std::string::npos) << run.output;
  ASSERT_TRUE(cleanroom::WriteFileAtomic(dir_ + "/policy.json", R"({"allow_debug": true})").ok());
  run = Cleanroom(base + " --policy " + dir_ + "/policy.json");
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(AttestCliTest, ExpiredVlekExitsOne) {
  CommandResult run =
      Cleanroom("attest verify --report " + Data("sev-snp/trustee/test-vlek-report.bin") +
                " --vlek " + Data("sev-snp/trustee/test-vlek.der"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("reason: cert_expired"), std::string::npos) << run.output;
}

TEST_F(AttestCliTest, BadUsageAndUnreadableInputExitTwo) {
  EXPECT_EQ(
      Cleanroom("attest verify --report " + Data("sev-snp/trustee/test-report.bin")).exit_code, 2);
  EXPECT_EQ(Cleanroom("attest verify --report " + dir_ + "/missing.bin --vcek " +
                      Data("sev-snp/trustee/test-vcek.der"))
                .exit_code,
            2);
  EXPECT_EQ(Cleanroom("attest verify --report " + Data("sev-snp/trustee/test-report.bin") +
                      " --vcek " + Data("sev-snp/trustee/test-vcek.der") + " --vlek " +
                      Data("sev-snp/trustee/test-vlek.der"))
                .exit_code,
            2);
  EXPECT_EQ(Cleanroom("attest verify --report " + Data("sev-snp/trustee/test-report.bin") +
                      " --vcek " + Data("sev-snp/trustee/test-vcek.der") + " --at yesterday")
                .exit_code,
            2);
  // A readable file that is not a report is an invalid report, not bad usage.
  CommandResult run = Cleanroom("attest verify --report " + Data("sev-snp/trustee/test-vcek.der") +
                                " --vcek " + Data("sev-snp/trustee/test-vcek.der"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("malformed_report"), std::string::npos);
}

TEST_F(AttestCliTest, SimulatedEvidenceRoundTripIsLabelledInsecure) {
  CommandResult init = Cleanroom("runtime init-platform --out " + dir_ + "/platform");
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_NE(init.output.find("INSECURE"), std::string::npos);
  size_t at = init.output.find("simulated_platform_keys): ");
  ASSERT_NE(at, std::string::npos) << init.output;
  std::string key_id = init.output.substr(at + 26, 64);
  EXPECT_EQ(Cleanroom("runtime init-platform --out " + dir_ + "/platform").exit_code, 1);

  std::string measurement(96, 'a');
  CommandResult simulate =
      Cleanroom("runtime simulate-evidence --platform " + dir_ + "/platform" + " --measurement " +
                measurement + " --out " + dir_ + "/evidence.json");
  ASSERT_EQ(simulate.exit_code, 0) << simulate.output;

  std::string policy = R"({"allowed_kinds": ["simulated"], "simulated_platform_keys": [")" +
                       key_id + R"("], "measurements": [")" + measurement + R"("]})";
  ASSERT_TRUE(cleanroom::WriteFileAtomic(dir_ + "/policy.json", policy).ok());
  CommandResult run = Cleanroom("attest verify --evidence " + dir_ + "/evidence.json --policy " +
                                dir_ + "/policy.json");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("INSECURE"), std::string::npos) << run.output;
  // The default policy accepts sev-snp only.
  run = Cleanroom("attest verify --evidence " + dir_ + "/evidence.json --json");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("kind_not_allowed"), std::string::npos);
  EXPECT_NE(run.output.find("\"insecure\": true"), std::string::npos);
}

}  // namespace
