// Executors' attestation for the Spark engine: what the runtime accepts from an executor's report
// before it seals any key to it, and the sealing itself (the executor's side, in Java, opens it:
// spark/src/main/java/org/cleanroom/spark/Hpke.java).
#include "runtime/spark_attestation.h"

#include <gtest/gtest.h>

#include "attest/simulated.h"
#include "crypto/hpke.h"

namespace cleanroom::runtime {
namespace {

constexpr auto kKem = crypto::hpke::Kem::kX25519Sha256;

class SparkAttestationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto platform = attest::PlatformKey::Generate();
    ASSERT_TRUE(platform.ok()) << platform.status().ToString();
    platform_ = std::make_unique<attest::PlatformKey>(std::move(*platform));
    auto key = crypto::hpke::GenerateKeyPair(kKem);
    ASSERT_TRUE(key.ok());
    executor_key_ = std::make_unique<crypto::PrivateKey>(std::move(*key));
    public_key_ = *crypto::hpke::SerializePublicKey(kKem, executor_key_->public_key());
    policy_.allowed_kinds = {attest::EvidenceKind::kSimulated};
    policy_.simulated_platform_keys = {platform_->PublicKeySha256()};
    policy_.allowed_measurements = std::vector<Bytes>{measurement_};
  }

  // An executor's report with evidence from `platform` binding `report_data`.
  SparkExecutorReport Report(const attest::PlatformKey& platform, ByteSpan measurement,
                             ByteSpan report_data) {
    auto evidence = attest::ProduceSimulatedEvidence(platform, measurement, report_data);
    EXPECT_TRUE(evidence.ok());
    return {"1", public_key_, attest::SerializeEvidenceJson(*evidence)};
  }

  std::unique_ptr<attest::PlatformKey> platform_;
  std::unique_ptr<crypto::PrivateKey> executor_key_;
  Bytes public_key_;
  Bytes measurement_ = Bytes(48, 0x5a);
  Bytes challenge_ = Bytes(32, 0x17);
  attest::Policy policy_;
};

TEST_F(SparkAttestationTest, AcceptsEvidenceBindingTheChallengeAndKey) {
  SparkExecutorReport report =
      Report(*platform_, measurement_, ExecutorReportData(challenge_, public_key_));
  auto executor = VerifyExecutor(report, challenge_, policy_);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  EXPECT_EQ(executor->id, "1");
}

TEST_F(SparkAttestationTest, RefusesAnotherApplicationsChallenge) {
  // Evidence replayed from another application (another challenge) does not bind this one.
  SparkExecutorReport report =
      Report(*platform_, measurement_, ExecutorReportData(Bytes(32, 0x18), public_key_));
  auto executor = VerifyExecutor(report, challenge_, policy_);
  ASSERT_EQ(executor.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(executor.status().message().find("executor 1 is not attested"), std::string::npos);
}

TEST_F(SparkAttestationTest, RefusesEvidenceForAnotherKey) {
  // An attacker's own key in the report, an attested executor's evidence: the binding fails.
  SparkExecutorReport report =
      Report(*platform_, measurement_, ExecutorReportData(challenge_, public_key_));
  report.public_key[0] ^= 1;
  EXPECT_EQ(VerifyExecutor(report, challenge_, policy_).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SparkAttestationTest, RefusesAnUntrustedPlatformAndAnotherMeasurement) {
  auto rogue = attest::PlatformKey::Generate();
  ASSERT_TRUE(rogue.ok());
  Bytes data = ExecutorReportData(challenge_, public_key_);
  auto untrusted = VerifyExecutor(Report(*rogue, measurement_, data), challenge_, policy_);
  ASSERT_EQ(untrusted.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(untrusted.status().message().find("platform key"), std::string::npos)
      << untrusted.status().ToString();
  auto other = VerifyExecutor(Report(*platform_, Bytes(48, 0x5b), data), challenge_, policy_);
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SparkAttestationTest, RefusesNoEvidenceAndMalformedEvidence) {
  SparkExecutorReport none{"0", public_key_, "none: this worker has no platform"};
  auto refused = VerifyExecutor(none, challenge_, policy_);
  ASSERT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("presented no evidence"), std::string::npos);
  SparkExecutorReport garbage{"0", public_key_, "{\"format\": 1}"};
  EXPECT_EQ(VerifyExecutor(garbage, challenge_, policy_).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SparkAttestationTest, ReportDataSeparatesChallengeAndKey) {
  // Moving a byte from the challenge to the key changes the binding (no ambiguity at the seam
  // is possible, since both have fixed sizes; this checks both are in it).
  Bytes a = ExecutorReportData(challenge_, public_key_);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, ExecutorReportData(Bytes(32, 0x00), public_key_));
  Bytes other_key = public_key_;
  other_key[31] ^= 0x80;
  EXPECT_NE(a, ExecutorReportData(challenge_, other_key));
}

}  // namespace
}  // namespace cleanroom::runtime
