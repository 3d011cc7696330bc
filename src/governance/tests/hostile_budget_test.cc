// Issue 15's budget held by governance, against a real service on loopback: a run is charged on
// every DP dataset it reads in the transition that releases its keys, refused before any key
// leaves when a budget cannot pay, refunded when it fails before any result exists; and 100 runs
// racing for a budget of 10 leave exactly 10 charged, checked from the ledger.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "crypto/identity.h"
#include "crypto/random.h"
#include "governance/tests/collab_fixture.h"
#include "governance/tests/process_server.h"
#include "govwire/json_reader.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

class Budget : public RunningCollaboration {
 protected:
  // a registers "visits", a DP dataset with `budget`, stores its key, and proposes a DP query
  // over it with `privacy`; a owns every dataset read, so its proposal is also its approval.
  void AddDpQuery(const Json& budget, const Json& privacy) {
    Json dataset = MakeDataset("visits", {"person", "site"});
    dataset["policy"] = {
        {"privacyUnit", "person"},
        {"differentialPrivacy",
         {{"maxGroupsPerUnit", 1}, {"maxRowsPerUnitPerGroup", 1}, {"budget", budget}}}};
    ExpectOk(Write(*a_, "/v1/datasets", "dataset.register", {{"dataset", dataset}}));
    auto stored = govwire::StoreDatasetKey(*a_->client, "visits", 1, "visits-key-1",
                                           *crypto::RandomBytes(32));
    ASSERT_TRUE(stored.ok());
    ExpectOk(*stored);
    Json q = QueryDocument("dp", "SELECT COUNT(*) AS n FROM visits");
    q.erase("guards");
    q["privacy"] = privacy;
    ApiReply proposed = Write(*a_, "/v1/queries", "query.propose", {{"query", q}});
    ExpectOk(proposed);
    dp_query_ = proposed.body["result"].value("id", "");
    dp_hash_ = proposed.body["result"].value("queryHash", "");
    ASSERT_EQ(Get(*a_, "/v1/queries/" + dp_query_)["state"], "accepted");
  }
  // The "visits" entry of GET /v1/budget.
  Json VisitsBudget() {
    const Json budgets = Get(*a_, "/v1/budget");
    for (const Json& d : budgets["datasets"]) {
      if (d.value("name", "") == "visits") return d;
    }
    ADD_FAILURE() << "no budget shown for visits";
    return Json::object();
  }
  // A record of `run` as the runtime would sign it, failed, with `timings`.
  Json FailedRecord(const std::string& run, const std::string& digest, const Json& timings,
                    const Json& budget, const crypto::PrivateKey& key) {
    return {{"run", run},
            {"query", dp_query_},
            {"queryHash", dp_hash_},
            {"evidence", {{"kind", "simulated"}, {"digest", digest}, {"insecure", true}}},
            {"state", "failed"},
            {"reason", "DataLoss: dataset visits: the ciphertext does not match"},
            {"timingsMs", timings},
            {"budget", budget},
            {"runtimeKey", *key.public_key().ToPem()}};
  }

  std::string dp_query_, dp_hash_;
};

// Parses a ledger entry's service action: {"serviceAction", "payload"}.
Json ServicePayload(const ledger::Entry& e) {
  Json action = Json::parse(std::string(AsStringView(e.request.signed_request)), nullptr, false);
  return action.is_object() ? action.value("payload", Json::object()) : Json::object();
}

TEST_F(Budget, TheChargeIsMadeInTheReleaseAndShownInTheLedgerTheRunAndBudgetShow) {
  AddDpQuery({{"epsilon", 3}}, {{"epsilon", 1}});
  Json before = VisitsBudget();
  EXPECT_EQ(before["spent"]["epsilon"], "0");
  EXPECT_EQ(before["remaining"]["epsilon"], "3");
  EXPECT_TRUE(before["charges"].empty());

  std::string run = RequestRunOf(dp_query_, dp_hash_);
  EXPECT_EQ(VisitsBudget()["spent"]["epsilon"], "0");  // a request spends nothing
  std::string digest;
  Json work;
  ASSERT_FALSE(ReleaseKeys(run, &digest, &work).empty());
  // The work order tells the runtime what was charged, for its record.
  ASSERT_EQ(work["budget"].size(), 1u) << work.dump();
  EXPECT_EQ(work["budget"][0]["epsilon"], "1");

  // The entry that released the keys is the one that charged the budget.
  ledger::Entry release;
  for (const ledger::Entry& e : LedgerEntries()) {
    if (ServiceActionType(e) == "run.keys" && ServicePayload(e).value("run", "") == run)
      release = e;
  }
  ASSERT_GT(release.seqno, 0u) << "no run.keys entry for " << run;
  ASSERT_EQ(release.request.outcome, ledger::Outcome::kAccepted);
  Json result = Json::parse(release.request.result);
  ASSERT_EQ(result["budget"].size(), 1u) << result.dump();
  EXPECT_EQ(result["budget"][0]["dataset"], "visits");
  EXPECT_EQ(result["budget"][0]["epsilon"], "1");

  Json after = VisitsBudget();
  EXPECT_EQ(after["spent"]["epsilon"], "1");
  EXPECT_EQ(after["remaining"]["epsilon"], "2");
  ASSERT_EQ(after["charges"].size(), 1u);
  EXPECT_EQ(after["charges"][0]["run"], run);
  EXPECT_EQ(after["charges"][0]["state"], "charged");
  EXPECT_EQ(after["charges"][0]["seqno"], release.seqno);
  Json run_view = Get(*a_, "/v1/runs/" + run);
  ASSERT_EQ(run_view["budget"].size(), 1u);
  EXPECT_EQ(run_view["budget"][0]["epsilon"], "1");

  // The member's command shows the same, by run.
  std::string identity = dir_.path() + "/member-a";
  ASSERT_TRUE(crypto::WriteIdentity(identity, a_->identity).ok());
  ASSERT_TRUE(govwire::SavePin(identity, server_->url(), server_->fingerprint()).ok());
  std::string out;
  ASSERT_EQ(RunCleanroom({"budget", "show", "--identity", identity, "--dataset", "visits"}, &out),
            0)
      << out;
  EXPECT_NE(out.find("budget     epsilon 3, delta 0"), std::string::npos) << out;
  EXPECT_NE(out.find("spent      epsilon 1, delta 0"), std::string::npos) << out;
  EXPECT_NE(out.find("remaining  epsilon 2, delta 0"), std::string::npos) << out;
  EXPECT_NE(out.find("run " + run), std::string::npos) << out;
  EXPECT_NE(out.find("charged   laplace epsilon 1"), std::string::npos) << out;

  // A restarted service rebuilds the same budget from the ledger.
  server_->Stop();
  server_ = TestServer::Start(dir_.path());
  ASSERT_NE(server_, nullptr);
  a_->client = Connect(*server_, a_->identity);
  EXPECT_EQ(VisitsBudget()["spent"], after["spent"]);
}

TEST_F(Budget, ARunTheBudgetCannotPayIsRefusedBeforeAnyKeyLeaves) {
  AddDpQuery({{"epsilon", 2}}, {{"epsilon", 1}});
  for (int i = 0; i < 2; ++i) {
    std::string digest;
    ASSERT_FALSE(ReleaseKeys(RequestRunOf(dp_query_, dp_hash_), &digest).empty());
  }
  std::string run = RequestRunOf(dp_query_, dp_hash_);
  ApiReply refused = Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump());
  ExpectError(refused, 429, "ResourceExhausted");
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_NE(refused.error->message.find("remaining epsilon 0"), std::string::npos)
      << refused.error->message;
  EXPECT_FALSE(refused.body.contains("keys"));
  Json view = Get(*a_, "/v1/runs/" + run);
  EXPECT_EQ(view["state"], "failed");
  EXPECT_TRUE(view["release"].is_null());
  EXPECT_TRUE(view["budget"].empty());
  EXPECT_EQ(VisitsBudget()["charges"].size(), 2u);
}

TEST_F(Budget, AFailureBeforeAnyResultIsRefundedAndOneAfterItIsNot) {
  AddDpQuery({{"epsilon", 2}}, {{"epsilon", 1}});
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  ASSERT_TRUE(key.ok());

  // Failed while loading (no query timing): no result ever existed, the charge is refunded.
  std::string early = RequestRunOf(dp_query_, dp_hash_);
  std::string digest;
  Json work;
  Bytes token = ReleaseKeys(early, &digest, &work);
  EXPECT_EQ(VisitsBudget()["spent"]["epsilon"], "1");
  Json record = FailedRecord(early, digest, {{"load", 3}}, work["budget"], *key);
  // A record that states another charge than the release made is refused.
  Json other = record;
  other["budget"][0]["epsilon"] = "0.5";
  ExpectError(Report(early, token, SignRecord(other, *key)), 400, "InvalidArgument");
  ApiReply reported = Report(early, token, SignRecord(record, *key));
  ExpectOk(reported);
  Json standing = VisitsBudget();
  EXPECT_EQ(standing["spent"]["epsilon"], "0");
  ASSERT_EQ(standing["charges"].size(), 1u);
  EXPECT_EQ(standing["charges"][0]["state"], "refunded");
  EXPECT_EQ(standing["charges"][0]["refundSeqno"], reported.body["seqno"]);

  // Failed after the query produced its result (sealing): the charge stays.
  std::string late = RequestRunOf(dp_query_, dp_hash_);
  token = ReleaseKeys(late, &digest, &work);
  ExpectOk(Report(
      late, token,
      SignRecord(FailedRecord(late, digest, {{"load", 3}, {"query", 5}}, work["budget"], *key),
                 *key)));
  EXPECT_EQ(VisitsBudget()["spent"]["epsilon"], "1");

  // After a restart the refund and the charge are rebuilt from the ledger.
  server_->Stop();
  server_ = TestServer::Start(dir_.path());
  ASSERT_NE(server_, nullptr);
  a_->client = Connect(*server_, a_->identity);
  standing = VisitsBudget();
  EXPECT_EQ(standing["spent"]["epsilon"], "1");
  EXPECT_EQ(standing["charges"][0]["state"], "refunded");
  EXPECT_EQ(standing["charges"][1]["state"], "charged");
}

// 100 runs, each with its key request ready, race for a budget that pays for 10. Exactly 10 get
// keys; the ledger holds exactly 10 accepted releases, each charging epsilon 1, and every other
// run was refused for the budget (before its keys were sealed, as run.refused, or by the
// release's own transition, as a refused run.keys entry).
TEST_F(Budget, HundredConcurrentRunsAgainstABudgetForTenChargeExactlyTen) {
  AddDpQuery({{"epsilon", 10}}, {{"epsilon", 1}});
  constexpr int kRuns = 100;
  std::vector<std::string> runs;
  std::vector<std::string> bodies;
  for (int i = 0; i < kRuns; ++i) {
    runs.push_back(RequestRunOf(dp_query_, dp_hash_));
    bodies.push_back(KeyRequestBody(runs.back()).dump());
  }
  // 25 runtimes on their own connections (the test server admits a bounded number of TLS
  // handshakes at once), each sending 4 of the requests, all at the same time.
  constexpr int kRuntimes = 25;
  std::vector<ApiReply> replies(kRuns);
  std::vector<std::thread> threads;
  threads.reserve(kRuntimes);
  for (int t = 0; t < kRuntimes; ++t) {
    threads.emplace_back([&, t] {
      auto connection = AnonymousConnection();
      if (connection == nullptr) return;
      for (int i = t; i < kRuns; i += kRuntimes) {
        replies[i] =
            Anonymous("POST", "/v1/runs/" + runs[i] + "/keys", bodies[i], connection.get());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  int released = 0;
  for (int i = 0; i < kRuns; ++i) {
    if (replies[i].ok()) {
      ++released;
    } else {
      ASSERT_TRUE(replies[i].error.has_value()) << runs[i];
      EXPECT_EQ(replies[i].error->code, "ResourceExhausted") << replies[i].error->message;
    }
  }
  EXPECT_EQ(released, 10);

  // From the ledger alone.
  std::set<std::string> ours(runs.begin(), runs.end());
  std::set<std::string> charged, refused;
  int charges = 0;
  for (const ledger::Entry& e : LedgerEntries()) {
    std::string type = ServiceActionType(e);
    std::string run = ServicePayload(e).value("run", "");
    if (!ours.count(run)) continue;
    bool accepted = e.request.outcome == ledger::Outcome::kAccepted;
    if (type == "run.keys" && accepted) {
      EXPECT_TRUE(charged.insert(run).second) << run << " released twice";
      Json result = Json::parse(e.request.result);
      for (const Json& c : result.value("budget", Json::array())) {
        EXPECT_EQ(c.value("epsilon", ""), "1");
        ++charges;
      }
    } else if (type == "run.keys") {
      EXPECT_EQ(e.request.refusal_code, "ResourceExhausted");
      refused.insert(run);
    } else if (type == "run.refused") {
      EXPECT_NE(ServicePayload(e).value("reason", "").find("ResourceExhausted"), std::string::npos);
      refused.insert(run);
    }
  }
  EXPECT_EQ(charged.size(), 10u);
  EXPECT_EQ(charges, 10);
  for (const std::string& run : charged) EXPECT_FALSE(refused.count(run)) << run;
  EXPECT_EQ(charged.size() + refused.size(), static_cast<size_t>(kRuns));
  Json standing = VisitsBudget();
  EXPECT_EQ(standing["spent"]["epsilon"], "10");
  EXPECT_EQ(standing["remaining"]["epsilon"], "0");
  EXPECT_EQ(standing["charges"].size(), 10u);
}

}  // namespace
}  // namespace cleanroom::governance::testing
