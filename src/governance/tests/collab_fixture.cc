#include "governance/tests/collab_fixture.h"

#include <ctime>

#include "attest/evidence.h"
#include "attest/report_data.h"
#include "crypto/cose.h"
#include "crypto/hpke.h"
#include "crypto/random.h"
#include "govwire/key_release.h"
#include "ledger/ledger.h"

namespace cleanroom::governance::testing {

using govwire::ApiReply;

void RunningCollaboration::SetUp() {
  server_ = TestServer::Start(dir_.path(), [offset = clock_offset_] {
    return static_cast<int64_t>(std::time(nullptr)) + offset->load();
  });
  ASSERT_NE(server_, nullptr);
  a_ = NewMember(*server_, "advertiser");
  b_ = NewMember(*server_, "publisher");
  ASSERT_TRUE(a_ && b_ && a_->client && b_->client);
  a_->client->set_bootstrap_token(server_->bootstrap_token());
  auto platform = attest::PlatformKey::Generate();
  ASSERT_TRUE(platform.ok());
  platform_ = std::make_unique<attest::PlatformKey>(std::move(platform).value());
  measurement_ = Bytes(48, 0xab);

  Json contract = MakeContract("runs", {a_.get(), b_.get()},
                               {{"provider", "analyst", "recipient"}, {"provider"}});
  contract["allowedMeasurements"] = {HexEncode(measurement_)};
  contract["simulatedPlatformKeys"] = {HexEncode(platform_->PublicKeySha256())};
  AdjustContract(contract);
  ApiReply p = Write(*a_, "/v1/collab/proposals", "collab.propose",
                     {{"version", 1}, {"contract", contract}});
  ExpectOk(p);
  ExpectOk(Write(*b_, "/v1/collab/votes", "collab.accept",
                 {{"version", 1}, {"contractHash", p.body["result"]["contractHash"]}}));
  collab_ = Get(*a_, "/v1/collab")["id"];

  customers_key_ = *crypto::RandomBytes(32);
  impressions_key_ = *crypto::RandomBytes(32);
  for (auto [member, name, key] : {std::tuple{a_.get(), "customers", &customers_key_},
                                   std::tuple{b_.get(), "impressions", &impressions_key_}}) {
    ExpectOk(Write(*member, "/v1/datasets", "dataset.register",
                   {{"dataset", MakeDataset(name, {"email", "segment"})}}));
    auto stored =
        govwire::StoreDatasetKey(*member->client, name, 1, std::string(name) + "-key-1", *key);
    ASSERT_TRUE(stored.ok());
    ExpectOk(*stored);
  }
  Json q = QueryDocument(
      "overlap", "SELECT COUNT(*) FROM impressions i JOIN customers c ON i.email = c.email");
  ApiReply proposed = Write(*a_, "/v1/queries", "query.propose", {{"query", q}});
  ExpectOk(proposed);
  query_ = proposed.body["result"].value("id", "");
  query_hash_ = proposed.body["result"].value("queryHash", "");
  ExpectOk(Write(*b_, "/v1/queries/" + query_ + "/votes", "query.accept",
                 {{"query", query_}, {"queryHash", query_hash_}}));
  ASSERT_EQ(Get(*a_, "/v1/queries/" + query_)["state"], "accepted");
}

Json RunningCollaboration::QueryDocument(const std::string& name, const std::string& sql) const {
  return {{"name", name},          {"steps", {sql}},           {"guards", {{"minGroupUnits", 10}}},
          {"outputFormat", "csv"}, {"recipients", {a_->id()}}, {"runners", {a_->id()}}};
}

ApiReply RunningCollaboration::Write(TestMember& m, const std::string& path,
                                     const std::string& type, Json payload) {
  auto reply = m.client->Write(path, type, std::move(payload));
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  return reply.ok() ? *reply : ApiReply{};
}

void RunningCollaboration::ExpectOk(const ApiReply& r) {
  EXPECT_TRUE(r.ok()) << r.http_status << " "
                      << (r.error ? r.error->code + ": " + r.error->message : "");
}

void RunningCollaboration::ExpectError(const ApiReply& r, int status, const std::string& code) {
  ASSERT_TRUE(r.error.has_value()) << "expected " << code << ", got " << r.http_status;
  EXPECT_EQ(r.http_status, status) << r.error->message;
  EXPECT_EQ(r.error->code, code) << r.error->message;
}

Json RunningCollaboration::Get(TestMember& m, const std::string& path) {
  auto reply = m.client->Get(path);
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  if (!reply.ok()) return Json();
  ExpectOk(*reply);
  return reply->body;
}

std::string RunningCollaboration::RequestRun() { return RequestRunOf(query_, query_hash_); }

std::string RunningCollaboration::RequestRunOf(const std::string& query, const std::string& hash) {
  ApiReply r = Write(*a_, "/v1/runs", "run.request", {{"query", query}, {"queryHash", hash}});
  ExpectOk(r);
  return r.ok() ? r.body["result"].value("run", "") : std::string();
}

Bytes RunningCollaboration::ReleaseKeys(const std::string& run, std::string* evidence_digest,
                                        Json* work) {
  std::optional<crypto::PrivateKey> ephemeral;
  ApiReply r =
      Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run, &ephemeral).dump());
  ExpectOk(r);
  if (work != nullptr) *work = r.body.value("work", Json());
  auto enc = Base64Decode(r.body["token"].value("enc", ""));
  auto sealed = Base64Decode(r.body["token"].value("sealed", ""));
  if (!enc.ok() || !sealed.ok() || !ephemeral) return Bytes();
  auto token =
      crypto::hpke::Open(crypto::hpke::kDefaultSuite, *enc, *ephemeral,
                         AsBytes(govwire::kRunTokenInfo), govwire::RunTokenAad(run), *sealed);
  EXPECT_TRUE(token.ok());
  *evidence_digest = Get(*a_, "/v1/runs/" + run)["release"]["evidence"].value("digest", "");
  EXPECT_FALSE(evidence_digest->empty());
  return token.ok() ? *token : Bytes();
}

Bytes RunningCollaboration::SignRecord(const Json& record, const crypto::PrivateKey& signer) {
  crypto::cose::Sign1Options o;
  o.kid = ToBytes("runtime");
  o.content_type = "application/json";
  o.msg_type = "run.record";
  o.created_at = 1;
  o.generate_nonce = true;
  auto signed_record = crypto::cose::CreateSign1(signer, AsBytes(record.dump()), o);
  EXPECT_TRUE(signed_record.ok());
  return signed_record.ok() ? *signed_record : Bytes();
}

ApiReply RunningCollaboration::Report(const std::string& run, ByteSpan token, ByteSpan record) {
  return Anonymous("POST", "/v1/runs/" + run + "/report",
                   Json{{"token", Base64Encode(token)}, {"record", Base64Encode(record)}}.dump());
}

Bytes RunningCollaboration::FetchChallenge(const std::string& run) {
  ApiReply r = Anonymous("GET", "/v1/runs/" + run + "/challenge", "");
  if (!r.ok()) return Bytes();
  auto challenge = govwire::RunChallenge::FromJson(r.body);
  EXPECT_TRUE(challenge.ok()) << challenge.status().ToString();
  return challenge.ok() ? challenge->challenge : Bytes();
}

Json RunningCollaboration::KeyRequestBody(const std::string& run,
                                          std::optional<crypto::PrivateKey>* ephemeral,
                                          std::optional<Bytes> challenge,
                                          const std::function<void(attest::SnpReport&)>& edit) {
  constexpr auto kem = crypto::hpke::Kem::kX25519Sha256;
  auto key = crypto::hpke::GenerateKeyPair(kem);
  EXPECT_TRUE(key.ok());
  auto public_key = crypto::hpke::SerializePublicKey(kem, key->public_key());
  if (!challenge) {
    challenge = FetchChallenge(run);
    // A run the service issues no challenge for (unknown, not requested): any challenge, the
    // request is refused before it is looked at.
    if (challenge->empty()) challenge = Bytes(kChallengeSize, 0x5a);
  }
  auto report_data = challenge->empty()
                         ? attest::ReportDataForPublicKey(*public_key, run)
                         : attest::ReportDataForChallenge(*public_key, run, *challenge);
  attest::SnpReport report = attest::DefaultSimulatedReport(measurement_, *report_data);
  if (edit) edit(report);
  auto evidence = attest::SignSimulatedReport(*platform_, report);
  EXPECT_TRUE(evidence.ok()) << evidence.status().ToString();
  if (ephemeral != nullptr) ephemeral->emplace(std::move(key).value());
  Json body = {{"run", run},
               {"publicKey", Base64Encode(*public_key)},
               {"evidence", Json::parse(attest::SerializeEvidenceJson(*evidence))}};
  if (!challenge->empty()) body["challenge"] = Base64Encode(*challenge);
  return body;
}

std::unique_ptr<govwire::HttpsConnection> RunningCollaboration::AnonymousConnection() {
  govwire::ConnectionOptions options;
  EXPECT_TRUE(govwire::ParseServiceUrl(server_->url(), &options.host, &options.port).ok());
  options.service_fingerprint = server_->fingerprint();
  auto https = govwire::HttpsConnection::Connect(options);
  EXPECT_TRUE(https.ok()) << https.status().ToString();
  if (!https.ok()) return nullptr;
  return std::move(https).value();
}

ApiReply RunningCollaboration::Anonymous(const std::string& method, const std::string& path,
                                         const std::string& body,
                                         govwire::HttpsConnection* connection) {
  std::unique_ptr<govwire::HttpsConnection> own;
  if (connection == nullptr) {
    own = AnonymousConnection();
    if (own == nullptr) return ApiReply{};
    connection = own.get();
  }
  auto reply = connection->Request(method, path, "application/json", body);
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
  if (!reply.ok()) return ApiReply{};
  return govwire::MakeApiReply(*reply);
}

std::vector<ledger::Entry> RunningCollaboration::LedgerEntries() {
  std::vector<ledger::Entry> out;
  const ledger::Ledger& ledger = server_->service()->ledger();
  for (uint64_t seqno = 1; seqno <= ledger.durable_seqno(); ++seqno) {
    auto entry = ledger.ReadEntry(seqno);
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    if (entry.ok()) out.push_back(std::move(entry).value());
  }
  return out;
}

std::string MemberMessageType(const ledger::Entry& entry) {
  if (entry.kind != ledger::EntryKind::kRequest || entry.request.signer_id.empty()) return "";
  auto message = crypto::cose::DecodeSign1(entry.request.signed_request);
  if (!message.ok() || !message->headers.msg_type) return "";
  return *message->headers.msg_type;
}

std::string ServiceActionType(const ledger::Entry& entry) {
  if (entry.kind != ledger::EntryKind::kRequest || !entry.request.signer_id.empty()) return "";
  auto parsed = ParseJson(AsStringView(entry.request.signed_request), "service action");
  if (!parsed.ok() || !parsed->is_object()) return "";
  return parsed->value("serviceAction", "");
}

}  // namespace cleanroom::governance::testing
