#include "cli/demo_parties.h"

#include "crypto/identity.h"
#include "runtime/measurement.h"

namespace cleanroom::cli {

Result<std::unique_ptr<DemoWorld>> DemoWorld::Start(const std::string& dir) {
  std::unique_ptr<DemoWorld> world(new DemoWorld());
  const std::vector<std::pair<std::string, std::vector<std::string>>> parties = {
      {"advertiser", {"provider", "analyst", "recipient"}},
      {"publisher", {"provider", "analyst", "recipient"}},
      {"measurement", {"provider", "recipient"}}};
  for (const auto& [name, roles] : parties) {
    CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, crypto::GenerateIdentity(name));
    std::string identity_dir = dir + "/members/" + name;
    CR_RETURN_IF_ERROR(crypto::WriteIdentity(identity_dir, identity));
    world->parties_.push_back({name, identity_dir, roles, nullptr});
  }
  CR_ASSIGN_OR_RETURN(attest::PlatformKey platform, attest::PlatformKey::Generate());
  CR_RETURN_IF_ERROR(platform.Save(dir + "/platform"));
  world->platform_ = std::make_unique<attest::PlatformKey>(std::move(platform));
  CR_ASSIGN_OR_RETURN(runtime::Measurement measurement, runtime::MeasureRuntime());
  world->measurement_ = measurement.value;

  governance::ServiceOptions options;
  options.data_dir = dir + "/governance";
  world->ledger_dir_ = options.data_dir + "/ledger";
  // The operator's init: the three parties are the founders, and only they may propose.
  std::vector<std::string> founders;
  for (const DemoParty& party : world->parties_) {
    CR_ASSIGN_OR_RETURN(crypto::MemberPublicIdentity id,
                        crypto::LoadPublicIdentity(party.identity_dir));
    founders.push_back(id.member_id);
  }
  CR_RETURN_IF_ERROR(governance::Service::Initialise(options.data_dir, founders).status());
  CR_ASSIGN_OR_RETURN(world->service_, governance::Service::Open(options));
  governance::HttpServerOptions http;
  http.threads = 64;
  CR_ASSIGN_OR_RETURN(world->server_, governance::HttpServer::Bind(world->service_.get(), http));
  world->url_ = "https://127.0.0.1:" + std::to_string(world->server_->port());
  governance::HttpServer* server = world->server_.get();
  world->server_thread_ = std::thread([server] { server->Run().IgnoreError(); });

  for (DemoParty& party : world->parties_) {
    CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, crypto::LoadIdentity(party.identity_dir));
    CR_ASSIGN_OR_RETURN(party.client, govwire::GovernanceClient::Create(
                                          world->url_, world->fingerprint(), std::move(identity)));
  }
  world->storage_url_ = "file://" + dir + "/storage";
  CR_ASSIGN_OR_RETURN(world->storage_, runtime::OpenStorage(world->storage_url_));
  return world;
}

DemoWorld::~DemoWorld() { StopService(); }

void DemoWorld::StopService() {
  runtime_.reset();
  for (DemoParty& party : parties_) party.client.reset();
  if (server_ != nullptr) {
    server_->Stop();
    if (server_thread_.joinable()) server_thread_.join();
    server_.reset();
  }
  service_.reset();
}

DemoParty& DemoWorld::party(const std::string& name) {
  for (DemoParty& p : parties_) {
    if (p.name == name) return p;
  }
  return parties_.front();
}

Result<runtime::RuntimeServer*> DemoWorld::runtime(
    const std::function<void(const std::string&)>& log) {
  if (runtime_ == nullptr) {
    runtime::RuntimeServerOptions options;
    options.governance_url = url_;
    options.service_fingerprint = fingerprint();
    options.storage_url = storage_url_;
    options.evidence_kind = "simulated";
    CR_ASSIGN_OR_RETURN(Bytes measurement, HexDecode(measurement_));
    options.evidence = runtime::SimulatedEvidenceProducer(platform_.get(), measurement);
    options.log = log;
    CR_ASSIGN_OR_RETURN(runtime_, runtime::RuntimeServer::Create(std::move(options)));
  }
  return runtime_.get();
}

}  // namespace cleanroom::cli
