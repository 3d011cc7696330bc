// Kills a writer process (16 appending threads) with SIGKILL at random moments, 20 times; after
// each restart every acknowledged append is present with its content and the ledger verifies.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "base/file.h"
#include "ledger/ledger.h"
#include "ledger/tests/test_keys.h"
#include "ledger/verify.h"

namespace cleanroom::ledger {
namespace {

namespace fs = std::filesystem;

// Runs the helper, kills it with SIGKILL and returns everything it wrote.
std::string RunAndKill(const std::vector<std::string>& args, std::chrono::milliseconds run_for) {
  int fds[2];
  if (pipe(fds) != 0) return "";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  std::string out;
  char buf[65536];
  // The kill comes `run_for` after the first acknowledgement (the child first replays the
  // ledger), or after 30 s if none ever comes.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool started = false;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      if (!started) deadline = std::chrono::steady_clock::now() + run_for;
      started = true;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  // What the child wrote before it died is still in the pipe.
  fcntl(fds[0], F_SETFL, 0);
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  return out;
}

TEST(LedgerCrashTest, EveryAcknowledgedAppendSurvivesSigkill) {
  std::string root = testing::MakeTempDir("ledger-crash");
  std::string dir = root + "/ledger";
  testing::ServiceKeyPem pem = testing::GenerateServiceKeyPem();
  ASSERT_TRUE(WriteFileAtomic(root + "/key.pem", pem.key_pem, 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/cert.pem", pem.cert_pem).ok());
  auto signer = TreeHeadSigner::FromPem(pem.key_pem, pem.cert_pem);
  ASSERT_TRUE(signer.ok());

  std::map<uint64_t, std::string> acknowledged;
  std::mt19937 rng(2026);
  uint64_t max_seqno_before = 0;
  for (int cycle = 0; cycle < 20; ++cycle) {
    auto run_for = std::chrono::milliseconds(rng() % 300);
    std::string out = RunAndKill(
        {LEDGER_CRASH_HELPER, dir, root + "/key.pem", root + "/cert.pem", "16"}, run_for);
    std::istringstream lines(out);
    uint64_t seqno;
    std::string tag;
    size_t acked_this_cycle = 0;
    while (lines >> seqno >> tag) {
      ASSERT_GT(seqno, max_seqno_before) << "cycle " << cycle << " reused seqno " << seqno;
      ASSERT_TRUE(acknowledged.emplace(seqno, tag).second) << "seqno " << seqno << " acked twice";
      ++acked_this_cycle;
    }
    EXPECT_GT(acked_this_cycle, 0u) << "cycle " << cycle << ": the helper acknowledged nothing";

    // Restart: every acknowledged append, from this and every earlier cycle, is there.
    std::map<uint64_t, std::string> found;
    LedgerOptions options;
    options.directory = dir;
    options.signer = *signer;
    options.max_segment_bytes = 32 << 10;
    {
      auto ledger = Ledger::Open(options, [&](const Entry& e) {
        if (e.kind == EntryKind::kRequest) found[e.seqno] = e.request.result;
        return Status::OK();
      });
      ASSERT_TRUE(ledger.ok()) << "cycle " << cycle << ": " << ledger.status().ToString();
      max_seqno_before = (*ledger)->last_seqno();
    }
    for (const auto& [s, t] : acknowledged) {
      auto it = found.find(s);
      ASSERT_NE(it, found.end()) << "cycle " << cycle << ": acknowledged entry " << s << " lost";
      ASSERT_EQ(it->second, t) << "cycle " << cycle << ": entry " << s << " changed";
    }
    VerifyReport report;
    Status verified = VerifyLedger(dir, {}, &report);
    ASSERT_TRUE(verified.ok()) << "cycle " << cycle << ": " << verified.ToString();
    max_seqno_before = std::max<uint64_t>(max_seqno_before, report.entries_checked);
  }
  std::printf("crash test: %zu acknowledged appends over 20 SIGKILL cycles\n", acknowledged.size());
  fs::remove_all(root);
}

}  // namespace
}  // namespace cleanroom::ledger
