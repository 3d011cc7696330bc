#include "crypto/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto {
namespace {

int ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

TEST(CertificateTest, SelfSignedCertificateRoundTrips) {
  auto key = PrivateKey::Generate(KeyType::kEcP384);
  ASSERT_TRUE(key.ok());
  auto cert = CreateSelfSignedCertificate(*key, "alice", 30);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->subject_common_name(), "alice");
  EXPECT_EQ(cert->not_after() - cert->not_before(), 30 * 86400);
  EXPECT_TRUE(cert->VerifySignature(key->public_key()).ok());
  auto other = PrivateKey::Generate(KeyType::kEcP384);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(cert->VerifySignature(other->public_key()).code(), StatusCode::kUnauthenticated);
  auto pub = cert->public_key();
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub->ToDer(), *key->public_key().ToDer());
  auto again = Certificate::FromPem(cert->ToPem());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->der(), cert->der());
  EXPECT_EQ(cert->Sha256Fingerprint(), HexEncode(Sha256(cert->der())));
  EXPECT_EQ(cert->Sha256Fingerprint().size(), 64u);
  Bytes truncated(cert->der().begin(), cert->der().end() - 1);
  EXPECT_EQ(Certificate::FromDer(truncated).status().code(), StatusCode::kInvalidArgument);
}

TEST(CertificateTest, Ed25519Certificate) {
  auto key = PrivateKey::Generate(KeyType::kEd25519);
  ASSERT_TRUE(key.ok());
  auto cert = CreateSelfSignedCertificate(*key, "bob");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_TRUE(cert->VerifySignature(key->public_key()).ok());
}

TEST(IdentityTest, WriteAndLoadWithPassphrase) {
  std::string dir = testing::MakeTempDir() + "/alice";
  auto identity = GenerateIdentity("alice");
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  ASSERT_TRUE(WriteIdentity(dir, *identity, "s3cret").ok());
  EXPECT_EQ(ModeOf(dir + "/key.pem"), 0600);
  EXPECT_EQ(ModeOf(dir + "/enc_key.pem"), 0600);
  EXPECT_EQ(ModeOf(dir + "/cert.pem") & 0600, 0600);
  EXPECT_EQ(WriteIdentity(dir, *identity).code(), StatusCode::kAlreadyExists);

  auto loaded = LoadIdentity(dir, "s3cret");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->member_id(), identity->member_id());
  EXPECT_EQ(loaded->member_id(), HexEncode(Sha256(loaded->public_identity.certificate.der())));
  EXPECT_EQ(loaded->public_identity.name, "alice");
  EXPECT_EQ(loaded->signing_key.type(), KeyType::kEcP384);
  EXPECT_EQ(loaded->encryption_key.type(), KeyType::kX25519);
  EXPECT_EQ(LoadIdentity(dir, "wrong").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(LoadIdentity(dir).status().code(), StatusCode::kUnauthenticated);

  auto pub = LoadPublicIdentity(dir);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->member_id, identity->member_id());
  EXPECT_EQ(*pub->encryption_public_key.ToRaw(), *identity->encryption_key.public_key().ToRaw());

  // A key that the certificate does not certify is refused.
  auto other = GenerateIdentity("mallory");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/cert.pem", other->public_identity.certificate.ToPem()).ok());
  EXPECT_EQ(LoadIdentity(dir, "s3cret").status().code(), StatusCode::kInvalidArgument);
}

TEST(IdentityTest, MissingFilesAreReported) {
  std::string dir = testing::MakeTempDir();
  EXPECT_EQ(LoadIdentity(dir).status().code(), StatusCode::kNotFound);
  auto identity = GenerateIdentity("carol", KeyType::kEd25519);
  ASSERT_TRUE(identity.ok());
  ASSERT_TRUE(WriteIdentity(dir, *identity).ok());
  ASSERT_TRUE(LoadIdentity(dir).ok());
  std::filesystem::remove(dir + "/enc_key.pem");
  auto s = LoadIdentity(dir).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("enc_key.pem"), std::string::npos);
}

}  // namespace
}  // namespace cleanroom::crypto
