#include "ledger/entry.h"

#include <gtest/gtest.h>

namespace cleanroom::ledger {
namespace {

Entry SampleRequest() {
  Entry e;
  e.seqno = 42;
  e.time_us = 1763700000123456;
  e.kind = EntryKind::kRequest;
  e.request.signer_id = std::string(64, 'a');
  e.request.signed_request = {0xd2, 0x84, 0x01, 0x02};
  e.request.outcome = Outcome::kAccepted;
  e.request.result = R"({"collaboration":"c1"})";
  e.request.introduced_members.push_back({std::string(64, 'b'), Bytes{1, 2, 3}});
  return e;
}

TEST(EntryTest, RequestRoundTrips) {
  Entry e = SampleRequest();
  Bytes encoded = EncodeEntry(e);
  auto decoded = DecodeEntry(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->seqno, 42u);
  EXPECT_EQ(decoded->time_us, e.time_us);
  EXPECT_EQ(decoded->request.signer_id, e.request.signer_id);
  EXPECT_EQ(decoded->request.signed_request, e.request.signed_request);
  EXPECT_EQ(decoded->request.result, e.request.result);
  ASSERT_EQ(decoded->request.introduced_members.size(), 1u);
  EXPECT_EQ(decoded->request.introduced_members[0].certificate_der, (Bytes{1, 2, 3}));
  EXPECT_EQ(EncodeEntry(*decoded), encoded);  // Deterministic.
}

TEST(EntryTest, RefusedAndTreeHeadAndIdentityRoundTrip) {
  Entry refused = SampleRequest();
  refused.request.outcome = Outcome::kRefused;
  refused.request.refusal_code = "InvalidSignature";
  refused.request.introduced_members.clear();
  EXPECT_EQ(EncodeEntry(*DecodeEntry(EncodeEntry(refused))), EncodeEntry(refused));

  Entry head;
  head.kind = EntryKind::kTreeHead;
  head.seqno = 101;
  head.time_us = 5;
  head.tree_head.tree_size = 100;
  head.tree_head.root.fill(0x11);
  head.tree_head.signature = Bytes(96, 0x22);
  auto decoded = DecodeEntry(EncodeEntry(head));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->tree_head.tree_size, 100u);
  EXPECT_EQ(decoded->tree_head.time_us, 5);
  EXPECT_EQ(decoded->tree_head.root, head.tree_head.root);

  Entry identity;
  identity.kind = EntryKind::kServiceIdentity;
  identity.seqno = 1;
  identity.identity.certificate_der = Bytes(300, 0x30);
  EXPECT_EQ(DecodeEntry(EncodeEntry(identity))->identity.certificate_der, Bytes(300, 0x30));
}

TEST(EntryTest, TreeHeadSignedBytesAreAsSpecified) {
  TreeHead head;
  head.tree_size = 0x0102;
  head.root.fill(0xAB);
  head.time_us = 7;
  Bytes tbs = head.ToBeSigned();
  std::string context = "cleanroom-ledger-tree-head-v1";
  ASSERT_EQ(tbs.size(), context.size() + 1 + 8 + 32 + 8);
  EXPECT_EQ(std::string(tbs.begin(), tbs.begin() + context.size()), context);
  EXPECT_EQ(tbs[context.size()], 0);
  EXPECT_EQ(tbs[context.size() + 1], 0x02);  // Little-endian tree size.
  EXPECT_EQ(tbs[context.size() + 2], 0x01);
  EXPECT_EQ(tbs.back(), 0);
  EXPECT_EQ(tbs[tbs.size() - 8], 7);
}

TEST(EntryTest, MalformedPayloadsAreDataLoss) {
  Bytes encoded = EncodeEntry(SampleRequest());
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    auto r = DecodeEntry(ByteSpan(encoded).subspan(0, cut));
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
  Bytes trailing = encoded;
  trailing.push_back(0);
  EXPECT_EQ(DecodeEntry(trailing).status().code(), StatusCode::kDataLoss);
  Bytes bad_version = encoded;
  bad_version[0] = 2;
  EXPECT_EQ(DecodeEntry(bad_version).status().code(), StatusCode::kDataLoss);
  Bytes bad_kind = encoded;
  bad_kind[1] = 9;
  EXPECT_EQ(DecodeEntry(bad_kind).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cleanroom::ledger
