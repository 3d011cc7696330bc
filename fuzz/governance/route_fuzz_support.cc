#include "route_fuzz_support.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "crypto/cose.h"
#include "crypto/hash.h"
#include "crypto/hpke.h"
#include "crypto/identity.h"
#include "govwire/governance_client.h"

namespace cleanroom::governance::fuzz {
namespace {

std::string g_dir;
std::string g_run;   // the run RequestedRun returns while requested
Json g_run_request;  // member a's run.request payload for q1
const crypto::MemberIdentity* g_member_a = nullptr;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz setup failed: %s\n", what);
    std::abort();
  }
}

// A member's COSE_Sign1 request of `type` over `payload`, made now.
Bytes Sign(const crypto::MemberIdentity& m, const std::string& type, const Json& payload) {
  crypto::cose::Sign1Options o;
  o.kid = ToBytes(m.member_id());
  o.content_type = "application/json";
  o.msg_type = type;
  o.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  o.generate_nonce = true;
  auto message = crypto::cose::CreateSign1(m.signing_key, AsBytes(payload.dump()), o);
  Check(message.ok(), "sign");
  return *message;
}

// A member's signed write through the handler, as the HTTPS layer would pass it.
Json SignedWrite(Service& service, const crypto::MemberIdentity& m, const std::string& path,
                 const std::string& type, const Json& payload) {
  ApiResponse r = service.Handle("POST", path, AsStringView(Sign(m, type, payload)), "");
  Check(r.http_status == 200, type.c_str());
  return Json::parse(r.body);
}

void StoreKey(Service& service, const crypto::MemberIdentity& m, const std::string& collab,
              const std::string& dataset) {
  Bytes key(32, 0x42);
  Json payload = {{"collaboration", collab},
                  {"dataset", dataset},
                  {"version", 1},
                  {"keyId", dataset + "-key"},
                  {"keyCommitment", crypto::Sha256Hex(key)}};
  Json body = {{"request", Base64Encode(Sign(m, "dataset.secret", payload))},
               {"key", Base64Encode(key)}};
  ApiResponse r = service.Handle("POST", "/v1/datasets/" + dataset + "/secret", body.dump(), "");
  Check(r.http_status == 200, "store key");
}

Json Dataset(const std::string& name) {
  return {{"name", name},
          {"format", "parquet"},
          {"schema",
           {{{"name", "email"}, {"type", "string"}}, {{"name", "segment"}, {"type", "string"}}}},
          {"allowedFields", {"email", "segment"}},
          {"columnRoles", {{"email", "privacy_unit"}}},
          {"policy", {{"minRowCount", 100}}},
          {"location", "file:///data/" + name + ".enc"},
          {"contentHash", std::string(64, '0')},
          {"keyId", name + "-key"}};
}

FuzzWorld* Build() {
  char templ[] = "/tmp/cleanroom-route-fuzz-XXXXXX";
  Check(::mkdtemp(templ) != nullptr, "mkdtemp");
  g_dir = templ;
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(g_dir, ec);
  });
  static crypto::MemberIdentity a = crypto::GenerateIdentity("a").value();
  static crypto::MemberIdentity b = crypto::GenerateIdentity("b").value();
  Check(Service::Initialise(g_dir, {a.member_id()}).ok(), "init");
  ServiceOptions options;
  options.data_dir = g_dir;
  options.run_timeout_seconds = 0;
  auto opened = Service::Open(options);
  Check(opened.ok(), "open");
  static std::unique_ptr<Service> service = std::move(opened).value();
  Json members = Json::array();
  members.push_back(
      govwire::ContractMember(a.public_identity, {"provider", "analyst", "recipient"}).value());
  members.push_back(govwire::ContractMember(b.public_identity, {"provider"}).value());
  static attest::PlatformKey platform = attest::PlatformKey::Generate().value();
  Bytes measurement(48, 0xaa);
  auto runtime_key = crypto::hpke::GenerateKeyPair(crypto::hpke::Kem::kX25519Sha256);
  Check(runtime_key.ok(), "runtime key");
  auto runtime_public =
      crypto::hpke::SerializePublicKey(crypto::hpke::Kem::kX25519Sha256, runtime_key->public_key());
  Check(runtime_public.ok(), "runtime public key");
  Json contract = {{"name", "fuzz"},
                   {"members", members},
                   {"evidenceKinds", {"simulated"}},
                   {"allowedMeasurements", {HexEncode(measurement)}},
                   {"simulatedPlatformKeys", {HexEncode(platform.PublicKeySha256())}}};
  Json proposed = SignedWrite(*service, a, "/v1/collab/proposals", "collab.propose",
                              {{"version", 1}, {"contract", contract}});
  std::string collab = proposed["result"]["collaboration"];
  SignedWrite(*service, b, "/v1/collab/votes", "collab.accept",
              {{"collaboration", collab},
               {"version", 1},
               {"contractHash", proposed["result"]["contractHash"]}});
  SignedWrite(*service, a, "/v1/datasets", "dataset.register",
              {{"collaboration", collab}, {"dataset", Dataset("customers")}});
  SignedWrite(*service, b, "/v1/datasets", "dataset.register",
              {{"collaboration", collab}, {"dataset", Dataset("impressions")}});
  StoreKey(*service, a, collab, "customers");
  StoreKey(*service, b, collab, "impressions");
  Json query = {
      {"name", "q"},
      {"steps", {"SELECT COUNT(*) FROM impressions i JOIN customers c ON i.email = c.email"}},
      {"guards", {{"minGroupUnits", 10}}},
      {"outputFormat", "csv"},
      {"recipients", {a.member_id()}},
      {"runners", {a.member_id()}}};
  Json q = SignedWrite(*service, a, "/v1/queries", "query.propose",
                       {{"collaboration", collab}, {"query", query}});
  std::string hash = q["result"]["queryHash"];
  SignedWrite(*service, b, "/v1/queries/q1/votes", "query.accept",
              {{"collaboration", collab}, {"query", "q1"}, {"queryHash", hash}});
  g_run_request = {{"collaboration", collab}, {"query", "q1"}, {"queryHash", hash}};
  g_member_a = &a;
  Json run = SignedWrite(*service, a, "/v1/runs", "run.request", g_run_request);
  g_run = run["result"]["run"];
  return new FuzzWorld{service.get(),
                       a.member_id(),
                       b.member_id(),
                       collab,
                       &platform,
                       measurement,
                       std::move(runtime_public).value()};
}

void ExpectNoEntrySince(uint64_t before, bool allow_service_entries) {
  const cleanroom::ledger::Ledger& ledger = World().service->ledger();
  for (uint64_t seqno = before + 1; seqno <= ledger.last_seqno(); ++seqno) {
    auto entry = ledger.ReadEntry(seqno);
    // Tree heads the ledger signs on its own timer come and go; a request entry may not.
    if (!entry.ok() || entry->kind != cleanroom::ledger::EntryKind::kRequest) continue;
    if (allow_service_entries && entry->request.signer_id.empty()) continue;
    std::fprintf(stderr, "an unauthenticated request appended entry %llu to the ledger\n",
                 static_cast<unsigned long long>(seqno));
    std::abort();
  }
}

}  // namespace

const FuzzWorld& World() {
  static FuzzWorld* world = Build();
  return *world;
}

std::string FreshChallenge(const std::string& run) {
  ApiResponse r = World().service->Handle("GET", "/v1/runs/" + run + "/challenge", "", "");
  if (r.http_status != 200) return "";
  return Json::parse(r.body).value("challenge", "");
}

std::string RequestedRun() {
  const FuzzWorld& world = World();
  if (FreshChallenge(g_run).empty()) {
    Json run = SignedWrite(*world.service, *g_member_a, "/v1/runs", "run.request", g_run_request);
    g_run = run["result"]["run"];
  }
  return g_run;
}

void ExpectNoRequestSince(uint64_t before) { ExpectNoEntrySince(before, false); }

void ExpectNoMemberRequestSince(uint64_t before) { ExpectNoEntrySince(before, true); }

}  // namespace cleanroom::governance::fuzz
