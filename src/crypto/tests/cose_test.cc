#include "crypto/cose.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "base/file.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto {
namespace {

cose::Sign1Options ProjectOptions() {
  cose::Sign1Options options;
  options.kid = ToBytes("0123abcd");
  options.content_type = "application/json";
  options.msg_type = "proposal";
  options.created_at = 1700000000;
  options.generate_nonce = true;
  return options;
}

TEST(CoseSign1Test, CreateAndVerifyStrictly) {
  for (KeyType type : {KeyType::kEcP384, KeyType::kEd25519}) {
    auto key = PrivateKey::Generate(type);
    ASSERT_TRUE(key.ok());
    Bytes payload = ToBytes(R"({"actions":[]})");
    auto message = cose::CreateSign1(*key, payload, ProjectOptions());
    ASSERT_TRUE(message.ok()) << message.status().ToString();
    EXPECT_EQ((*message)[0], 0xd2);  // tag 18
    auto verified = cose::VerifySign1Strict(*message, key->public_key());
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    const cose::Headers& h = verified->headers;
    EXPECT_EQ(*h.alg, type == KeyType::kEcP384 ? cose::kAlgEs384 : cose::kAlgEdDsa);
    EXPECT_TRUE(h.alg_protected);
    EXPECT_EQ(*h.kid, ToBytes("0123abcd"));
    EXPECT_EQ(*h.content_type, "application/json");
    EXPECT_EQ(*h.msg_type, "proposal");
    EXPECT_EQ(*h.created_at, 1700000000);
    ASSERT_TRUE(h.nonce.has_value());
    EXPECT_EQ(h.nonce->size(), 16u);
    EXPECT_EQ(*verified->payload, payload);

    // Every single-bit flip is refused.
    for (size_t i = 0; i < message->size(); ++i) {
      Bytes tampered = *message;
      tampered[i] ^= 0x01;
      EXPECT_FALSE(cose::VerifySign1Strict(tampered, key->public_key()).ok()) << "offset " << i;
    }
    // The wrong key and the wrong external_aad are refused.
    auto other = PrivateKey::Generate(type);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(cose::VerifySign1Strict(*message, other->public_key()).status().code(),
              StatusCode::kUnauthenticated);
    EXPECT_FALSE(cose::VerifySign1Strict(*message, key->public_key(), ToBytes("x")).ok());
  }
}

TEST(CoseSign1Test, ExternalAadAndUntagged) {
  auto key = PrivateKey::Generate(KeyType::kEcP384);
  ASSERT_TRUE(key.ok());
  cose::Sign1Options options;
  options.external_aad = ToBytes("bound");
  options.tagged = false;
  auto message = cose::CreateSign1(*key, ToBytes("p"), options);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ((*message)[0], 0x84);
  EXPECT_TRUE(cose::VerifySign1Strict(*message, key->public_key(), ToBytes("bound")).ok());
  EXPECT_FALSE(cose::VerifySign1Strict(*message, key->public_key()).ok());
}

TEST(CoseSign1Test, StrictModeRefusesNonDeterministicAndMisplacedHeaders) {
  auto key = PrivateKey::Generate(KeyType::kEcP384);
  ASSERT_TRUE(key.ok());
  auto message = cose::CreateSign1(*key, ToBytes("p"), {});
  ASSERT_TRUE(message.ok());
  // Re-encode the payload length non-minimally (0x41 'p' -> 0x58 0x01 'p'): the lenient decoder
  // accepts it (and the signature still verifies, the Sig_structure being rebuilt), strict refuses.
  auto decoded = cose::DecodeSign1(*message);
  ASSERT_TRUE(decoded.ok());
  Bytes loose = *message;
  size_t payload_at = 0;
  for (size_t i = 0; i + 1 < loose.size(); ++i) {
    if (loose[i] == 0x41 && loose[i + 1] == 'p') payload_at = i;
  }
  ASSERT_NE(payload_at, 0u);
  loose[payload_at] = 0x58;
  loose.insert(loose.begin() + payload_at + 1, 0x01);
  auto strict = cose::DecodeSign1(loose, cose::DecodeMode::kStrict);
  EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strict.status().message().find("offset"), std::string::npos);
  auto lenient = cose::DecodeSign1(loose, cose::DecodeMode::kLenient);
  ASSERT_TRUE(lenient.ok());
  EXPECT_TRUE(cose::VerifySign1(*lenient, key->public_key()).ok());

  // Project headers outside the protected bucket are refused.
  cbor::Value unprotected = cbor::Value::MakeMap(
      {{cbor::Value::Text(cose::kHeaderMsgType), cbor::Value::Text("ballot")}});
  auto bad = cbor::Encode(
      cbor::Value::Tag(18, cbor::Value::MakeArray({cbor::Value::Bytes(decoded->protected_bytes),
                                                   unprotected, cbor::Value::Bytes(ToBytes("p")),
                                                   cbor::Value::Bytes(decoded->signature)})));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(cose::DecodeSign1(*bad).status().code(), StatusCode::kInvalidArgument);
  // A nonce of the wrong size cannot be created.
  cose::Sign1Options options;
  options.nonce = Bytes(8, 1);
  EXPECT_EQ(cose::CreateSign1(*key, ToBytes("p"), options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CoseSign1Test, MalformedMessagesGiveClearErrors) {
  for (const char* hex :
       {"", "d2", "d283", "d28440a0", "d8628440a0f640", "84404040", "d2844043a10126f640ff"}) {
    auto r = cose::DecodeSign1(testing::Hex(hex));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << hex;
  }
}

// Our ES384 and EdDSA messages verify with Python's `cryptography` and an independent CBOR reader.
TEST(CoseSign1Test, IndependentImplementationVerifiesOurMessages) {
  // Debian's interpreter, with Debian's python3-cryptography (scripts/install-deps.sh installs
  // both): a `python3` earlier on PATH (pyenv, a virtualenv) may lack the module. A missing
  // module fails the test rather than skipping it, so the interop check cannot vanish.
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1"), 0)
      << "/usr/bin/python3 cannot import cryptography: run scripts/install-deps.sh";
  std::string dir = testing::MakeTempDir();
  std::string script = std::string(CLEANROOM_SOURCE_DIR) + "/src/crypto/tests/cose_verify.py";
  for (KeyType type : {KeyType::kEcP384, KeyType::kEd25519}) {
    auto key = PrivateKey::Generate(type);
    ASSERT_TRUE(key.ok());
    auto options = ProjectOptions();
    options.external_aad = ToBytes("aad");
    auto message = cose::CreateSign1(*key, ToBytes("payload for python"), options);
    ASSERT_TRUE(message.ok());
    ASSERT_TRUE(WriteFileAtomic(dir + "/msg.cbor", AsStringView(*message)).ok());
    ASSERT_TRUE(WriteFileAtomic(dir + "/pub.pem", *key->public_key().ToPem()).ok());
    std::string cmd = "/usr/bin/python3 " + script + " " + dir + "/msg.cbor " + dir + "/pub.pem " +
                      HexEncode(ToBytes("aad")) + " >/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << KeyTypeName(type);
    // And the same verifier refuses a tampered signature (the check can fail).
    Bytes tampered = *message;
    tampered.back() ^= 1;
    ASSERT_TRUE(WriteFileAtomic(dir + "/msg.cbor", AsStringView(tampered)).ok());
    EXPECT_NE(std::system(cmd.c_str()), 0) << KeyTypeName(type);
  }
}

// The `openssl` command line verifies a raw ES384 signature (converted to DER) over our bytes.
TEST(SignatureInteropTest, OpensslCommandLineVerifiesEs384) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
  std::string dir = testing::MakeTempDir();
  auto key = PrivateKey::Generate(KeyType::kEcP384);
  ASSERT_TRUE(key.ok());
  Bytes data = ToBytes("ledger entry 42");
  auto sig = key->Sign(data);
  ASSERT_TRUE(sig.ok());
  auto der = EcdsaRawToDer(*sig);
  ASSERT_TRUE(der.ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/data", AsStringView(data)).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/sig.der", AsStringView(*der)).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/pub.pem", *key->public_key().ToPem()).ok());
  std::string cmd = "openssl dgst -sha384 -verify " + dir + "/pub.pem -signature " + dir +
                    "/sig.der " + dir + "/data >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  // And a signature made by the openssl CLI verifies here.
  auto pem = key->ToPem();
  ASSERT_TRUE(pem.ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/key.pem", *pem, 0600).ok());
  cmd = "openssl dgst -sha384 -sign " + dir + "/key.pem -out " + dir + "/cli.der " + dir + "/data";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto cli_der = ReadFileToString(dir + "/cli.der");
  ASSERT_TRUE(cli_der.ok());
  auto raw = EcdsaDerToRaw(AsBytes(*cli_der), 48);
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(key->public_key().Verify(SignatureAlgorithm::kEs384, data, *raw).ok());
}

}  // namespace
}  // namespace cleanroom::crypto
