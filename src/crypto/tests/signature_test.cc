#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "crypto/tests/test_util.h"

namespace cleanroom::crypto {
namespace {

class SignatureTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(SignatureTest, SignVerifyAndTamper) {
  auto key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Bytes message = ToBytes("a governance request");
  auto sig = key->Sign(message);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  if (EcFieldSize(GetParam()) != 0) EXPECT_EQ(sig->size(), 2 * EcFieldSize(GetParam()));
  auto algorithm = DefaultSignatureAlgorithm(GetParam());
  ASSERT_TRUE(algorithm.ok());
  EXPECT_TRUE(key->public_key().Verify(*algorithm, message, *sig).ok());
  message[0] ^= 1;
  EXPECT_EQ(key->public_key().Verify(*algorithm, message, *sig).code(),
            StatusCode::kUnauthenticated);
  message[0] ^= 1;
  (*sig)[sig->size() / 2] ^= 0x40;
  EXPECT_EQ(key->public_key().Verify(*algorithm, message, *sig).code(),
            StatusCode::kUnauthenticated);
  sig->pop_back();
  EXPECT_EQ(key->public_key().Verify(*algorithm, message, *sig).code(),
            StatusCode::kUnauthenticated);
  // Another key's signature does not verify.
  auto other = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(other.ok());
  auto other_sig = other->Sign(message);
  ASSERT_TRUE(other_sig.ok());
  EXPECT_FALSE(key->public_key().Verify(*algorithm, message, *other_sig).ok());
}

TEST_P(SignatureTest, PemRoundTripsWithAndWithoutPassphrase) {
  auto key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  auto pem = key->ToPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
  auto loaded = PrivateKey::FromPem(*pem);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded->public_key().ToDer(), *key->public_key().ToDer());

  auto encrypted = key->ToPem("correct horse");
  ASSERT_TRUE(encrypted.ok());
  EXPECT_NE(encrypted->find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
  auto decrypted = PrivateKey::FromPem(*encrypted, "correct horse");
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(*decrypted->ToRaw(), *key->ToRaw());
  EXPECT_EQ(PrivateKey::FromPem(*encrypted, "wrong").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(PrivateKey::FromPem(*encrypted).status().code(), StatusCode::kUnauthenticated);

  auto pub_pem = key->public_key().ToPem();
  ASSERT_TRUE(pub_pem.ok());
  auto pub = PublicKey::FromPem(*pub_pem);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->type(), GetParam());
  auto der = pub->ToDer();
  ASSERT_TRUE(der.ok());
  EXPECT_TRUE(PublicKey::FromDer(*der).ok());
}

TEST_P(SignatureTest, RawFormsRoundTrip) {
  auto key = PrivateKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  auto raw = key->ToRaw();
  ASSERT_TRUE(raw.ok());
  auto again = EcFieldSize(GetParam()) != 0 ? PrivateKey::FromEcScalar(GetParam(), *raw)
                                            : PrivateKey::FromRaw(GetParam(), *raw);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again->public_key().ToRaw(), *key->public_key().ToRaw());
  auto pub_raw = key->public_key().ToRaw();
  auto pub = EcFieldSize(GetParam()) != 0 ? PublicKey::FromEcPoint(GetParam(), *pub_raw)
                                          : PublicKey::FromRaw(GetParam(), *pub_raw);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub->ToDer(), *key->public_key().ToDer());
}

INSTANTIATE_TEST_SUITE_P(AllSigningKeys, SignatureTest,
                         ::testing::Values(KeyType::kEcP256, KeyType::kEcP384, KeyType::kEcP521,
                                           KeyType::kEd25519, KeyType::kEd448));

TEST(SignatureMiscTest, AlgorithmMustFitKey) {
  auto ec = PrivateKey::Generate(KeyType::kEcP384);
  auto ed = PrivateKey::Generate(KeyType::kEd25519);
  auto x = PrivateKey::Generate(KeyType::kX25519);
  ASSERT_TRUE(ec.ok() && ed.ok() && x.ok());
  EXPECT_EQ(ec->Sign(SignatureAlgorithm::kEdDsa, ToBytes("m")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ed->Sign(SignatureAlgorithm::kEs384, ToBytes("m")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(x->Sign(ToBytes("m")).status().code(), StatusCode::kInvalidArgument);
  // ES512 (SHA-512) on a P-384 key is allowed, as COSE allows it.
  auto sig = ec->Sign(SignatureAlgorithm::kEs512, ToBytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(ec->public_key().Verify(SignatureAlgorithm::kEs512, ToBytes("m"), *sig).ok());
  EXPECT_FALSE(ec->public_key().Verify(SignatureAlgorithm::kEs384, ToBytes("m"), *sig).ok());
}

TEST(SignatureMiscTest, EcdsaDerRawConversions) {
  Bytes raw(96, 0);
  raw[47] = 5;  // r = 5
  raw[95] = 7;  // s = 7
  auto der = EcdsaRawToDer(raw);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(HexEncode(*der), "3006020105020107");
  auto back = EcdsaDerToRaw(*der, 48);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, raw);
  EXPECT_FALSE(EcdsaDerToRaw(testing::Hex("300602010502"), 48).ok());
  EXPECT_FALSE(EcdsaRawToDer(Bytes(5, 1)).ok());
  Bytes big(std::size_t{2} * 49, 0xff);
  auto big_der = EcdsaRawToDer(big);
  ASSERT_TRUE(big_der.ok());
  EXPECT_FALSE(EcdsaDerToRaw(*big_der, 48).ok());
}

TEST(SignatureMiscTest, MalformedKeysAreInvalidArgument) {
  EXPECT_EQ(PublicKey::FromDer(ToBytes("not a key")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromPem("garbage").status().code(), StatusCode::kInvalidArgument);
  Bytes x(32, 1), y(32, 2);
  EXPECT_EQ(PublicKey::FromEcCoordinates(KeyType::kEcP256, x, y).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(PrivateKey::FromEcScalar(KeyType::kEcP256, Bytes(32, 0)).ok());
  EXPECT_FALSE(PrivateKey::FromEcScalar(KeyType::kEcP256, Bytes(32, 0xff)).ok());
}

}  // namespace
}  // namespace cleanroom::crypto
