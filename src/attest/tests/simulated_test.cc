#include "attest/simulated.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "attest/evidence.h"
#include "attest/report_data.h"
#include "crypto/hash.h"

namespace cleanroom::attest {
namespace {

std::string Reason(const Verdict& v) { return std::string(VerdictReasonCode(v.reason)); }

class SimulatedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = PlatformKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    platform_.emplace(std::move(key).value());
    measurement_ = crypto::Hash(crypto::HashAlgorithm::kSha384, AsBytes("the runtime binary"));
    binding_ = *ReportDataForPublicKey(AsBytes("ephemeral public key"), "run-1");
    policy_.allowed_kinds = {EvidenceKind::kSimulated};
    policy_.simulated_platform_keys = {platform_->PublicKeySha256()};
    policy_.allowed_measurements = std::vector<Bytes>{measurement_};
    policy_.expected_report_data = binding_;
  }

  Evidence Produce() {
    auto evidence = ProduceSimulatedEvidence(*platform_, measurement_, binding_);
    EXPECT_TRUE(evidence.ok()) << evidence.status().ToString();
    return evidence.ok() ? *evidence : Evidence{};
  }

  std::optional<PlatformKey> platform_;
  Bytes measurement_;
  Bytes binding_;
  Policy policy_;
  std::time_t now_ = std::time(nullptr);
};

TEST_F(SimulatedTest, RoundTripThroughJsonVerifies) {
  Evidence evidence = Produce();
  EXPECT_EQ(evidence.kind, EvidenceKind::kSimulated);
  EXPECT_EQ(evidence.report.size(), kSnpReportSize);
  std::string json = SerializeEvidenceJson(evidence);
  EXPECT_NE(json.find("\"insecure\":true"), std::string::npos);
  EXPECT_NE(json.find("INSECURE"), std::string::npos);
  auto parsed = ParseEvidenceJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Verdict verdict = VerifyEvidence(*parsed, policy_, now_);
  EXPECT_TRUE(verdict.valid()) << Reason(verdict) << ": " << verdict.message;
  EXPECT_TRUE(verdict.insecure());
  EXPECT_EQ(verdict.signer, "simulated platform key");
  EXPECT_EQ(verdict.ToJson()["insecure"], true);
  EXPECT_NE(verdict.ToText().find("INSECURE"), std::string::npos);
  EXPECT_EQ(EvidenceDigest(*parsed), EvidenceDigest(evidence));
}

TEST_F(SimulatedTest, RefusedWhenThePolicyAllowsOnlySevSnp) {
  Policy sev_only = policy_;
  sev_only.allowed_kinds = {EvidenceKind::kSevSnp};
  EXPECT_EQ(Reason(VerifyEvidence(Produce(), sev_only, now_)), "kind_not_allowed");
}

TEST_F(SimulatedTest, RefusedForAnotherPlatformKey) {
  auto other = PlatformKey::Generate();
  ASSERT_TRUE(other.ok());
  auto evidence = ProduceSimulatedEvidence(*other, measurement_, binding_);
  ASSERT_TRUE(evidence.ok());
  EXPECT_EQ(Reason(VerifyEvidence(*evidence, policy_, now_)), "platform_key_not_trusted");
  // A report signed by another key but presented with the trusted certificate.
  evidence->certificates = {platform_->certificate().Der()};
  EXPECT_EQ(Reason(VerifyEvidence(*evidence, policy_, now_)), "bad_signature");
  Policy no_keys = policy_;
  no_keys.simulated_platform_keys.clear();
  EXPECT_EQ(Reason(VerifyEvidence(Produce(), no_keys, now_)), "platform_key_not_trusted");
}

TEST_F(SimulatedTest, RefusedForAnotherBindingOrMeasurement) {
  Policy other_run = policy_;
  other_run.expected_report_data =
      *ReportDataForPublicKey(AsBytes("ephemeral public key"), "run-2");
  EXPECT_EQ(Reason(VerifyEvidence(Produce(), other_run, now_)), "report_data_mismatch");
  Policy other_key = policy_;
  other_key.expected_report_data = *ReportDataForPublicKey(AsBytes("another key"), "run-1");
  EXPECT_EQ(Reason(VerifyEvidence(Produce(), other_key, now_)), "report_data_mismatch");
  Policy other_measurement = policy_;
  other_measurement.allowed_measurements =
      std::vector<Bytes>{crypto::Hash(crypto::HashAlgorithm::kSha384, AsBytes("other"))};
  EXPECT_EQ(Reason(VerifyEvidence(Produce(), other_measurement, now_)), "measurement_not_allowed");
}

TEST_F(SimulatedTest, TamperedReportRefused) {
  Evidence evidence = Produce();
  evidence.report[0x90] ^= 1;  // The measurement.
  EXPECT_EQ(Reason(VerifyEvidence(evidence, policy_, now_)), "bad_signature");
  evidence = Produce();
  evidence.report.pop_back();
  EXPECT_EQ(Reason(VerifyEvidence(evidence, policy_, now_)), "malformed_report");
  evidence = Produce();
  evidence.certificates.push_back(evidence.certificates[0]);
  EXPECT_EQ(Reason(VerifyEvidence(evidence, policy_, now_)), "malformed_certificate");
  evidence = Produce();
  evidence.certificates[0].resize(10);
  EXPECT_EQ(Reason(VerifyEvidence(evidence, policy_, now_)), "malformed_certificate");
  // Ten years and more after its making, the platform certificate has expired.
  EXPECT_EQ(Reason(VerifyEvidence(Produce(), policy_, now_ + 11L * 366 * 86400)), "cert_expired");
}

TEST_F(SimulatedTest, SaveAndLoadKeepTheKey) {
  std::string dir = ::testing::TempDir() + "/attest_platform_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(platform_->Save(dir).ok());
  struct stat st;
  ASSERT_EQ(stat((dir + "/platform_key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(platform_->Save(dir).code(), StatusCode::kAlreadyExists);
  auto loaded = PlatformKey::Load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PublicKeySha256(), platform_->PublicKeySha256());
  auto evidence = ProduceSimulatedEvidence(*loaded, measurement_, binding_);
  ASSERT_TRUE(evidence.ok());
  EXPECT_TRUE(VerifyEvidence(*evidence, policy_, now_).valid());
  EXPECT_EQ(PlatformKey::Load(dir + "/missing").status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST_F(SimulatedTest, ProduceChecksSizes) {
  EXPECT_FALSE(ProduceSimulatedEvidence(*platform_, Bytes(47), binding_).ok());
  EXPECT_FALSE(ProduceSimulatedEvidence(*platform_, measurement_, Bytes(32)).ok());
}

TEST(ReportDataTest, BindsKeyAndRunId) {
  Bytes key_hash = crypto::Hash(crypto::HashAlgorithm::kSha384, AsBytes("key"));
  auto a = ReportDataBinding(key_hash, "run-1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->size(), kReportDataSize);
  EXPECT_EQ(*a, *ReportDataForPublicKey(AsBytes("key"), "run-1"));
  EXPECT_NE(*a, *ReportDataBinding(key_hash, "run-2"));
  EXPECT_NE(*a, *ReportDataBinding(crypto::Hash(crypto::HashAlgorithm::kSha384, AsBytes("key2")),
                                   "run-1"));
  EXPECT_FALSE(ReportDataBinding(Bytes(32), "run-1").ok());
  EXPECT_FALSE(ReportDataBinding(key_hash, "").ok());
}

TEST(EvidenceJsonTest, RejectsMalformedDocuments) {
  EXPECT_FALSE(ParseEvidenceJson("").ok());
  EXPECT_FALSE(ParseEvidenceJson("[]").ok());
  EXPECT_FALSE(
      ParseEvidenceJson(R"({"format":"x","kind":"sev-snp","report":"","certificates":[]})").ok());
  EXPECT_FALSE(
      ParseEvidenceJson(
          R"({"format":"cleanroom-evidence/v1","kind":"tdx","report":"","certificates":[]})")
          .ok());
  EXPECT_FALSE(
      ParseEvidenceJson(
          R"({"format":"cleanroom-evidence/v1","kind":"sev-snp","report":"!!","certificates":[]})")
          .ok());
  EXPECT_FALSE(
      ParseEvidenceJson(
          R"({"format":"cleanroom-evidence/v1","kind":"sev-snp","report":"AAAA","certificates":[1]})")
          .ok());
  auto ok = ParseEvidenceJson(
      R"({"format":"cleanroom-evidence/v1","kind":"sev-snp","report":"AAAA","certificates":[]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(Reason(VerifyEvidence(*ok, Policy(), std::time(nullptr))), "malformed_certificate");
}

}  // namespace
}  // namespace cleanroom::attest
