#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crypto/identity.h"
#include "governance/http_server.h"
#include "governance/service.h"
#include "govwire/governance_client.h"

namespace cleanroom::governance::testing {

// A fresh directory under the test temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The real service and HTTPS server on a free loopback port, in this process.
class TestServer {
 public:
  // 512 connections, 64 per peer. `clock` (unix seconds) replaces the service's clock when set.
  static std::unique_ptr<TestServer> Start(const std::string& data_dir,
                                           std::function<int64_t()> clock = {});
  static std::unique_ptr<TestServer> Start(const std::string& data_dir,
                                           const HttpServerOptions& http,
                                           std::function<int64_t()> clock = {});
  ~TestServer();
  void Stop();

  std::string url() const { return "https://127.0.0.1:" + std::to_string(http_->port()); }
  const std::string& fingerprint() const { return service_->fingerprint(); }
  Service* service() { return service_.get(); }
  // The one-time bootstrap token when Start initialised the data dir (else empty).
  const std::string& bootstrap_token() const { return bootstrap_token_; }

 private:
  std::string bootstrap_token_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> http_;
  std::thread thread_;
};

// A member: an in-memory identity and a client connected to `server`.
struct TestMember {
  crypto::MemberIdentity identity;
  std::unique_ptr<govwire::GovernanceClient> client;
  const std::string& id() const { return identity.member_id(); }
};

std::unique_ptr<TestMember> NewMember(const TestServer& server, const std::string& name);
// Another client (new connection) for an existing identity.
std::unique_ptr<govwire::GovernanceClient> Connect(const TestServer& server,
                                                   const crypto::MemberIdentity& identity);

// A contract naming `members` with the given roles (one list per member).
Json MakeContract(const std::string& name, const std::vector<const TestMember*>& members,
                  const std::vector<std::vector<std::string>>& roles);

// A dataset document with the given columns (all string) and every column allowed.
Json MakeDataset(const std::string& name, const std::vector<std::string>& columns);

}  // namespace cleanroom::governance::testing
