#include "governance/tests/process_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace cleanroom::governance::testing {

std::string CleanroomBinary() {
  const char* env = std::getenv("CLEANROOM_BINARY");
  return env != nullptr ? env : CLEANROOM_BINARY;
}

ProcessServer::ProcessServer(const std::string& data_dir) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) return;
  std::string binary = CleanroomBinary();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipefd[1], STDOUT_FILENO);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    ::execl(binary.c_str(), "cleanroom", "governance", "serve", "--data-dir", data_dir.c_str(),
            "--listen", "127.0.0.1:0", "--threads", "64", static_cast<char*>(nullptr));
    std::_Exit(127);
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

}  // namespace cleanroom::governance::testing
