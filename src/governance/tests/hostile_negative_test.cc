// The negative tests issue 14 found missing: each check below could once be deleted without any
// test failing. The run report's token, signature and run/query/evidence binding; the query hash
// bound into votes and run requests; the collaboration id of a request.
#include <gtest/gtest.h>

#include "crypto/cose.h"
#include "crypto/hpke.h"
#include "governance/tests/collab_fixture.h"
#include "govwire/key_release.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

using Negative = RunningCollaboration;

TEST_F(Negative, TheRunReportNeedsItsTokenSignatureAndBinding) {
  std::string run = RequestRun();
  std::string digest;
  Bytes token = ReleaseKeys(run, &digest);
  ASSERT_EQ(token.size(), govwire::kRunTokenSize);
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  auto other_key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  ASSERT_TRUE(key.ok() && other_key.ok());
  Json record = {{"run", run},
                 {"query", query_},
                 {"queryHash", query_hash_},
                 {"evidence", {{"kind", "simulated"}, {"digest", digest}, {"insecure", true}}},
                 {"state", "succeeded"},
                 {"outputHash", std::string(64, 'a')},
                 {"runtimeKey", *key->public_key().ToPem()}};

  // Another token.
  Bytes wrong_token = token;
  wrong_token[0] ^= 1;
  ExpectError(Report(run, wrong_token, SignRecord(record, *key)), 401, "Unauthenticated");
  // Signed by another key than the one the record names.
  ExpectError(Report(run, token, SignRecord(record, *other_key)), 401, "BadSignature");
  // Bound to another run, query or evidence, without a final state, or with a field the wire
  // contract does not know (never accepted and ignored).
  for (const auto& [field, value] : std::vector<std::pair<std::string, Json>>{
           {"run", "r999"},
           {"queryHash", std::string(64, '0')},
           {"evidence", Json{{"kind", "simulated"}, {"digest", std::string(96, '0')}}},
           {"state", "running"},
           {"unknownField", true}}) {
    Json bad = record;
    bad[field] = value;
    ExpectError(Report(run, token, SignRecord(bad, *key)), 400, "InvalidArgument");
  }
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "running");
  // The genuine report is taken, once.
  ExpectOk(Report(run, token, SignRecord(record, *key)));
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "succeeded");
  ExpectError(Report(run, token, SignRecord(record, *key)), 409, "FailedPrecondition");
}

TEST_F(Negative, TheQueryHashIsBoundIntoVotesAndRunRequests) {
  // A second query, proposed but not yet accepted by b.
  Json q = QueryDocument("other",
                         "SELECT COUNT(*) FROM impressions i JOIN customers c ON i.email = c.email "
                         "WHERE i.segment = 'x'");
  ApiReply proposed = Write(*a_, "/v1/queries", "query.propose", {{"query", q}});
  ExpectOk(proposed);
  std::string id = proposed.body["result"].value("id", "");
  std::string hash = proposed.body["result"].value("queryHash", "");
  // b's vote for another version of the query (the first query's hash) does not count.
  ExpectError(Write(*b_, "/v1/queries/" + id + "/votes", "query.accept",
                    {{"query", id}, {"queryHash", query_hash_}}),
              409, "FailedPrecondition");
  EXPECT_EQ(Get(*a_, "/v1/queries/" + id)["state"], "proposed");
  ExpectOk(Write(*b_, "/v1/queries/" + id + "/votes", "query.accept",
                 {{"query", id}, {"queryHash", hash}}));
  // A run request names the exact query it asks for.
  ExpectError(Write(*a_, "/v1/runs", "run.request", {{"query", id}, {"queryHash", query_hash_}}),
              409, "FailedPrecondition");
  ExpectOk(Write(*a_, "/v1/runs", "run.request", {{"query", id}, {"queryHash", hash}}));
}

TEST_F(Negative, ARequestForAnotherCollaborationIsRefused) {
  std::string other(64, 'c');
  ExpectError(Write(*b_, "/v1/datasets/impressions/consent", "dataset.disable",
                    {{"dataset", "impressions"}, {"collaboration", other}}),
              409, "FailedPrecondition");
  ExpectError(Write(*a_, "/v1/runs", "run.request",
                    {{"query", query_}, {"queryHash", query_hash_}, {"collaboration", other}}),
              409, "FailedPrecondition");
  EXPECT_TRUE(Get(*a_, "/v1/datasets/impressions")["enabled"].get<bool>());
}

}  // namespace
}  // namespace cleanroom::governance::testing
