#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "govwire/governance_client.h"

namespace cleanroom::console {

using govwire::GovernanceClient;
using govwire::Json;

// A run's result opened for this member: the run record the runtime signed (verified) and the
// plaintext, in the query's output format ("csv", "parquet", "ndjson").
struct OpenedResult {
  Json record;
  std::string format;
  Bytes data;
};
// Opens run `run`'s sealed result with the member's key (the caller wires in the runtime's
// storage and sealed-result code; this module does not depend on the runtime). Called with the
// console's lock held.
using ResultOpener =
    std::function<Result<OpenedResult>(GovernanceClient& client, const std::string& run)>;

struct ConsoleOptions {
  std::string host = "127.0.0.1";  // loopback only: anything else is refused
  int port = 0;                    // 0: a free port
  std::string identity_dir;        // the member's identity: tree-head.json is kept there
  std::string web_root;            // the built front end (index.html, assets/)
};

// The member's console: the web app and its JSON API over HTTP on loopback, guarded by
// AccessGuard. Owns the member's governance client (and so its private key); every write the
// page asks for is signed with it. The routes are in docs/console.md.
class ConsoleServer {
 public:
  // Binds, then serves on a thread of its own. InvalidArgument for a host that is not
  // loopback; Unavailable when the port cannot be bound.
  static Result<std::unique_ptr<ConsoleServer>> Start(const ConsoleOptions& options,
                                                      std::unique_ptr<GovernanceClient> client,
                                                      ResultOpener opener);
  ~ConsoleServer();  // Stop()

  int port() const;
  // The login URL that carries the per-launch secret (print it once, to the member only).
  std::string LoginUrl() const;
  // Blocks until Stop() is called from another thread or a signal handler's thread.
  void Wait();
  void Stop();

 private:
  struct Impl;
  explicit ConsoleServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cleanroom::console
