#include "governance/tests/process_server.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace cleanroom::governance::testing {

std::string CleanroomBinary() {
  const char* env = std::getenv("CLEANROOM_BINARY");
  return env != nullptr ? env : CLEANROOM_BINARY;
}

namespace {

// execv of the binary with `args` (argv[0] "cleanroom"); only returns on failure.
[[noreturn]] void ExecCleanroom(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("cleanroom"));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  std::_Exit(127);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& args, const std::string& log_file) {
  std::string binary = CleanroomBinary();
  pid_ = ::fork();
  if (pid_ == 0) {
    FILE* log = std::fopen(log_file.c_str(), "a");
    if (log != nullptr) {
      ::dup2(::fileno(log), STDOUT_FILENO);
      ::dup2(::fileno(log), STDERR_FILENO);
    }
    ExecCleanroom(binary, args);
  }
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

ProcessServer::ProcessServer(const std::string& data_dir,
                             const std::vector<std::string>& extra_args) {
  // A fresh service is initialised by its operator first; the one-time token it prints is what
  // `collab create` (CLEANROOM_BOOTSTRAP_TOKEN) and bootstrap_token() hand to the proposer.
  if (!std::filesystem::exists(data_dir + "/service/bootstrap.json") &&
      !std::filesystem::exists(data_dir + "/ledger")) {
    std::string out;
    if (RunCleanroom({"governance", "init", "--data-dir", data_dir}, &out) != 0) {
      ADD_FAILURE() << "governance init failed: " << out;
      return;
    }
    size_t at = out.find("bootstrap token ");
    if (at == std::string::npos) {
      ADD_FAILURE() << "governance init printed no token: " << out;
      return;
    }
    bootstrap_token_ = out.substr(at + 16, 64);
    ::setenv("CLEANROOM_BOOTSTRAP_TOKEN", bootstrap_token_.c_str(), 1);
  }
  int pipefd[2];
  if (::pipe(pipefd) != 0) return;
  std::string binary = CleanroomBinary();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipefd[1], STDOUT_FILENO);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    std::vector<std::string> args = {"governance", "serve",       "--data-dir", data_dir,
                                     "--listen",   "127.0.0.1:0", "--threads",  "256"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    ExecCleanroom(binary, args);
  }
  ::close(pipefd[1]);
  FILE* out = ::fdopen(pipefd[0], "r");
  char line[512];
  while (std::fgets(line, sizeof(line), out) != nullptr) {
    std::string l(line);
    if (l.rfind("service fingerprint ", 0) == 0) fingerprint_ = l.substr(20, 64);
    if (l.rfind("listening on ", 0) == 0) {
      url_ = l.substr(13);
      while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
      break;
    }
  }
  std::thread([out] {
    char buf[512];
    while (std::fgets(buf, sizeof(buf), out) != nullptr) {
    }
    std::fclose(out);
  }).detach();
}

ProcessServer::~ProcessServer() { Terminate(); }

void ProcessServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ProcessServer::Terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int RunCleanroom(const std::vector<std::string>& args, std::string* output) {
  std::string command = CleanroomBinary();
  for (const std::string& a : args) {
    command += " '";
    for (char c : a) {
      if (c == '\'') {
        command += "'\\''";
      } else {
        command += c;
      }
    }
    command += "'";
  }
  command += " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  output->clear();
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string RunCleanroomExpecting(const std::vector<std::string>& args, int expected) {
  std::string out;
  int rc = RunCleanroom(args, &out);
  std::string line;
  for (const auto& a : args) line += a + " ";
  EXPECT_EQ(rc, expected) << line << "\n" << out;
  return out;
}

}  // namespace cleanroom::governance::testing
