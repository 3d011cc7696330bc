// The replay rules of member requests over a ledger (RequestFreshness): each (signer, nonce)
// once, created-at within the freshness window of its entry.
#include "ledger/request_freshness.h"

#include <gtest/gtest.h>

#include "crypto/cose.h"
#include "crypto/identity.h"

namespace cleanroom::ledger {
namespace {

constexpr int64_t kEntrySeconds = 1800000000;

Bytes Signed(const crypto::MemberIdentity& who, int64_t created_at, const Bytes& nonce) {
  crypto::cose::Sign1Options options;
  options.msg_type = "test.message";
  options.created_at = created_at;
  options.nonce = nonce;
  return crypto::cose::CreateSign1(who.signing_key, AsBytes("{}"), options).value();
}

Entry Request(uint64_t seqno, const std::string& signer, Bytes signed_request,
              Outcome outcome = Outcome::kAccepted) {
  Entry e;
  e.seqno = seqno;
  e.time_us = kEntrySeconds * 1000000;
  e.request.signer_id = signer;
  e.request.signed_request = std::move(signed_request);
  e.request.outcome = outcome;
  return e;
}

class RequestFreshnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_.emplace(crypto::GenerateIdentity("alice").value());
    bob_.emplace(crypto::GenerateIdentity("bob").value());
  }
  std::optional<crypto::MemberIdentity> alice_, bob_;
  Bytes nonce_ = Bytes(16, 0x01);
  Bytes other_nonce_ = Bytes(16, 0x02);
};

TEST_F(RequestFreshnessTest, ANonceIsUsedOncePerSignerAcrossTheLedger) {
  RequestFreshness rules;
  ASSERT_TRUE(
      rules.Check(Request(2, alice_->member_id(), Signed(*alice_, kEntrySeconds, nonce_))).ok());
  // Another signer may draw the same nonce; the same signer may not use it again.
  ASSERT_TRUE(
      rules.Check(Request(3, bob_->member_id(), Signed(*bob_, kEntrySeconds, nonce_))).ok());
  ASSERT_TRUE(
      rules.Check(Request(4, alice_->member_id(), Signed(*alice_, kEntrySeconds, other_nonce_)))
          .ok());
  Status replayed =
      rules.Check(Request(5, alice_->member_id(), Signed(*alice_, kEntrySeconds, nonce_)));
  EXPECT_EQ(replayed.code(), StatusCode::kDataLoss);
  EXPECT_NE(replayed.message().find("entry 5"), std::string::npos) << replayed.ToString();
}

TEST_F(RequestFreshnessTest, CreatedAtMustLieInTheWindowOfItsEntry) {
  RequestFreshness rules;
  int64_t oldest = kEntrySeconds - kMaxRequestAgeSeconds - kAppendSlackSeconds;
  EXPECT_TRUE(
      rules.Check(Request(2, alice_->member_id(), Signed(*alice_, oldest, Bytes(16, 3)))).ok());
  EXPECT_FALSE(
      rules.Check(Request(3, alice_->member_id(), Signed(*alice_, oldest - 1, Bytes(16, 4)))).ok());
  int64_t newest = kEntrySeconds + kMaxRequestSkewSeconds + 1;
  EXPECT_TRUE(
      rules.Check(Request(4, alice_->member_id(), Signed(*alice_, newest, Bytes(16, 5)))).ok());
  EXPECT_FALSE(
      rules.Check(Request(5, alice_->member_id(), Signed(*alice_, newest + 1, Bytes(16, 6)))).ok());
}

TEST_F(RequestFreshnessTest, RefusedEntriesSpendTheirNonceButNeedNoHeaders) {
  RequestFreshness rules;
  // A refused request is recorded as received: garbage passes.
  EXPECT_TRUE(
      rules.Check(Request(2, alice_->member_id(), ToBytes("garbage"), Outcome::kRefused)).ok());
  // A refused request that decodes spent its nonce: accepting it later is a replay.
  EXPECT_TRUE(rules
                  .Check(Request(3, alice_->member_id(), Signed(*alice_, kEntrySeconds, nonce_),
                                 Outcome::kRefused))
                  .ok());
  EXPECT_FALSE(
      rules.Check(Request(4, alice_->member_id(), Signed(*alice_, kEntrySeconds, nonce_))).ok());
  // An accepted member request must carry its headers.
  EXPECT_FALSE(rules.Check(Request(5, alice_->member_id(), ToBytes("garbage"))).ok());
  // Service entries (no signer) are not member requests.
  EXPECT_TRUE(rules.Check(Request(6, "", ToBytes("{\"serviceAction\":\"run.keys\"}"))).ok());
}

}  // namespace
}  // namespace cleanroom::ledger
