#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace cleanroom::governance::testing {

// `cleanroom governance serve` as a child process on a free loopback port.
class ProcessServer {
 public:
  // Starts the binary and waits for its "listening on" line. Empty url() on failure.
  explicit ProcessServer(const std::string& data_dir);
  ~ProcessServer();  // SIGTERM, then wait

  const std::string& url() const { return url_; }
  const std::string& fingerprint() const { return fingerprint_; }
  pid_t pid() const { return pid_; }
  // kill -9 and reap.
  void Kill();
  // SIGTERM and reap; returns the exit status.
  int Terminate();

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::string fingerprint_;
};

// Runs the cleanroom binary with `args`; returns its exit code and fills `output` with its
// stdout and stderr.
int RunCleanroom(const std::vector<std::string>& args, std::string* output);

// The path of the cleanroom binary under test.
std::string CleanroomBinary();

}  // namespace cleanroom::governance::testing
