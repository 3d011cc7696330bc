// Verifies every COSE_Sign1 / COSE_Sign message of the cose-wg Examples in the shared test data:
// files with "fail": true must be refused, all others must verify.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "crypto/cose.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto {
namespace {

using nlohmann::json;
using testing::Hex;

Result<PublicKey> KeyFromJson(const json& key) {
  std::string kty = key.at("kty");
  if (kty == "EC") {
    std::string crv = key.at("crv");
    KeyType type = crv == "P-256"   ? KeyType::kEcP256
                   : crv == "P-384" ? KeyType::kEcP384
                                    : KeyType::kEcP521;
    CR_ASSIGN_OR_RETURN(Bytes x, Base64Decode(key.at("x").get<std::string>()));
    CR_ASSIGN_OR_RETURN(Bytes y, Base64Decode(key.at("y").get<std::string>()));
    return PublicKey::FromEcCoordinates(type, x, y);
  }
  std::string crv = key.at("crv");
  return PublicKey::FromRaw(crv == "Ed25519" ? KeyType::kEd25519 : KeyType::kEd448,
                            Hex(key.at("x_hex")));
}

// Decodes and verifies one example; OK when it verifies.
Status VerifyExample(const json& j, std::string* to_be_signed_hex) {
  Bytes message = Hex(j.at("output").at("cbor"));
  const json& input = j.at("input");
  if (input.contains("sign0")) {
    const json& s = input.at("sign0");
    Bytes external = s.contains("external") ? Hex(s.at("external")) : Bytes{};
    CR_ASSIGN_OR_RETURN(PublicKey key, KeyFromJson(s.at("key")));
    CR_ASSIGN_OR_RETURN(cose::Sign1Message m,
                        cose::DecodeSign1(message, cose::DecodeMode::kLenient));
    *to_be_signed_hex = HexEncode(cose::Sign1ToBeSigned(m.protected_bytes, external, *m.payload));
    return cose::VerifySign1(m, key, external);
  }
  const json& signers = input.at("sign").at("signers");
  CR_ASSIGN_OR_RETURN(cose::SignMessage m, cose::DecodeSign(message, cose::DecodeMode::kLenient));
  if (m.signatures.size() != signers.size()) return Status::InvalidArgument("signer count");
  for (size_t i = 0; i < signers.size(); ++i) {
    Bytes external = signers[i].contains("external") ? Hex(signers[i].at("external")) : Bytes{};
    CR_ASSIGN_OR_RETURN(PublicKey key, KeyFromJson(signers[i].at("key")));
    CR_RETURN_IF_ERROR(cose::VerifySignSigner(m, i, key, external));
  }
  return Status::OK();
}

TEST(CoseExamplesTest, EveryFileVerifiesOrIsRefusedAsExpected) {
  int verified = 0, refused = 0;
  for (const char* folder : {"sign1-tests", "sign-tests", "ecdsa-examples", "eddsa-examples"}) {
    std::filesystem::path dir = std::filesystem::path(testing::TestDataDir()) / "cose" / folder;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      auto text = ReadFileToString(entry.path().string());
      ASSERT_TRUE(text.ok());
      json j = json::parse(*text);
      bool must_fail = j.value("fail", false);
      std::string tbs;
      Status s = VerifyExample(j, &tbs);
      std::string name = std::string(folder) + "/" + entry.path().filename().string();
      if (must_fail) {
        EXPECT_FALSE(s.ok()) << name << " must be refused";
        RecordProperty(name, s.ToString());
        ++refused;
      } else {
        EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
        ++verified;
        if (j.contains("intermediates") && j["intermediates"].contains("ToBeSign_hex") &&
            !tbs.empty()) {
          std::string expected = j["intermediates"]["ToBeSign_hex"];
          std::transform(expected.begin(), expected.end(), expected.begin(), ::tolower);
          EXPECT_EQ(tbs, expected) << name;
        }
      }
    }
  }
  // MANIFEST.md: 31 files, 19 verify and 12 are refused.
  EXPECT_EQ(verified, 19);
  EXPECT_EQ(refused, 12);
}

// EdDSA is deterministic: re-signing the examples' payload with their key reproduces the
// message byte for byte.
TEST(CoseExamplesTest, EdDsaSignatureReproducesExample) {
  auto text = ReadFileToString(testing::TestDataDir() + "/cose/eddsa-examples/eddsa-sig-01.json");
  ASSERT_TRUE(text.ok());
  json j = json::parse(*text);
  const json& s = j["input"]["sign0"];
  auto key = PrivateKey::FromRaw(KeyType::kEd25519, Hex(s["key"]["d_hex"]));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Bytes message = Hex(j["output"]["cbor"]);
  auto decoded = cose::DecodeSign1(message, cose::DecodeMode::kLenient);
  ASSERT_TRUE(decoded.ok());
  std::string plaintext = j["input"]["plaintext"];
  Bytes tbs = cose::Sign1ToBeSigned(decoded->protected_bytes, {}, AsBytes(plaintext));
  auto sig = key->Sign(SignatureAlgorithm::kEdDsa, tbs);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(HexEncode(*sig), HexEncode(decoded->signature));
}

}  // namespace
}  // namespace cleanroom::crypto
