// Findings 1 and 2 of issue 14, through a real service on loopback: every parser a client reaches
// is bounded (a deeply nested or huge document is refused, not a crash), and no request that is
// not authenticated appends to the ledger or grows any state.
#include <gtest/gtest.h>

#include "crypto/cose.h"
#include "governance/tests/collab_fixture.h"
#include "ledger/ledger.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

class HostileInput : public RunningCollaboration {
 protected:
  // Member and service requests in the ledger. Signed tree heads are left out: the ledger adds
  // one on its own once an entry has waited long enough, which a loaded machine can reach
  // mid-test.
  uint64_t RequestEntries() {
    const ledger::Ledger& ledger = server_->service()->ledger();
    uint64_t requests = 0;
    for (uint64_t seqno = 1; seqno <= ledger.last_seqno(); ++seqno) {
      auto entry = ledger.ReadEntry(seqno);
      if (entry.ok() && entry->kind == ledger::EntryKind::kRequest) ++requests;
    }
    return requests;
  }
  // The service still answers a member after whatever came before.
  void ExpectServing() {
    Json view = Get(*a_, "/v1/collab");
    EXPECT_EQ(view.value("id", ""), collab_);
  }
};

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_F(HostileInput, DeeplyNestedJsonInAnUnauthenticatedRequestIsRefusedNotACrash) {
  std::string run = RequestRun();
  Json body = KeyRequestBody(run);
  // Nested inside the evidence, where the old key release copied and re-serialised it.
  std::string text = body.dump();
  std::string evidence_field = "\"evidence\":{";
  size_t at = text.find(evidence_field);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + evidence_field.size(), "\"deep\":" + Nested(1000000) + ",");
  ApiReply r = Anonymous("POST", "/v1/runs/" + run + "/keys", text);
  ExpectError(r, 400, "InvalidArgument");
  EXPECT_NE(r.error->message.find("deeper than 64"), std::string::npos) << r.error->message;
  // The same at the top level and on the other JSON routes.
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/keys", Nested(1000000)), 400,
              "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/report", Nested(1000000)), 400,
              "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/datasets/customers/secret", Nested(1000000)), 400,
              "InvalidArgument");
  // Just within the bound is still parsed (and then refused for what it is).
  ApiReply shallow = Anonymous("POST", "/v1/runs/" + run + "/keys", Nested(64));
  ExpectError(shallow, 400, "InvalidArgument");
  EXPECT_EQ(shallow.error->message.find("deeper"), std::string::npos) << shallow.error->message;
  ExpectServing();
}

TEST_F(HostileInput, HugeCountsAreRefused) {
  std::string run = RequestRun();
  // More values than the bound, well within the body size limit.
  std::string many = "[" + std::string(250000 * 2 - 1, ',') + "]";
  for (size_t i = 1; i < many.size(); i += 2) many[i] = '0';
  ApiReply r = Anonymous("POST", "/v1/runs/" + run + "/keys", many);
  ExpectError(r, 400, "InvalidArgument");
  EXPECT_NE(r.error->message.find("more than 200000 values"), std::string::npos)
      << r.error->message;
  // An evidence certificate chain of a thousand certificates.
  Json body = KeyRequestBody(run);
  Json chain = Json::array();
  for (int i = 0; i < 1000; ++i) chain.push_back("AAAA");
  body["evidence"]["certificates"] = chain;
  r = Anonymous("POST", "/v1/runs/" + run + "/keys", body.dump());
  ExpectError(r, 400, "InvalidArgument");
  EXPECT_NE(r.error->message.find("certificates"), std::string::npos) << r.error->message;
  // A signed write whose CBOR nests without end.
  std::string cbor(100000, '\x81');
  cbor.push_back('\x00');
  govwire::ConnectionOptions options;
  ASSERT_TRUE(govwire::ParseServiceUrl(server_->url(), &options.host, &options.port).ok());
  options.service_fingerprint = server_->fingerprint();
  auto https = govwire::HttpsConnection::Connect(options);
  ASSERT_TRUE(https.ok());
  auto raw = (*https)->Request("POST", "/v1/datasets", "application/cose", cbor);
  ASSERT_TRUE(raw.ok());
  ExpectError(govwire::MakeApiReply(*raw), 400, "MalformedRequest");
  ExpectServing();
}

// Found by the route fuzzers: a number out of range threw past the JSON parser's handler, and an
// error quoting a path of invalid UTF-8 threw when serialised; both ended the service.
TEST_F(HostileInput, OutOfRangeNumbersAndInvalidUtf8AreRefusedNotACrash) {
  std::string run = RequestRun();
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/keys", "{\"run\": 1e999999}"), 400,
              "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/datasets/customers/secret", "99990000000000000000e01189802"),
              400, "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/%9D%FF", ""), 404, "NoSuchRoute");
  auto read = a_->client->Get("/v1/%9D%FF");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectError(*read, 404, "NoSuchRoute");
  // A signed write whose message type is not UTF-8, quoted in the refusal.
  crypto::cose::Sign1Options o;
  o.kid = ToBytes(a_->id());
  o.msg_type = std::string("\xff\xfe");
  o.created_at = 1;
  o.generate_nonce = true;
  auto message = crypto::cose::CreateSign1(a_->identity.signing_key, AsBytes("{}"), o);
  ASSERT_TRUE(message.ok());
  auto reply = a_->client->PostSigned("/v1/datasets", *message);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->http_status, 400);
  ExpectServing();
}

TEST_F(HostileInput, PathsNameOnlyIdsOfTheirForm) {
  std::string body = KeyRequestBody("r1").dump();
  ApiReply r = Anonymous("POST", "/v1/runs/" + std::string(5000, 'r') + "/keys", body);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.http_status, 414);
  ExpectError(Anonymous("POST", "/v1/runs/not-a-run/keys", body), 400, "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/runs/r0012/keys", body), 400, "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/runs/r99999999999999999999/keys", body), 400,
              "InvalidArgument");
  ExpectError(Anonymous("POST", "/v1/datasets/..%2f..%2fetc/secret", "{}"), 400, "InvalidArgument");
  ExpectError(Write(*a_, "/v1/queries/x1/votes", "query.accept", {{"query", "x1"}}), 400,
              "InvalidArgument");
}

TEST_F(HostileInput, UnauthenticatedRequestsLeaveTheLedgerAndStateAlone) {
  std::string run = RequestRun();
  std::string other = RequestRun();
  Json runs_before = Anonymous("GET", "/v1/runtime/runs", "").body;
  uint64_t before = RequestEntries();

  // Key requests for made-up runs, short and long.
  for (std::string id : {"r9999", "r123456789012345678"}) {
    ExpectError(Anonymous("POST", "/v1/runs/" + id + "/keys", KeyRequestBody(id).dump()), 404,
                "NotFound");
  }
  // Evidence made for another run, or for another key, or from a platform nobody trusts.
  Json wrong_run = KeyRequestBody(other);
  wrong_run["run"] = run;
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/keys", wrong_run.dump()), 403,
              "EvidenceRefused");
  Json wrong_key = KeyRequestBody(run);
  wrong_key["publicKey"] = KeyRequestBody(run)["publicKey"];
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/keys", wrong_key.dump()), 403,
              "EvidenceRefused");
  auto stranger = attest::PlatformKey::Generate();
  ASSERT_TRUE(stranger.ok());
  std::swap(*platform_, *stranger);
  Json untrusted = KeyRequestBody(run);
  std::swap(*platform_, *stranger);
  for (int i = 0; i < 20; ++i) {
    ExpectError(Anonymous("POST", "/v1/runs/" + run + "/keys", untrusted.dump()), 403,
                "EvidenceRefused");
  }
  // Reports without the run token, secrets without a signature, unsigned writes.
  ExpectError(Anonymous("POST", "/v1/runs/" + run + "/report",
                        Json{{"token", "AAAA"}, {"record", "AAAA"}}.dump()),
              409, "FailedPrecondition");
  ExpectError(Anonymous("POST", "/v1/datasets/customers/secret",
                        Json{{"request", "AAAA"}, {"key", "AAAA"}}.dump()),
              400, "MalformedRequest");
  ExpectError(Anonymous("POST", "/v1/datasets", "not cose"), 400, "MalformedRequest");

  EXPECT_EQ(RequestEntries(), before) << "an unauthenticated request appended to the ledger";
  EXPECT_EQ(Anonymous("GET", "/v1/runtime/runs", "").body, runs_before);
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "requested");
  // The genuine runtime still gets the keys.
  ExpectOk(Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump()));
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "running");
}

TEST_F(HostileInput, GenuineEvidenceThePolicyRefusesIsRecordedOncePerRun) {
  std::string run = RequestRun();
  Bytes allowed = measurement_;
  measurement_ = Bytes(48, 0xcd);  // a runtime the contract does not allow
  uint64_t before = RequestEntries();
  for (int i = 0; i < 5; ++i) {
    ApiReply r = Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump());
    ExpectError(r, 403, "EvidenceRefused");
    EXPECT_NE(r.error->message.find("measurement_not_allowed"), std::string::npos);
  }
  EXPECT_EQ(RequestEntries(), before + 1);
  measurement_ = allowed;
  ExpectOk(Anonymous("POST", "/v1/runs/" + run + "/keys", KeyRequestBody(run).dump()));
}

}  // namespace
}  // namespace cleanroom::governance::testing
