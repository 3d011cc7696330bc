#include "governance/tests/test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace cleanroom::governance::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/cleanroom-gov-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  char* made = ::mkdtemp(buf.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<TestServer> TestServer::Start(const std::string& data_dir,
                                              std::function<int64_t()> clock) {
  HttpServerOptions http;
  http.threads = 512;
  http.max_connections_per_peer = 64;
  return Start(data_dir, http, std::move(clock));
}

std::unique_ptr<TestServer> TestServer::Start(const std::string& data_dir,
                                              const HttpServerOptions& http,
                                              std::function<int64_t()> clock) {
  std::string token;
  if (!std::filesystem::exists(data_dir + "/service/bootstrap.json")) {
    auto initialised = Service::Initialise(data_dir, {});
    if (!initialised.ok()) {
      ADD_FAILURE() << initialised.status().ToString();
      return nullptr;
    }
    token = *initialised;
  }
  ServiceOptions options;
  options.data_dir = data_dir;
  options.clock = std::move(clock);
  auto service = Service::Open(options);
  if (!service.ok()) {
    ADD_FAILURE() << service.status().ToString();
    return nullptr;
  }
  auto server = std::unique_ptr<TestServer>(new TestServer());
  server->bootstrap_token_ = token;
  server->service_ = std::move(service).value();
  auto bound = HttpServer::Bind(server->service_.get(), http);
  if (!bound.ok()) {
    ADD_FAILURE() << bound.status().ToString();
    return nullptr;
  }
  server->http_ = std::move(bound).value();
  HttpServer* h = server->http_.get();
  server->thread_ = std::thread([h] { h->Run().IgnoreError(); });
  return server;
}

TestServer::~TestServer() { Stop(); }

void TestServer::Stop() {
  if (http_) http_->Stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
  service_.reset();
}

std::unique_ptr<govwire::GovernanceClient> Connect(const TestServer& server,
                                                   const crypto::MemberIdentity& identity) {
  auto c = govwire::GovernanceClient::Create(server.url(), server.fingerprint(), identity);
  if (!c.ok()) {
    ADD_FAILURE() << c.status().ToString();
    return nullptr;
  }
  return std::move(c).value();
}

std::unique_ptr<TestMember> NewMember(const TestServer& server, const std::string& name) {
  auto identity = crypto::GenerateIdentity(name);
  if (!identity.ok()) {
    ADD_FAILURE() << identity.status().ToString();
    return nullptr;
  }
  auto m = std::unique_ptr<TestMember>(new TestMember{std::move(identity).value(), nullptr});
  m->client = Connect(server, m->identity);
  return m;
}

Json MakeContract(const std::string& name, const std::vector<const TestMember*>& members,
                  const std::vector<std::vector<std::string>>& roles) {
  Json list = Json::array();
  for (size_t i = 0; i < members.size(); ++i) {
    auto entry = govwire::ContractMember(members[i]->identity.public_identity, roles[i]);
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    list.push_back(*entry);
  }
  return {{"name", name},
          {"members", list},
          {"allowedMeasurements", {std::string(96, 'a')}},
          {"evidenceKinds", {"simulated"}},
          {"privacyDefaults", Json::object()}};
}

Json MakeDataset(const std::string& name, const std::vector<std::string>& columns) {
  Json schema = Json::array();
  for (const auto& c : columns) schema.push_back({{"name", c}, {"type", "string"}});
  return {{"name", name},
          {"format", "parquet"},
          {"schema", schema},
          {"allowedFields", columns},
          {"columnRoles", {{columns[0], "privacy_unit"}}},
          {"policy", {{"minRowCount", 100}}},
          {"location", "file:///data/" + name + ".enc"},
          {"contentHash", std::string(64, '0')},
          {"keyId", name + "-key-1"}};
}

}  // namespace cleanroom::governance::testing
