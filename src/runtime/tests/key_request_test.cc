// The runtime's key request: evidence binding its ephemeral key and run, and opening released keys.
#include "runtime/key_request.h"

#include <gtest/gtest.h>

#include <ctime>

#include "attest/policy.h"
#include "attest/report_data.h"
#include "crypto/hpke.h"

namespace cleanroom::runtime {
namespace {

// A challenge as governance issues them (opaque to the runtime).
const Bytes kChallenge(40, 0x42);

class KeyRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto platform = attest::PlatformKey::Generate();
    ASSERT_TRUE(platform.ok()) << platform.status().ToString();
    platform_ = std::make_unique<attest::PlatformKey>(std::move(*platform));
    measurement_ = Bytes(48, 0x5a);
  }

  // The policy governance applies for run `run_id`, the request's key and `challenge`.
  attest::Policy PolicyFor(const KeyRequest& request, const std::string& run_id,
                           ByteSpan challenge = kChallenge) {
    attest::Policy policy;
    policy.allowed_kinds = {attest::EvidenceKind::kSimulated};
    policy.simulated_platform_keys = {platform_->PublicKeySha256()};
    policy.allowed_measurements = std::vector<Bytes>{measurement_};
    policy.expected_report_data =
        *attest::ReportDataForChallenge(request.public_key, run_id, challenge);
    return policy;
  }

  std::unique_ptr<attest::PlatformKey> platform_;
  Bytes measurement_;
};

TEST_F(KeyRequestTest, EvidenceBindsKeyRunAndChallenge) {
  auto request = MakeSimulatedKeyRequest("r1", kChallenge, *platform_, measurement_);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->public_key.size(), 32u);
  attest::Verdict ok =
      attest::VerifyEvidence(request->evidence, PolicyFor(*request, "r1"), std::time(nullptr));
  EXPECT_TRUE(ok.valid()) << ok.message;
  EXPECT_TRUE(ok.insecure());
  // The same evidence presented for another run does not match the binding.
  attest::Verdict other_run =
      attest::VerifyEvidence(request->evidence, PolicyFor(*request, "r2"), std::time(nullptr));
  EXPECT_FALSE(other_run.valid());
  // Nor with another challenge.
  Bytes other_challenge = kChallenge;
  other_challenge[0] ^= 1;
  EXPECT_FALSE(attest::VerifyEvidence(request->evidence, PolicyFor(*request, "r1", other_challenge),
                                      std::time(nullptr))
                   .valid());
  EXPECT_EQ(request->ToJson().value("challenge", ""), Base64Encode(kChallenge));
  // Nor for another key.
  auto second = MakeSimulatedKeyRequest("r1", kChallenge, *platform_, measurement_);
  ASSERT_TRUE(second.ok());
  attest::Verdict other_key =
      attest::VerifyEvidence(request->evidence, PolicyFor(*second, "r1"), std::time(nullptr));
  EXPECT_FALSE(other_key.valid());
  // A measurement not in the contract is refused.
  attest::Policy policy = PolicyFor(*request, "r1");
  policy.allowed_measurements = std::vector<Bytes>{Bytes(48, 0x11)};
  EXPECT_FALSE(attest::VerifyEvidence(request->evidence, policy, std::time(nullptr)).valid());
  // Simulated evidence when only sev-snp is allowed is refused.
  policy = PolicyFor(*request, "r1");
  policy.allowed_kinds = {attest::EvidenceKind::kSevSnp};
  EXPECT_FALSE(attest::VerifyEvidence(request->evidence, policy, std::time(nullptr)).valid());

  nlohmann::json json = request->ToJson();
  EXPECT_EQ(json["run"], "r1");
  EXPECT_EQ(json["evidence"]["kind"], "simulated");
  EXPECT_EQ(request->EvidenceDigestHex().size(), 96u);
}

TEST_F(KeyRequestTest, ReleasedKeyOpensOnlyForItsRunAndDataset) {
  auto request = MakeSimulatedKeyRequest("r1", kChallenge, *platform_, measurement_);
  ASSERT_TRUE(request.ok());
  auto dek = crypto::container::DataKey::Generate();
  ASSERT_TRUE(dek.ok());
  std::string key_id = HexEncode(dek->key_id());
  // What governance does when it releases the key.
  auto recipient =
      crypto::hpke::DeserializePublicKey(crypto::hpke::Kem::kX25519Sha256, request->public_key);
  ASSERT_TRUE(recipient.ok());
  auto sealed =
      crypto::hpke::Seal(crypto::hpke::kDefaultSuite, *recipient, AsBytes(kKeyReleaseInfo),
                         KeyReleaseAad("r1", "customers", 1, key_id), dek->bytes());
  ASSERT_TRUE(sealed.ok());

  auto opened = OpenReleasedKey(*request, "customers", 1, key_id, sealed->enc, sealed->ciphertext);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->key_id(), dek->key_id());

  EXPECT_EQ(OpenReleasedKey(*request, "impressions", 1, key_id, sealed->enc, sealed->ciphertext)
                .status()
                .code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(OpenReleasedKey(*request, "customers", 2, key_id, sealed->enc, sealed->ciphertext)
                .status()
                .code(),
            StatusCode::kDataLoss);
  auto other = MakeSimulatedKeyRequest("r1", kChallenge, *platform_, measurement_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(OpenReleasedKey(*other, "customers", 1, key_id, sealed->enc, sealed->ciphertext)
                .status()
                .code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cleanroom::runtime
