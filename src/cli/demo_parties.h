#pragma once

// The parties of `cleanroom demo`: three organisations with identities, the governance service
// on loopback (in this process, the same code as `cleanroom governance serve`), their clients,
// the storage, and the attested runtime (simulated evidence, INSECURE). demo_command.cc narrates
// the collaboration on top of this.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "attest/simulated.h"
#include "base/status.h"
#include "governance/http_server.h"
#include "governance/service.h"
#include "govwire/governance_client.h"
#include "runtime/runtime_server.h"
#include "runtime/storage.h"

namespace cleanroom::cli {

// One organisation of the demo.
struct DemoParty {
  std::string name;                // "advertiser", "publisher", "measurement"
  std::string identity_dir;        // DIR/members/<name>, as `cleanroom keygen` writes it
  std::vector<std::string> roles;  // provider, analyst, recipient
  std::unique_ptr<govwire::GovernanceClient> client;
};

// Everything running for the demo. Stops the runtime and the service when destroyed.
class DemoWorld {
 public:
  // Makes identities, the platform key, the measurement; starts governance on 127.0.0.1:0.
  static Result<std::unique_ptr<DemoWorld>> Start(const std::string& dir);
  ~DemoWorld();

  DemoParty& party(const std::string& name);
  std::vector<DemoParty>& parties() { return parties_; }
  const std::string& url() const { return url_; }
  const std::string& fingerprint() const { return service_->fingerprint(); }
  const std::string& measurement() const { return measurement_; }
  std::string platform_key_id() const { return HexEncode(platform_->PublicKeySha256()); }
  runtime::Storage& storage() { return *storage_; }
  const std::string& storage_url() const { return storage_url_; }
  const std::string& ledger_dir() const { return ledger_dir_; }
  // The runtime, created on first use (it connects to governance with the pinned certificate).
  Result<runtime::RuntimeServer*> runtime(const std::function<void(const std::string&)>& log);

  // Stops the HTTPS server and the service (pending writes made durable), so the ledger on
  // disk is complete for an offline audit.
  void StopService();

 private:
  DemoWorld() = default;

  std::vector<DemoParty> parties_;
  std::unique_ptr<attest::PlatformKey> platform_;
  std::string measurement_;
  std::unique_ptr<governance::Service> service_;
  std::unique_ptr<governance::HttpServer> server_;
  std::thread server_thread_;
  std::string url_;
  std::string storage_url_;
  std::string ledger_dir_;
  std::unique_ptr<runtime::Storage> storage_;
  std::unique_ptr<runtime::RuntimeServer> runtime_;
};

// The demo's narration and steps shared by its files (demo_command.cc, demo_ml.cc).
// One line of narration, with the seconds since the demo started.
void Say(const std::string& line);
// A signed write / an authenticated read; an error reply is its Status.
Result<govwire::Json> Write(govwire::GovernanceClient& client, const std::string& path,
                            const std::string& type, const govwire::Json& payload);
Result<govwire::Json> Get(govwire::GovernanceClient& client, const std::string& path);
// `requester` requests a run of query or job `id` and the runtime executes what is pending.
// Returns the run id.
Result<std::string> RequestAndRun(DemoWorld& world, const std::string& id, const std::string& hash,
                                  const std::string& requester);
// The ML part of the demo (demo_ml.cc): a training job and an inference job.
Status RunMlJobs(DemoWorld& world, const std::string& dir);

}  // namespace cleanroom::cli
