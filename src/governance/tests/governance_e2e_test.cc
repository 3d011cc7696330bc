// End-to-end tests: the real service and HTTPS server on a loopback port, driven by the client
// library over TLS with pinned service certificate and member client certificates.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "crypto/cose.h"
#include "crypto/hash.h"
#include "governance/tests/test_support.h"
#include "ledger/receipt.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include "privacy/query_check.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class GovernanceE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = TestServer::Start(dir_.path());
    ASSERT_NE(server_, nullptr);
    a_ = NewMember(*server_, "advertiser");  // provider, analyst, recipient
    b_ = NewMember(*server_, "publisher");   // provider
    c_ = NewMember(*server_, "insurer");     // provider, recipient
    ASSERT_TRUE(a_ && b_ && c_ && a_->client && b_->client && c_->client);
    a_->client->set_bootstrap_token(server_->bootstrap_token());
  }

  Json Contract() {
    return MakeContract(
        "overlap", {a_.get(), b_.get(), c_.get()},
        {{"provider", "analyst", "recipient"}, {"provider"}, {"provider", "recipient"}});
  }

  ApiReply Write(TestMember& m, const std::string& path, const std::string& type, Json payload) {
    auto reply = m.client->Write(path, type, std::move(payload));
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : ApiReply{};
  }
  void ExpectOk(const ApiReply& r) {
    EXPECT_TRUE(r.ok()) << r.http_status << " "
                        << (r.error ? r.error->code + ": " + r.error->message : "");
  }
  void ExpectError(const ApiReply& r, int status, const std::string& code) {
    ASSERT_TRUE(r.error.has_value()) << "expected " << code << ", got " << r.http_status;
    EXPECT_EQ(r.http_status, status) << r.error->message;
    EXPECT_EQ(r.error->code, code) << r.error->message;
  }
  Json Get(TestMember& m, const std::string& path) {
    auto reply = m.client->Get(path);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    if (!reply.ok()) return Json();
    ExpectOk(*reply);
    return reply->body;
  }

  // a_ proposes the three-member contract; b_ and c_ accept.
  void Activate() {
    ApiReply p = Write(*a_, "/v1/collab/proposals", "collab.propose",
                       {{"version", 1}, {"contract", Contract()}});
    ExpectOk(p);
    std::string hash = p.body["result"]["contractHash"];
    ExpectOk(
        Write(*b_, "/v1/collab/votes", "collab.accept", {{"version", 1}, {"contractHash", hash}}));
    ExpectOk(
        Write(*c_, "/v1/collab/votes", "collab.accept", {{"version", 1}, {"contractHash", hash}}));
  }

  void Register(TestMember& m, const std::string& name) {
    ExpectOk(Write(m, "/v1/datasets", "dataset.register",
                   {{"dataset", MakeDataset(name, {"email", "segment", "spend"})}}));
  }

  // Proposes a query over `sql`; returns the reply.
  ApiReply Propose(TestMember& m, const std::string& sql) {
    Json q = {
        {"name", "overlap"},     {"steps", {sql}},           {"guards", {{"minGroupUnits", 10}}},
        {"outputFormat", "csv"}, {"recipients", {a_->id()}}, {"runners", {a_->id()}}};
    return Write(m, "/v1/queries", "query.propose", {{"query", q}});
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<TestMember> a_, b_, c_;
};

TEST_F(GovernanceE2E, ThreeMemberCollaborationIsAcceptedByEveryMember) {
  ApiReply p = Write(*a_, "/v1/collab/proposals", "collab.propose",
                     {{"version", 1}, {"contract", Contract()}});
  ExpectOk(p);
  EXPECT_EQ(p.body["result"]["state"], "proposed");
  std::string hash = p.body["result"]["contractHash"];
  EXPECT_EQ(hash, DocumentHash(Contract()));
  EXPECT_EQ(Get(*b_, "/v1/collab")["state"], "proposed");

  ExpectOk(
      Write(*b_, "/v1/collab/votes", "collab.accept", {{"version", 1}, {"contractHash", hash}}));
  Json view = Get(*c_, "/v1/collab");
  EXPECT_EQ(view["state"], "proposed");
  EXPECT_EQ(view["versions"][0]["pendingVotes"], Json::array({c_->id()}));

  ApiReply last =
      Write(*c_, "/v1/collab/votes", "collab.accept", {{"version", 1}, {"contractHash", hash}});
  ExpectOk(last);
  EXPECT_EQ(last.body["result"]["state"], "accepted");
  view = Get(*a_, "/v1/collab");
  EXPECT_EQ(view["state"], "active");
  EXPECT_EQ(view["activeVersion"], 1);
  EXPECT_EQ(view["versions"][0]["votes"].size(), 3u);

  // A vote on a hash other than the contract's is refused.
  ExpectError(Write(*b_, "/v1/collab/votes", "collab.accept",
                    {{"version", 1}, {"contractHash", std::string(64, 'f')}}),
              409, "FailedPrecondition");
}

TEST_F(GovernanceE2E, OneRejectionRejectsTheContract) {
  ApiReply p = Write(*a_, "/v1/collab/proposals", "collab.propose",
                     {{"version", 1}, {"contract", Contract()}});
  std::string hash = p.body["result"]["contractHash"];
  ExpectOk(
      Write(*b_, "/v1/collab/votes", "collab.accept", {{"version", 1}, {"contractHash", hash}}));
  ApiReply r =
      Write(*c_, "/v1/collab/votes", "collab.reject", {{"version", 1}, {"contractHash", hash}});
  ExpectOk(r);
  EXPECT_EQ(r.body["result"]["state"], "rejected");
  EXPECT_EQ(Get(*a_, "/v1/collab")["state"], "rejected");
  // Nothing can happen in a rejected collaboration.
  ExpectError(Write(*b_, "/v1/datasets", "dataset.register",
                    {{"dataset", MakeDataset("impressions", {"email"})}}),
              409, "FailedPrecondition");
}

TEST_F(GovernanceE2E, MembershipChangeIsANewVersionAcceptedByItsMembers) {
  Activate();
  auto d = NewMember(*server_, "hospital");
  ASSERT_TRUE(d && d->client);
  Json v2 = MakeContract("overlap", {a_.get(), b_.get(), c_.get(), d.get()},
                         {{"analyst", "recipient"}, {"provider"}, {"provider"}, {"provider"}});
  // An outsider cannot propose a change.
  ExpectError(
      Write(*d, "/v1/collab/proposals", "collab.propose",
            {{"version", 2}, {"contract", v2}, {"collaboration", Get(*a_, "/v1/collab")["id"]}}),
      401, "UnknownSigner");
  ApiReply p =
      Write(*b_, "/v1/collab/proposals", "collab.propose", {{"version", 2}, {"contract", v2}});
  ExpectOk(p);
  std::string hash = p.body["result"]["contractHash"];
  for (TestMember* m : {a_.get(), c_.get()}) {
    ExpectOk(
        Write(*m, "/v1/collab/votes", "collab.accept", {{"version", 2}, {"contractHash", hash}}));
  }
  EXPECT_EQ(Get(*a_, "/v1/collab")["activeVersion"], 1);  // d has not accepted yet
  ExpectOk(
      Write(*d, "/v1/collab/votes", "collab.accept", {{"version", 2}, {"contractHash", hash}}));
  Json view = Get(*d, "/v1/collab");
  EXPECT_EQ(view["activeVersion"], 2);
  EXPECT_EQ(view["versions"][0]["state"], "superseded");
}

TEST_F(GovernanceE2E, DatasetsAndTheirConsentSwitches) {
  Activate();
  Register(*b_, "impressions");
  Register(*b_, "impressions");  // a new, immutable version
  Json d = Get(*a_, "/v1/datasets/impressions");
  EXPECT_EQ(d["owner"], b_->id());
  EXPECT_EQ(d["versions"].size(), 2u);
  EXPECT_EQ(d["versions"][1]["document"]["version"], 2);
  EXPECT_EQ(d["versions"][0]["document"]["policy"]["minRowCount"], 100);
  EXPECT_TRUE(d["enabled"].get<bool>());

  // Only the owner registers versions of its dataset and switches it.
  ExpectError(Write(*c_, "/v1/datasets", "dataset.register",
                    {{"dataset", MakeDataset("impressions", {"email"})}}),
              403, "PermissionDenied");
  ExpectError(Write(*c_, "/v1/datasets/impressions/consent", "dataset.disable",
                    {{"dataset", "impressions"}}),
              403, "PermissionDenied");
  ExpectOk(Write(*b_, "/v1/datasets/impressions/consent", "dataset.disable",
                 {{"dataset", "impressions"}}));
  d = Get(*c_, "/v1/datasets/impressions");
  EXPECT_FALSE(d["enabled"].get<bool>());
  EXPECT_EQ(d["disabledBy"], Json::array({b_->id()}));
  ExpectOk(Write(*b_, "/v1/datasets/impressions/consent", "dataset.enable",
                 {{"dataset", "impressions"}}));
  EXPECT_TRUE(Get(*c_, "/v1/datasets")["datasets"][0]["enabled"].get<bool>());

  // Any member stops the collaboration; who holds it stopped is visible; each resumes its own.
  ExpectOk(Write(*c_, "/v1/collab/consent", "collab.stop", Json::object()));
  ExpectOk(Write(*b_, "/v1/collab/consent", "collab.stop", Json::object()));
  Json view = Get(*a_, "/v1/collab");
  EXPECT_EQ(view["state"], "stopped");
  EXPECT_EQ(view["stoppedBy"].size(), 2u);
  ExpectOk(Write(*c_, "/v1/collab/consent", "collab.resume", Json::object()));
  view = Get(*a_, "/v1/collab");
  EXPECT_EQ(view["stoppedBy"], Json::array({b_->id()}));
  ExpectOk(Write(*b_, "/v1/collab/consent", "collab.resume", Json::object()));
  EXPECT_EQ(Get(*a_, "/v1/collab")["state"], "active");
}

TEST_F(GovernanceE2E, ApproversAreTheOwnersOfTheDatasetsTheSqlReads) {
  Activate();
  Register(*b_, "impressions");
  Register(*c_, "policies");
  ApiReply p = Propose(*a_,
                       "SELECT i.segment, COUNT(*) AS n FROM impressions i JOIN policies p "
                       "ON i.email = p.email GROUP BY i.segment");
  ExpectOk(p);
  std::vector<std::string> expected = {b_->id(), c_->id()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(p.body["result"]["approvers"], Json(expected));
  std::string id = p.body["result"]["id"];
  std::string hash = p.body["result"]["queryHash"];
  // The analyst is no approver; approvers vote on the exact hash.
  ExpectError(Write(*a_, "/v1/queries/" + id + "/votes", "query.accept",
                    {{"query", id}, {"queryHash", hash}}),
              403, "PermissionDenied");
  ExpectOk(Write(*b_, "/v1/queries/" + id + "/votes", "query.accept",
                 {{"query", id}, {"queryHash", hash}}));
  EXPECT_EQ(Get(*a_, "/v1/queries/" + id)["state"], "proposed");
  ExpectOk(Write(*c_, "/v1/queries/" + id + "/votes", "query.accept",
                 {{"query", id}, {"queryHash", hash}}));
  EXPECT_EQ(Get(*a_, "/v1/queries/" + id)["state"], "accepted");

  // A query over one owner's dataset needs only that owner.
  ApiReply single = Propose(*a_, "SELECT segment, COUNT(*) FROM impressions GROUP BY segment");
  ExpectOk(single);
  EXPECT_EQ(single.body["result"]["approvers"], Json::array({b_->id()}));

  // A dataset that is not registered in the collaboration (a fourth party's) is an error naming it.
  ApiReply unknown = Propose(*a_, "SELECT COUNT(*) FROM hospital_records");
  ExpectError(unknown, 404, "NotFound");
  EXPECT_NE(unknown.error->message.find("hospital_records"), std::string::npos)
      << unknown.error->message;
}

// Settings the runtime would not honour are refused when proposed, never accepted and ignored:
// differential privacy over a dataset without DP bounds, a guard field with a typo, a contract's
// privacy defaults, a dataset policy the runtime cannot parse. None of them changes the state.
TEST_F(GovernanceE2E, UnimplementedOrUnknownSettingsAreRefusedWhenProposed) {
  Activate();
  Json defaults = Contract();
  defaults["privacyDefaults"] = {{"minGroupUnits", 10}};
  ApiReply contract = Write(*a_, "/v1/collab/proposals", "collab.propose",
                            {{"version", 2}, {"contract", defaults}});
  ExpectError(contract, 501, "Unimplemented");
  EXPECT_EQ(Get(*a_, "/v1/collab")["versions"].size(), 1u);
  Register(*b_, "impressions");

  Json q = {{"name", "dp"},
            {"steps", {"SELECT segment, COUNT(*) AS n FROM impressions GROUP BY segment"}},
            {"outputFormat", "csv"},
            {"recipients", {a_->id()}}};
  Json dp = q;
  dp["privacy"] = {{"epsilon", 1.0}};
  ApiReply refused = Write(*a_, "/v1/queries", "query.propose", {{"query", dp}});
  ExpectError(refused, 400, "InvalidArgument");  // impressions has no DP bounds
  EXPECT_NE(refused.error->message.find("no dataset with differentialPrivacy bounds"),
            std::string::npos)
      << refused.error->message;

  Json typo = q;
  typo["guards"] = {{"minGroupUnit", 10}};
  ApiReply bad_guard = Write(*a_, "/v1/queries", "query.propose", {{"query", typo}});
  ExpectError(bad_guard, 400, "InvalidArgument");
  EXPECT_NE(bad_guard.error->message.find("minGroupUnit"), std::string::npos)
      << bad_guard.error->message;

  Json dataset = MakeDataset("clicks", {"email", "segment"});
  dataset["policy"] = {{"minGroupUnit", 10}};
  ExpectError(Write(*b_, "/v1/datasets", "dataset.register", {{"dataset", dataset}}), 400,
              "InvalidArgument");
  dataset["policy"] = Json::object();
  dataset["columnRoles"] = {{"email", "privacy_unit"}};
  dataset["policy"]["columns"] = {{"email", {{"role", "join"}}}};
  ExpectError(Write(*b_, "/v1/datasets", "dataset.register", {{"dataset", dataset}}), 400,
              "InvalidArgument");

  // None of the refused requests changed the state; the same query without them is accepted.
  EXPECT_TRUE(Get(*a_, "/v1/queries")["queries"].empty());
  EXPECT_EQ(Get(*a_, "/v1/datasets")["datasets"].size(), 1u);
  ExpectOk(Write(*a_, "/v1/queries", "query.propose", {{"query", q}}));
}

// Differential privacy: an owner's bounds are registered; a query over them is validated when
// proposed (a grouped query needs a delta for partition selection, which this dataset's budget
// does not have); the same query without DP settings is refused by the owner's policy. No
// proposal is recorded.
TEST_F(GovernanceE2E, DifferentialPrivacyIsValidatedWhenProposed) {
  Activate();
  Json dataset = MakeDataset("visits", {"email", "segment", "spend"});
  dataset["policy"]["privacyUnit"] = "email";
  dataset["policy"]["differentialPrivacy"] = {
      {"maxGroupsPerUnit", 2}, {"maxRowsPerUnitPerGroup", 1}, {"budget", {{"epsilon", 5}}}};
  ExpectOk(Write(*b_, "/v1/datasets", "dataset.register", {{"dataset", dataset}}));
  Json q = {{"name", "dp"},
            {"steps", {"SELECT segment, COUNT(*) AS n FROM visits GROUP BY segment"}},
            {"outputFormat", "csv"},
            {"recipients", {a_->id()}}};
  Json dp = q;
  dp["privacy"] = {{"epsilon", 1}};
  ApiReply no_delta = Write(*a_, "/v1/queries", "query.propose", {{"query", dp}});
  ExpectError(no_delta, 400, "InvalidArgument");
  dp["privacy"] = {{"epsilon", 6}};  // above the dataset's budget
  ExpectError(Write(*a_, "/v1/queries", "query.propose", {{"query", dp}}), 400, "InvalidArgument");
  dp["privacy"] = {{"epsilon", 1}, {"maxGroupsPerUnit", 3}};  // widens the owner's bound
  ExpectError(Write(*a_, "/v1/queries", "query.propose", {{"query", dp}}), 400, "InvalidArgument");
  ExpectError(Write(*a_, "/v1/queries", "query.propose", {{"query", q}}), 403, "PermissionDenied");
  EXPECT_TRUE(Get(*a_, "/v1/queries")["queries"].empty());
}

// Governance runs the runtime's privacy check when a query is proposed: a query the runtime would
// refuse is refused now, with the runtime's code and message, and an accepted proposal carries
// the check's summary in the record the approvers vote on.
TEST_F(GovernanceE2E, TheRuntimesCheckRunsWhenAQueryIsProposed) {
  Activate();
  Register(*b_, "impressions");
  std::vector<privacy::DeclaredDataset> declared;
  {
    Json view = Get(*a_, "/v1/datasets/impressions");
    auto d = privacy::DeclaredDatasetFromDocument(view["versions"][0]["document"].dump());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    declared.push_back(*d);
  }
  for (const std::string sql :
       {"SELECT segment, MAX(spend) AS top FROM impressions GROUP BY segment",
        "SELECT email, COUNT(*) AS n FROM impressions GROUP BY email",
        "SELECT segment, COUNT(*) FILTER (WHERE spend = 'x') AS n "
        "FROM impressions GROUP BY segment"}) {
    ApiReply refused = Propose(*a_, sql);
    auto expected =
        privacy::CheckProposedQuery(sql + ";\n", R"({"minGroupUnits":10})", "", declared);
    ASSERT_FALSE(expected.ok()) << sql;
    ASSERT_TRUE(refused.error.has_value()) << sql;
    EXPECT_EQ(refused.error->code, StatusCodeName(expected.status().code())) << sql;
    EXPECT_EQ(refused.error->message, expected.status().message()) << sql;
  }
  EXPECT_TRUE(Get(*a_, "/v1/queries")["queries"].empty());

  ApiReply accepted =
      Propose(*a_, "SELECT segment, COUNT(*) AS n FROM impressions GROUP BY segment");
  ExpectOk(accepted);
  const Json& check = accepted.body["result"]["check"];
  EXPECT_EQ(check["verdict"], "accepted");
  ASSERT_TRUE(check["summary"]["columns"].is_array());
  EXPECT_EQ(check["summary"]["columns"].size(), 2u);
  std::string id = accepted.body["result"]["id"];
  EXPECT_EQ(Get(*a_, "/v1/queries/" + id)["bound"]["check"], check);
}

TEST_F(GovernanceE2E, OneRejectionRejectsAQueryAndTheProposerMayWithdraw) {
  Activate();
  Register(*b_, "impressions");
  Register(*c_, "policies");
  ApiReply p =
      Propose(*a_, "SELECT COUNT(*) FROM impressions i JOIN policies p ON i.email = p.email");
  ExpectOk(p);
  std::string id = p.body["result"]["id"];
  std::string hash = p.body["result"]["queryHash"];
  ExpectOk(Write(*b_, "/v1/queries/" + id + "/votes", "query.accept",
                 {{"query", id}, {"queryHash", hash}}));
  ExpectOk(Write(*c_, "/v1/queries/" + id + "/votes", "query.reject",
                 {{"query", id}, {"queryHash", hash}}));
  EXPECT_EQ(Get(*b_, "/v1/queries/" + id)["state"], "rejected");
  ExpectError(Write(*a_, "/v1/runs", "run.request", {{"query", id}, {"queryHash", hash}}), 409,
              "FailedPrecondition");

  ApiReply q = Propose(*a_, "SELECT COUNT(*) FROM impressions");
  std::string qid = q.body["result"]["id"];
  ExpectError(Write(*b_, "/v1/queries/" + qid + "/withdraw", "query.withdraw", {{"query", qid}}),
              403, "PermissionDenied");
  ExpectOk(Write(*a_, "/v1/queries/" + qid + "/withdraw", "query.withdraw", {{"query", qid}}));
  EXPECT_EQ(Get(*a_, "/v1/queries/" + qid)["state"], "withdrawn");
}

TEST_F(GovernanceE2E, RunsNeedAnAcceptedQueryAndEveryConsent) {
  Activate();
  Register(*b_, "impressions");
  Register(*c_, "policies");
  ApiReply p =
      Propose(*a_, "SELECT COUNT(*) FROM impressions i JOIN policies p ON i.email = p.email");
  std::string id = p.body["result"]["id"];
  std::string hash = p.body["result"]["queryHash"];
  Json run = {{"query", id}, {"queryHash", hash}};
  ExpectError(Write(*a_, "/v1/runs", "run.request", run), 409,
              "FailedPrecondition");  // not accepted
  for (TestMember* m : {b_.get(), c_.get()}) {
    ExpectOk(Write(*m, "/v1/queries/" + id + "/votes", "query.accept",
                   {{"query", id}, {"queryHash", hash}}));
  }
  ApiReply ok = Write(*a_, "/v1/runs", "run.request", run);
  ExpectOk(ok);
  std::string run_id = ok.body["result"]["run"];
  EXPECT_EQ(Get(*c_, "/v1/runs/" + run_id)["state"], "requested");
  // Not a runner.
  ExpectError(Write(*b_, "/v1/runs", "run.request", run), 403, "PermissionDenied");

  // Dataset switched off by its owner.
  ExpectOk(
      Write(*c_, "/v1/datasets/policies/consent", "dataset.disable", {{"dataset", "policies"}}));
  ApiReply off = Write(*a_, "/v1/runs", "run.request", run);
  ExpectError(off, 409, "FailedPrecondition");
  EXPECT_NE(off.error->message.find("policies"), std::string::npos);
  ExpectOk(
      Write(*c_, "/v1/datasets/policies/consent", "dataset.enable", {{"dataset", "policies"}}));

  // Query switched off by an approver (not by anyone else).
  ExpectError(Write(*a_, "/v1/queries/" + id + "/consent", "query.disable", {{"query", id}}), 403,
              "PermissionDenied");
  ExpectOk(Write(*b_, "/v1/queries/" + id + "/consent", "query.disable", {{"query", id}}));
  EXPECT_EQ(Get(*a_, "/v1/queries/" + id)["disabledBy"], Json::array({b_->id()}));
  ExpectError(Write(*a_, "/v1/runs", "run.request", run), 409, "FailedPrecondition");
  ExpectOk(Write(*b_, "/v1/queries/" + id + "/consent", "query.enable", {{"query", id}}));

  // Collaboration stopped by a member.
  ExpectOk(Write(*b_, "/v1/collab/consent", "collab.stop", Json::object()));
  ExpectError(Write(*a_, "/v1/runs", "run.request", run), 409, "FailedPrecondition");
  ExpectOk(Write(*b_, "/v1/collab/consent", "collab.resume", Json::object()));
  ExpectOk(Write(*a_, "/v1/runs", "run.request", run));
  EXPECT_EQ(Get(*a_, "/v1/runs")["runs"].size(), 2u);
}

TEST_F(GovernanceE2E, SignedRequestsAreRejectedForEveryReason) {
  Activate();
  std::string collab = Get(*a_, "/v1/collab")["id"];
  Json payload = {{"collaboration", collab}, {"dataset", MakeDataset("crm", {"email"})}};

  // Bad signature: one flipped bit in the signature.
  auto good = a_->client->Sign("dataset.register", payload);
  ASSERT_TRUE(good.ok());
  Bytes bad = *good;
  bad[bad.size() - 5] ^= 0x01;
  auto r = a_->client->PostSigned("/v1/datasets", bad);
  ASSERT_TRUE(r.ok());
  ExpectError(*r, 401, "BadSignature");

  // Unknown signer: a key that is not in the contract.
  auto stranger = NewMember(*server_, "stranger");
  auto s = stranger->client->Sign("dataset.register", payload);
  r = stranger->client->PostSigned("/v1/datasets", *s);
  ExpectError(*r, 401, "UnknownSigner");

  // Stale and future messages.
  auto stale = a_->client->Sign("dataset.register", payload, Now() - 301);
  ExpectError(*a_->client->PostSigned("/v1/datasets", *stale), 401, "MessageExpired");
  auto future = a_->client->Sign("dataset.register", payload, Now() + 120);
  ExpectError(*a_->client->PostSigned("/v1/datasets", *future), 401, "MessageFromFuture");

  // Replayed nonce: the same message twice.
  auto once = a_->client->Sign("dataset.register", payload);
  ExpectOk(*a_->client->PostSigned("/v1/datasets", *once));
  ExpectError(*a_->client->PostSigned("/v1/datasets", *once), 409, "NonceReplayed");

  // Wrong role: b_ is no analyst, c_'s datasets... a recipient-only act: b_ proposing a query.
  Json q = {{"name", "x"}, {"steps", {"SELECT 1"}}, {"recipients", {a_->id()}}};
  ExpectError(Write(*b_, "/v1/queries", "query.propose", {{"query", q}}), 403, "PermissionDenied");

  // A message type the route does not take, a malformed body, an unknown route.
  auto vote = a_->client->Sign("collab.accept", {{"collaboration", collab}});
  ExpectError(*a_->client->PostSigned("/v1/datasets", *vote), 400, "MessageTypeMismatch");
  ExpectError(*a_->client->PostSigned("/v1/datasets", ToBytes("not cose")), 400,
              "MalformedRequest");
  ExpectError(*a_->client->PostSigned("/v1/nothing", *vote), 404, "NoSuchRoute");

  // Reads are authenticated: a stranger's certificate, or none, is refused.
  auto read = stranger->client->Get("/v1/collab");
  ExpectError(*read, 401, "Unauthenticated");
}

TEST_F(GovernanceE2E, ThePinnedFingerprintMustMatch) {
  auto wrong =
      govwire::GovernanceClient::Create(server_->url(), std::string(64, 'a'), a_->identity);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated) << wrong.status().ToString();
}

TEST_F(GovernanceE2E, SecretsAreSealedAndNeverReturned) {
  Activate();
  Register(*b_, "impressions");
  std::string collab = Get(*a_, "/v1/collab")["id"];
  Bytes key(32, 0x5a);
  Json payload = {{"collaboration", collab},
                  {"dataset", "impressions"},
                  {"version", 1},
                  {"keyId", "impressions-key-1"},
                  {"keyCommitment", crypto::Sha256Hex(key)}};
  // Not the owner.
  auto c_msg = c_->client->Sign("dataset.secret", payload);
  auto r = c_->client->PostJson("/v1/datasets/impressions/secret",
                                {{"request", Base64Encode(*c_msg)}, {"key", Base64Encode(key)}});
  ExpectError(*r, 403, "PermissionDenied");
  // A key that does not match its commitment.
  auto b_msg = b_->client->Sign("dataset.secret", payload);
  Bytes other(32, 0x11);
  r = b_->client->PostJson("/v1/datasets/impressions/secret",
                           {{"request", Base64Encode(*b_msg)}, {"key", Base64Encode(other)}});
  ExpectError(*r, 400, "InvalidArgument");
  b_msg = b_->client->Sign("dataset.secret", payload);
  r = b_->client->PostJson("/v1/datasets/impressions/secret",
                           {{"request", Base64Encode(*b_msg)}, {"key", Base64Encode(key)}});
  ExpectOk(*r);
  Json d = Get(*a_, "/v1/datasets/impressions");
  EXPECT_EQ(d["versions"][0]["secret"]["keyId"], "impressions-key-1");
  EXPECT_EQ(d.dump().find(Base64Encode(key)), std::string::npos);
  auto unsealed = server_->service()->UnsealDatasetKey("impressions", 1);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
  EXPECT_EQ(*unsealed, key);
  // The sealed file holds no plaintext key.
  for (const auto& f : std::filesystem::directory_iterator(dir_.path() + "/secrets")) {
    std::ifstream in(f.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find(std::string(32, 0x5a)), std::string::npos);
  }
}

TEST_F(GovernanceE2E, StateAndNoncesSurviveARestart) {
  Activate();
  Register(*b_, "impressions");
  ExpectOk(Write(*b_, "/v1/datasets/impressions/consent", "dataset.disable",
                 {{"dataset", "impressions"}}));
  auto replayable =
      c_->client->Sign("collab.stop", {{"collaboration", Get(*a_, "/v1/collab")["id"]}});
  ExpectOk(*c_->client->PostSigned("/v1/collab/consent", *replayable));
  Json before_collab = Get(*a_, "/v1/collab");
  Json before_dataset = Get(*a_, "/v1/datasets/impressions");
  std::string fingerprint = server_->fingerprint();

  server_->Stop();
  server_ = TestServer::Start(dir_.path());
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(server_->fingerprint(), fingerprint);  // the identity is kept
  auto a2 = Connect(*server_, a_->identity);
  auto c2 = Connect(*server_, c_->identity);
  auto reply = a2->Get("/v1/collab");
  EXPECT_EQ(reply->body, before_collab);
  EXPECT_EQ(a2->Get("/v1/datasets/impressions")->body, before_dataset);
  // The nonce is remembered across the restart.
  ExpectError(*c2->PostSigned("/v1/collab/consent", *replayable), 409, "NonceReplayed");
}

TEST_F(GovernanceE2E, ReceiptsAndTheDownloadedLedgerVerifyOffline) {
  Activate();
  ApiReply reg = Write(*b_, "/v1/datasets", "dataset.register",
                       {{"dataset", MakeDataset("impressions", {"email"})}});
  ExpectOk(reg);
  uint64_t seqno = reg.body["seqno"];
  auto receipt_reply = b_->client->Get("/v1/receipts/" + std::to_string(seqno));
  ASSERT_TRUE(receipt_reply.ok());
  ExpectOk(*receipt_reply);
  auto receipt = ledger::Receipt::FromJson(receipt_reply->body.dump());
  ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
  auto verifier = ledger::TreeHeadVerifier::FromCertificate(
      server_->service()->identity().public_identity.certificate.der());
  ASSERT_TRUE(verifier.ok());
  auto entry = ledger::VerifyReceipt(*receipt, **verifier);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->request.signer_id, b_->id());
  // A modified entry fails.
  receipt->entry[receipt->entry.size() / 2] ^= 0x01;
  EXPECT_FALSE(ledger::VerifyReceipt(*receipt, **verifier).ok());

  std::string path = dir_.path() + "/download.ledger";
  std::ofstream out(path, std::ios::binary);
  auto dl = a_->client->Download("/v1/ledger", [&out](ByteSpan chunk) {
    out.write(reinterpret_cast<const char*>(chunk.data()),
              static_cast<std::streamsize>(chunk.size()));
    return Status::OK();
  });
  out.close();
  ASSERT_TRUE(dl.ok()) << dl.status().ToString();
  ExpectOk(*dl);
  ledger::VerifyOptions options;
  options.member_verifier = [](ByteSpan message, ByteSpan cert_der) -> Status {
    CR_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(cert_der));
    CR_ASSIGN_OR_RETURN(crypto::PublicKey key, cert.public_key());
    return crypto::cose::VerifySign1Strict(message, key).status();
  };
  ledger::VerifyReport report;
  Status verified = ledger::VerifyLedger(path, options, &report);
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  EXPECT_GE(report.member_signatures_checked, 4u);
}

TEST_F(GovernanceE2E, AFlippedByteInTheLedgerIsDetectedAtStartUp) {
  Activate();
  Register(*b_, "impressions");
  server_->Stop();
  std::string segment = dir_.path() + "/ledger/ledger-00000001.seg";
  auto size = std::filesystem::file_size(segment);
  // Every 97th byte from the first record on, restoring each after the check.
  int checked = 0;
  for (uint64_t offset = 40; offset < size - 16; offset += 97) {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x20));
    f.close();
    ServiceOptions options;
    options.data_dir = dir_.path();
    auto opened = Service::Open(options);
    EXPECT_FALSE(opened.ok()) << "flip at offset " << offset << " went unnoticed";
    if (!opened.ok()) {
      EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss) << opened.status().ToString();
    }
    std::fstream g(segment, std::ios::in | std::ios::out | std::ios::binary);
    g.seekp(static_cast<std::streamoff>(offset));
    g.put(c);
    ++checked;
  }
  EXPECT_GT(checked, 10);
  ServiceOptions options;
  options.data_dir = dir_.path();
  EXPECT_TRUE(Service::Open(options).ok());
}

}  // namespace
}  // namespace cleanroom::governance::testing
