// Finding 8's last clause: evidence is bound to a fresh challenge from governance. Key release
// refuses evidence with a missing, expired, reused or foreign (another run's, another
// service's) challenge, and asking for challenges grows nothing.
#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "crypto/signature.h"
#include "governance/challenge.h"
#include "governance/tests/collab_fixture.h"
#include "govwire/key_release.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

class Challenge : public RunningCollaboration {
 protected:
  // The error message of a refused key request, expected to be EvidenceRefused (403).
  std::string Refusal(const std::string& run, const Json& body) {
    ApiReply r = Anonymous("POST", "/v1/runs/" + run + "/keys", body.dump());
    ExpectError(r, 403, "EvidenceRefused");
    return r.error ? r.error->message : std::string();
  }
};

TEST_F(Challenge, IsIssuedOnlyForARequestedRunAndGrowsNothing) {
  std::string run = RequestRun();
  size_t entries = LedgerEntries().size();
  auto connection = AnonymousConnection();
  for (int i = 0; i < 50; ++i) {
    ApiReply r = Anonymous("GET", "/v1/runs/" + run + "/challenge", "", connection.get());
    ExpectOk(r);
    auto challenge = govwire::RunChallenge::FromJson(r.body);
    ASSERT_TRUE(challenge.ok()) << challenge.status().ToString();
    EXPECT_EQ(challenge->run_id, run);
    EXPECT_EQ(challenge->challenge.size(), kChallengeSize);
  }
  ExpectError(Anonymous("GET", "/v1/runs/r999/challenge", ""), 404, "NotFound");
  ExpectError(Anonymous("GET", "/v1/runs/x1/challenge", ""), 400, "InvalidArgument");
  EXPECT_EQ(LedgerEntries().size(), entries);
  // Once the keys are released the run takes no new challenge.
  ExpectOk(Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump()));
  ExpectError(Anonymous("GET", "/v1/runs/" + run + "/challenge", ""), 409, "FailedPrecondition");
}

TEST_F(Challenge, EvidenceWithoutAChallengeIsRefused) {
  std::string run = RequestRun();
  // Evidence bound to the key and the run only (the binding before challenges), no challenge.
  Json body = KeyRequestBody(run, nullptr, Bytes());
  ASSERT_FALSE(body.contains("challenge"));
  EXPECT_EQ(Refusal(run, body).rfind("challenge_missing", 0), 0u);
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "requested");
}

TEST_F(Challenge, AnExpiredChallengeIsRefused) {
  std::string run = RequestRun();
  Bytes challenge = FetchChallenge(run);
  ASSERT_EQ(challenge.size(), kChallengeSize);
  AdvanceClock(kChallengeLifetimeSeconds + 1);
  EXPECT_EQ(Refusal(run, KeyRequestBody(run, nullptr, challenge)).rfind("challenge_expired", 0),
            0u);
  // A fresh one is taken.
  ExpectOk(Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump()));
}

TEST_F(Challenge, AnotherRunsOrAnotherServicesChallengeIsRefused) {
  std::string r1 = RequestRun();
  std::string r2 = RequestRun();
  // r2's challenge, bound into evidence for r1.
  Bytes for_r2 = FetchChallenge(r2);
  EXPECT_EQ(Refusal(r1, KeyRequestBody(r1, nullptr, for_r2)).rfind("challenge_not_issued", 0), 0u);
  // A challenge another service issued for a run of the same id: another service key.
  auto other_key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  ASSERT_TRUE(other_key.ok());
  auto other_issuer = ChallengeIssuer::Create(*other_key);
  ASSERT_TRUE(other_issuer.ok());
  Bytes foreign = other_issuer->Issue(r1, std::time(nullptr));
  EXPECT_EQ(Refusal(r1, KeyRequestBody(r1, nullptr, foreign)).rfind("challenge_not_issued", 0), 0u);
  // A challenge of this service with its expiry moved: the MAC no longer verifies.
  Bytes moved = FetchChallenge(r1);
  moved[7] ^= 1;
  EXPECT_EQ(Refusal(r1, KeyRequestBody(r1, nullptr, moved)).rfind("challenge_not_issued", 0), 0u);
  EXPECT_EQ(Get(*a_, "/v1/runs/" + r1)["state"], "requested");
}

TEST_F(Challenge, TheEvidenceMustBindTheChallengeItIsSentWith) {
  std::string run = RequestRun();
  Json body = KeyRequestBody(run);  // evidence bound to a first fresh challenge
  // Sent with a second one, issued a second later (challenges of one run and second are the same
  // bytes: they are a MAC over run and expiry).
  AdvanceClock(1);
  Bytes second = FetchChallenge(run);
  ASSERT_NE(Base64Encode(second), body.value("challenge", ""));
  body["challenge"] = Base64Encode(second);
  EXPECT_EQ(Refusal(run, body).rfind("report_data_mismatch", 0), 0u);
}

TEST_F(Challenge, AChallengeServesOneReleaseOnly) {
  std::string run = RequestRun();
  Json body = KeyRequestBody(run);
  ExpectOk(Anonymous("POST", "/v1/runs/" + run + "/keys", body.dump()));
  // The same challenge and evidence again, within the challenge's lifetime.
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/keys", body.dump()), 409,
              "FailedPrecondition");
  // And concurrently: of two releases with one challenge, exactly one gets keys.
  std::string other = RequestRun();
  Json twice = KeyRequestBody(other);
  ApiReply first, second;
  std::thread racer(
      [&] { first = Anonymous("POST", "/v1/runs/" + other + "/keys", twice.dump()); });
  second = Anonymous("POST", "/v1/runs/" + other + "/keys", twice.dump());
  racer.join();
  EXPECT_EQ(static_cast<int>(first.ok()) + static_cast<int>(second.ok()), 1);
  int releases = 0;
  for (const ledger::Entry& e : LedgerEntries()) {
    if (ServiceActionType(e) == "run.keys" && e.request.outcome == ledger::Outcome::kAccepted &&
        std::string(e.request.signed_request.begin(), e.request.signed_request.end())
                .find("\"run\":\"" + other + "\"") != std::string::npos) {
      ++releases;
    }
  }
  EXPECT_EQ(releases, 1);
}

}  // namespace
}  // namespace cleanroom::governance::testing
