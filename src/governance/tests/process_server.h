#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace cleanroom::governance::testing {

// `cleanroom governance serve` as a child process on a free loopback port.
class ProcessServer {
 public:
  // Starts the binary and waits for its "listening on" line. Empty url() on failure.
  // `extra_args` are added to `governance serve` (e.g. --run-timeout 2).
  explicit ProcessServer(const std::string& data_dir,
                         const std::vector<std::string>& extra_args = {});
  ~ProcessServer();  // SIGTERM, then wait

  const std::string& url() const { return url_; }
  const std::string& fingerprint() const { return fingerprint_; }
  // The one-time token `governance init` printed when this object initialised the data dir
  // (also exported as CLEANROOM_BOOTSTRAP_TOKEN for the CLI); empty otherwise.
  const std::string& bootstrap_token() const { return bootstrap_token_; }
  pid_t pid() const { return pid_; }
  // kill -9 and reap.
  void Kill();
  // SIGTERM and reap; returns the exit status.
  int Terminate();

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::string fingerprint_;
  std::string bootstrap_token_;
};

// The cleanroom binary with `args` as a child process, its stdout and stderr appended to
// `log_file`. The destructor kills it (SIGKILL) if it still runs.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::string& log_file);
  ~ChildProcess() { Kill(); }
  pid_t pid() const { return pid_; }
  void Kill();  // kill -9 and reap

 private:
  pid_t pid_ = -1;
};

// Runs the cleanroom binary with `args`; returns its exit code and fills `output` with its
// stdout and stderr.
int RunCleanroom(const std::vector<std::string>& args, std::string* output);

// Runs the binary, expects (GoogleTest EXPECT) exit code `expected`, returns the output.
std::string RunCleanroomExpecting(const std::vector<std::string>& args, int expected = 0);

// The path of the cleanroom binary under test.
std::string CleanroomBinary();

}  // namespace cleanroom::governance::testing
