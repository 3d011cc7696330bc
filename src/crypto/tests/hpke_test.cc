#include "crypto/hpke.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "crypto/tests/known_answer_access.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto::hpke {
namespace {

using nlohmann::json;
using testing::Hex;

std::string H(const json& j, const char* field) { return j.at(field).get<std::string>(); }

// Every RFC 9180 Appendix A vector for our suites (all modes): DeriveKeyPair, Encap / Decap, the
// key schedule, every encryption (sealed and opened) and every export.
TEST(HpkeTest, Rfc9180AppendixAVectors) {
  auto text = ReadFileToString(testing::TestDataDir() + "/hpke/rfc9180-appendix-a.json");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  json vectors = json::parse(*text);
  int checked = 0, encryptions = 0, exports = 0;
  for (const json& v : vectors) {
    auto suite = SuiteFromIds(v["kem_id"], v["kdf_id"], v["aead_id"]);
    if (!suite.ok()) continue;
    Mode mode = static_cast<Mode>(v["mode"].get<int>());
    SCOPED_TRACE("kem " + std::to_string(v["kem_id"].get<int>()) + " aead " +
                 std::to_string(v["aead_id"].get<int>()) + " mode " +
                 std::to_string(v["mode"].get<int>()));
    Kem kem = suite->kem;
    auto sk_r = DeriveKeyPair(kem, Hex(H(v, "ikmR")));
    auto sk_e = DeriveKeyPair(kem, Hex(H(v, "ikmE")));
    ASSERT_TRUE(sk_r.ok() && sk_e.ok()) << sk_r.status().ToString();
    EXPECT_EQ(HexEncode(*SerializePrivateKey(kem, *sk_r)), H(v, "skRm"));
    EXPECT_EQ(HexEncode(*SerializePrivateKey(kem, *sk_e)), H(v, "skEm"));
    EXPECT_EQ(HexEncode(*SerializePublicKey(kem, sk_r->public_key())), H(v, "pkRm"));
    EXPECT_EQ(HexEncode(*SerializePublicKey(kem, sk_e->public_key())), H(v, "pkEm"));

    SetupOptions sender_options;
    sender_options.mode = mode;
    SetupOptions recipient_options;
    recipient_options.mode = mode;
    if (v.contains("psk")) {
      sender_options.psk = recipient_options.psk = Hex(H(v, "psk"));
      sender_options.psk_id = recipient_options.psk_id = Hex(H(v, "psk_id"));
    }
    if (v.contains("ikmS")) {
      auto sk_s = DeriveKeyPair(kem, Hex(H(v, "ikmS")));
      ASSERT_TRUE(sk_s.ok());
      EXPECT_EQ(HexEncode(*SerializePrivateKey(kem, *sk_s)), H(v, "skSm"));
      EXPECT_EQ(HexEncode(*SerializePublicKey(kem, sk_s->public_key())), H(v, "pkSm"));
      sender_options.sender_key = *sk_s;
      auto pk_s = DeserializePublicKey(kem, Hex(H(v, "pkSm")));
      ASSERT_TRUE(pk_s.ok());
      recipient_options.sender_public_key = *pk_s;
    }
    // The recipient's public key as the sender gets it: deserialized from pkRm.
    auto pk_r = DeserializePublicKey(kem, Hex(H(v, "pkRm")));
    ASSERT_TRUE(pk_r.ok());
    Bytes info = Hex(H(v, "info"));
    auto sender =
        testing::KnownAnswerAccess::SetupSender(*suite, *pk_r, info, sender_options, *sk_e);
    ASSERT_TRUE(sender.ok()) << sender.status().ToString();
    EXPECT_EQ(HexEncode(sender->enc), H(v, "enc"));
    EXPECT_EQ(HexEncode(sender->shared_secret), H(v, "shared_secret"));
    Bytes recipient_secret;
    auto recipient =
        SetupRecipient(*suite, Hex(H(v, "enc")), *sk_r, info, recipient_options, &recipient_secret);
    ASSERT_TRUE(recipient.ok()) << recipient.status().ToString();
    EXPECT_EQ(HexEncode(recipient_secret), H(v, "shared_secret"));
    for (Context* ctx : {&sender->context, &*recipient}) {
      EXPECT_EQ(HexEncode(ctx->key_schedule_context()), H(v, "key_schedule_context"));
      EXPECT_EQ(HexEncode(ctx->key()), H(v, "key"));
      EXPECT_EQ(HexEncode(ctx->base_nonce()), H(v, "base_nonce"));
      EXPECT_EQ(HexEncode(ctx->exporter_secret()), H(v, "exporter_secret"));
    }
    for (const json& e : v["encryptions"]) {
      uint64_t seq = e["sequence_number"];
      // The vectors skip sequence numbers (0, 1, 2, 4, ..., 255, 256): both sides advance the
      // way the product does, one message at a time (no context can be set back or forward).
      ASSERT_LE(sender->context.sequence_number(), seq);
      while (sender->context.sequence_number() < seq) {
        auto filler = sender->context.Seal({}, {});
        ASSERT_TRUE(filler.ok()) << filler.status().ToString();
        ASSERT_TRUE(recipient->Open({}, *filler).ok());
      }
      ASSERT_EQ(recipient->sequence_number(), seq);
      EXPECT_EQ(HexEncode(sender->context.CurrentNonce()), H(e, "nonce"));
      auto ct = sender->context.Seal(Hex(H(e, "aad")), Hex(H(e, "pt")));
      ASSERT_TRUE(ct.ok());
      EXPECT_EQ(HexEncode(*ct), H(e, "ct")) << "seq " << seq;
      auto pt = recipient->Open(Hex(H(e, "aad")), Hex(H(e, "ct")));
      ASSERT_TRUE(pt.ok()) << pt.status().ToString();
      EXPECT_EQ(HexEncode(*pt), H(e, "pt"));
      EXPECT_EQ(sender->context.sequence_number(), seq + 1);
      ++encryptions;
    }
    for (const json& x : v["exports"]) {
      Bytes exporter_context = Hex(H(x, "exporter_context"));
      size_t length = x["L"];
      EXPECT_EQ(HexEncode(*sender->context.Export(exporter_context, length)),
                H(x, "exported_value"));
      EXPECT_EQ(HexEncode(*recipient->Export(exporter_context, length)), H(x, "exported_value"));
      ++exports;
    }
    ++checked;
  }
  // MANIFEST.md: 12 vectors for our suites, 6 encryptions and 3 exports each.
  EXPECT_EQ(checked, 12);
  EXPECT_EQ(encryptions, 72);
  EXPECT_EQ(exports, 36);
}

class HpkeSuiteTest : public ::testing::TestWithParam<std::tuple<Kem, AeadId, Mode>> {};

TEST_P(HpkeSuiteTest, SingleShotRoundTripAndTampering) {
  auto [kem, aead, mode] = GetParam();
  Suite suite{kem, Kdf::kHkdfSha256, aead};
  auto recipient = GenerateKeyPair(kem);
  auto sender = GenerateKeyPair(kem);
  ASSERT_TRUE(recipient.ok() && sender.ok());
  SetupOptions seal_options, open_options;
  seal_options.mode = open_options.mode = mode;
  if (mode == Mode::kPsk || mode == Mode::kAuthPsk) {
    seal_options.psk = open_options.psk = Bytes(32, 7);
    seal_options.psk_id = open_options.psk_id = ToBytes("psk id");
  }
  if (mode == Mode::kAuth || mode == Mode::kAuthPsk) {
    seal_options.sender_key = *sender;
    open_options.sender_public_key = sender->public_key();
  }
  Bytes info = ToBytes("cleanroom result"), aad = ToBytes("run 7");
  Bytes pt = ToBytes("the dataset key, 32 bytes long!!");
  auto sealed = Seal(suite, recipient->public_key(), info, aad, pt, seal_options);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  auto opened = Open(suite, sealed->enc, *recipient, info, aad, sealed->ciphertext, open_options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, pt);
  Bytes bad = sealed->ciphertext;
  bad[3] ^= 1;
  EXPECT_EQ(Open(suite, sealed->enc, *recipient, info, aad, bad, open_options).status().code(),
            StatusCode::kDataLoss);
  EXPECT_FALSE(
      Open(suite, sealed->enc, *recipient, ToBytes("other"), aad, sealed->ciphertext, open_options)
          .ok());
  auto stranger = GenerateKeyPair(kem);
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(
      Open(suite, sealed->enc, *stranger, info, aad, sealed->ciphertext, open_options).ok());
}

INSTANTIATE_TEST_SUITE_P(
    AllSuites, HpkeSuiteTest,
    ::testing::Combine(::testing::Values(Kem::kX25519Sha256, Kem::kP256Sha256),
                       ::testing::Values(AeadId::kAes128Gcm, AeadId::kAes256Gcm,
                                         AeadId::kChaCha20Poly1305),
                       ::testing::Values(Mode::kBase, Mode::kPsk, Mode::kAuth, Mode::kAuthPsk)));

TEST(HpkeTest, BadInputsAreRefused) {
  auto recipient = GenerateKeyPair(Kem::kX25519Sha256);
  ASSERT_TRUE(recipient.ok());
  // Mode / option mismatches.
  SetupOptions auth;
  auth.mode = Mode::kAuth;
  EXPECT_EQ(SetupSender(kDefaultSuite, recipient->public_key(), {}, auth).status().code(),
            StatusCode::kInvalidArgument);
  SetupOptions psk;
  psk.mode = Mode::kPsk;
  psk.psk = Bytes(32, 1);
  EXPECT_EQ(SetupSender(kDefaultSuite, recipient->public_key(), {}, psk).status().code(),
            StatusCode::kInvalidArgument);
  // A P-256 key for an X25519 suite.
  auto p256 = GenerateKeyPair(Kem::kP256Sha256);
  ASSERT_TRUE(p256.ok());
  EXPECT_EQ(SetupSender(kDefaultSuite, p256->public_key(), {}).status().code(),
            StatusCode::kInvalidArgument);
  // Malformed encapsulations: wrong size, a point off the curve, the all-zero X25519 key.
  EXPECT_FALSE(SetupRecipient(kDefaultSuite, Bytes(31, 1), *recipient, {}).ok());
  EXPECT_FALSE(SetupRecipient(kDefaultSuite, Bytes(32, 0), *recipient, {}).ok());
  Suite p256_suite{Kem::kP256Sha256, Kdf::kHkdfSha256, AeadId::kAes128Gcm};
  Bytes off_curve(65, 1);
  off_curve[0] = 4;
  EXPECT_FALSE(SetupRecipient(p256_suite, off_curve, *p256, {}).ok());
  EXPECT_FALSE(SuiteFromIds(0x0011, 1, 1).ok());
  EXPECT_FALSE(SuiteFromIds(0x0020, 2, 1).ok());
  EXPECT_FALSE(SuiteFromIds(0x0020, 1, 0xffff).ok());
  EXPECT_FALSE(DeriveKeyPair(Kem::kX25519Sha256, Bytes(16, 1)).ok());
}

// The public API has no way to choose the ephemeral key: two setups to one recipient with one
// info never share an encapsulation, a key or a nonce.
TEST(HpkeTest, EverySetupDrawsAFreshEphemeralKey) {
  auto recipient = GenerateKeyPair(Kem::kX25519Sha256);
  ASSERT_TRUE(recipient.ok());
  auto a = SetupSender(kDefaultSuite, recipient->public_key(), AsBytes("info"));
  auto b = SetupSender(kDefaultSuite, recipient->public_key(), AsBytes("info"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->enc, b->enc);
  EXPECT_NE(a->context.key(), b->context.key());
  EXPECT_NE(a->context.CurrentNonce(), b->context.CurrentNonce());
}

}  // namespace
}  // namespace cleanroom::crypto::hpke
