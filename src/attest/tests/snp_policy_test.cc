// The SEV-SNP policy a contract carries (attest::SnpPolicy): its contract form, and every rule of
// Check through the verifiers, on the real reports of testdata/attestation and on simulated
// reports whose fields are set to what a rule must refuse.
#include "attest/snp_policy.h"

#include <gtest/gtest.h>

#include "attest/evidence.h"
#include "attest/simulated.h"
#include "attest/snp_verifier.h"
#include "attest/tests/attest_testdata.h"

namespace cleanroom::attest {
namespace {

using nlohmann::json;
using testing::At;
using testing::ReadCerts;
using testing::ReadTestFile;

const std::time_t kIn2025 = At("2025-06-01T00:00:00Z");

std::string Reason(const Verdict& v) { return std::string(VerdictReasonCode(v.reason)); }

SnpPolicy FromContract(const json& value) {
  auto policy = SnpPolicy::FromJson(value, "contract.snpPolicy");
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() ? *policy : SnpPolicy::ContractDefaults();
}

std::string ContractError(const json& value) {
  auto policy = SnpPolicy::FromJson(value, "contract.snpPolicy");
  EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument) << value.dump();
  return std::string(policy.status().message());
}

const json kMilanTcb = {{"bootloader", 3}, {"tee", 0}, {"snp", 8}, {"microcode", 115}};

TEST(SnpPolicyTest, ContractFormDefaultsFailClosed) {
  SnpPolicy policy = FromContract({{"minTcb", kMilanTcb}});
  EXPECT_FALSE(policy.allow_debug);
  EXPECT_FALSE(policy.allow_migration_agent);
  EXPECT_TRUE(policy.allow_smt);
  EXPECT_EQ(policy.allowed_vmpls, std::vector<uint32_t>{0});
  EXPECT_EQ(policy.min_guest_svn, 0u);
  EXPECT_FALSE(policy.allowed_products.has_value());
  ASSERT_TRUE(policy.min_tcb.has_value());
  EXPECT_EQ(*policy.min_tcb, (TcbVersion{3, 0, 8, 115, std::nullopt}));
  EXPECT_EQ(SnpPolicy::ContractDefaults().allowed_vmpls, std::vector<uint32_t>{0});
}

TEST(SnpPolicyTest, ContractFormReadsEveryFieldAndRoundTrips) {
  json text = {
      {"minTcb", {{"bootloader", 1}, {"tee", 2}, {"snp", 3}, {"microcode", 4}, {"fmc", 5}}},
      {"minGuestSvn", 7},
      {"allowedVmpls", {0, 2}},
      {"allowDebug", false},
      {"allowMigrationAgent", true},
      {"allowSmt", false},
      {"allowedProducts", {"Genoa", "Turin"}}};
  SnpPolicy policy = FromContract(text);
  EXPECT_EQ(*policy.min_tcb, (TcbVersion{1, 2, 3, 4, uint8_t{5}}));
  EXPECT_EQ(policy.min_guest_svn, 7u);
  EXPECT_EQ(policy.allowed_vmpls, (std::vector<uint32_t>{0, 2}));
  EXPECT_TRUE(policy.allow_migration_agent);
  EXPECT_FALSE(policy.allow_smt);
  EXPECT_EQ(policy.allowed_products,
            (std::vector<AmdProduct>{AmdProduct::kGenoa, AmdProduct::kTurin}));
  EXPECT_EQ(FromContract(policy.ToJson()).ToJson(), policy.ToJson());
}

TEST(SnpPolicyTest, ContractFormRefusesWhatItCannotEnforce) {
  // No minimum TCB is safe by default: the contract must state one.
  EXPECT_NE(ContractError(json::object()).find("contract.snpPolicy.minTcb: required"),
            std::string::npos);
  json partial_tcb = {{"bootloader", 3}, {"tee", 0}, {"snp", 8}};
  EXPECT_NE(ContractError({{"minTcb", partial_tcb}}).find("minTcb.microcode: required"),
            std::string::npos);
  // Debug guests never receive keys, even when every member agrees.
  EXPECT_NE(ContractError({{"minTcb", kMilanTcb}, {"allowDebug", true}}).find("allowDebug"),
            std::string::npos);
  // Unknown fields are errors, never accepted and ignored (here a guest policy bit the
  // verifier does not enforce, and a typo).
  EXPECT_NE(ContractError({{"minTcb", kMilanTcb}, {"requireSingleSocket", true}})
                .find("contract.snpPolicy.requireSingleSocket: unknown field"),
            std::string::npos);
  EXPECT_NE(ContractError({{"minTcb", kMilanTcb}, {"minGuestSVN", 1}}).find("minGuestSVN"),
            std::string::npos);
  json bad_tcb = kMilanTcb;
  bad_tcb["ucode"] = 1;
  EXPECT_NE(ContractError({{"minTcb", bad_tcb}}).find("minTcb.ucode: unknown field"),
            std::string::npos);
  for (const json& bad :
       {json{{"minTcb", kMilanTcb}, {"allowedVmpls", {4}}},
        json{{"minTcb", kMilanTcb}, {"allowedVmpls", json::array()}},
        json{{"minTcb", kMilanTcb}, {"allowedVmpls", {-1}}},
        json{{"minTcb", kMilanTcb}, {"minGuestSvn", -1}},
        json{{"minTcb", kMilanTcb}, {"minGuestSvn", 4294967296}},
        json{{"minTcb", kMilanTcb}, {"allowSmt", "yes"}},
        json{{"minTcb", kMilanTcb}, {"allowedProducts", {"unknown"}}},
        json{{"minTcb", kMilanTcb}, {"allowedProducts", {"Naples"}}},
        json{{"minTcb", {{"bootloader", 256}, {"tee", 0}, {"snp", 0}, {"microcode", 0}}}},
        json{{"minTcb", "3.0.8.115"}}, json::array(), json("policy")}) {
    ContractError(bad);
  }
}

// The trustee Milan VCEK report: policy 0x3001F (SMT allowed, no debug, no migration agent),
// platform info 0x1 (SMT on), VMPL 0, guest SVN 4, reported TCB bl=3 tee=0 snp=8 ucode=115.
class RealReportTest : public ::testing::Test {
 protected:
  std::string Verify(const SnpPolicy& snp, const std::string& report_file = "test-report.bin",
                     const std::string& vek_file = "test-vcek.der", VekKind kind = VekKind::kVcek) {
    Bytes report = ReadTestFile("sev-snp/trustee/" + report_file);
    auto certs = ReadCerts("sev-snp/trustee/" + vek_file);
    if (certs.empty()) return "no certificate";
    Policy policy;
    policy.snp = snp;
    Verdict verdict = VerifySnpReport(report, certs[0], kind, {}, policy, kIn2025);
    return Reason(verdict);
  }
  json contract_ = {{"minTcb", kMilanTcb}, {"minGuestSvn", 4}};
};

TEST_F(RealReportTest, AcceptedAtItsOwnLevels) {
  EXPECT_EQ(Verify(FromContract(contract_)), "valid");
}

TEST_F(RealReportTest, EachTcbComponentBelowTheMinimumIsRefused) {
  for (const char* component : {"bootloader", "tee", "snp", "microcode"}) {
    json raised = contract_;
    raised["minTcb"][component] = raised["minTcb"][component].get<int>() + 1;
    EXPECT_EQ(Verify(FromContract(raised)), "tcb_too_low") << component;
  }
}

TEST_F(RealReportTest, GuestSvnBelowTheMinimumIsRefused) {
  json raised = contract_;
  raised["minGuestSvn"] = 5;
  EXPECT_EQ(Verify(FromContract(raised)), "guest_svn_too_low");
}

TEST_F(RealReportTest, SmtRefusedWhenTheContractForbidsIt) {
  json no_smt = contract_;
  no_smt["allowSmt"] = false;
  EXPECT_EQ(Verify(FromContract(no_smt)), "smt_not_allowed");
}

TEST_F(RealReportTest, ProductOutsideTheAllowedListIsRefused) {
  json genoa = contract_;
  genoa["allowedProducts"] = {"Genoa"};
  EXPECT_EQ(Verify(FromContract(genoa)), "product_not_allowed");
  genoa["allowedProducts"] = {"Genoa", "Milan"};
  EXPECT_EQ(Verify(FromContract(genoa)), "valid");
}

// The AWS VLEK report runs at VMPL 1: refused by the contract default (VMPL 0 only) and
// accepted once the contract allows VMPL 1.
TEST_F(RealReportTest, VmplOutsideTheAllowedListIsRefused) {
  json aws = {{"minTcb", {{"bootloader", 4}, {"tee", 0}, {"snp", 24}, {"microcode", 217}}}};
  EXPECT_EQ(Verify(FromContract(aws), "test-vlek-report.bin", "test-vlek.der", VekKind::kVlek),
            "vmpl_not_allowed");
  aws["allowedVmpls"] = {0, 1};
  EXPECT_EQ(Verify(FromContract(aws), "test-vlek-report.bin", "test-vlek.der", VekKind::kVlek),
            "valid");
}

// The go-sev-guest Milan report's guest policy allows debugging: no contract can accept it.
TEST(SnpPolicyRealDebugTest, DebugGuestRefusedByEveryContract) {
  Bytes report = ReadTestFile("sev-snp/go-sev-guest/attestation.bin");
  auto vcek = ReadCerts("sev-snp/go-sev-guest/vcek.testcer");
  ASSERT_FALSE(vcek.empty());
  Policy policy;
  policy.snp =
      FromContract({{"minTcb", {{"bootloader", 2}, {"tee", 0}, {"snp", 5}, {"microcode", 68}}}});
  EXPECT_EQ(Reason(VerifySnpReport(report, vcek[0], VekKind::kVcek, {}, policy, kIn2025)),
            "debug_not_allowed");
  // Only a verifier's own policy (cleanroom attest verify --policy) may look past it.
  policy.snp.allow_debug = true;
  EXPECT_EQ(Reason(VerifySnpReport(report, vcek[0], VekKind::kVcek, {}, policy, kIn2025)), "valid");
}

// Simulated reports whose fields are set to what each rule must refuse, signed by a trusted
// platform key and verified by VerifyEvidence as governance does.
class SimulatedFieldsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = PlatformKey::Generate();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    platform_.emplace(std::move(key).value());
    policy_.allowed_kinds = {EvidenceKind::kSimulated};
    policy_.simulated_platform_keys = {platform_->PublicKeySha256()};
    policy_.snp = FromContract({{"minTcb", kMilanTcb}, {"minGuestSvn", 4}});
    base_ = DefaultSimulatedReport(Bytes(48, 0x11), Bytes(64, 0x22));
    base_.guest_svn = 4;
    base_.reported_tcb = TcbVersion{3, 0, 8, 115, std::nullopt}.Encode(AmdProduct::kMilan);
  }

  std::string Verify(const SnpReport& report) {
    auto evidence = SignSimulatedReport(*platform_, report);
    if (!evidence.ok()) return evidence.status().ToString();
    return Reason(VerifyEvidence(*evidence, policy_, std::time(nullptr)));
  }

  std::optional<PlatformKey> platform_;
  Policy policy_;
  SnpReport base_;
};

TEST_F(SimulatedFieldsTest, EachRuleRefusesItsField) {
  EXPECT_EQ(Verify(base_), "valid");

  SnpReport r = base_;
  r.policy |= kSnpPolicyDebug;
  EXPECT_EQ(Verify(r), "debug_not_allowed");
  r = base_;
  r.policy |= kSnpPolicyMigrateMa;
  EXPECT_EQ(Verify(r), "migration_agent_not_allowed");
  r = base_;
  r.platform_info |= kSnpPlatformSmtEnabled;
  EXPECT_EQ(Verify(r), "valid");  // SMT is allowed unless the contract says otherwise.
  policy_.snp.allow_smt = false;
  EXPECT_EQ(Verify(r), "smt_not_allowed");
  EXPECT_EQ(Verify(base_), "valid");  // The guest policy's SMT bit alone is no refusal.
  r = base_;
  r.vmpl = 2;
  EXPECT_EQ(Verify(r), "vmpl_not_allowed");
  r = base_;
  r.guest_svn = 3;
  EXPECT_EQ(Verify(r), "guest_svn_too_low");
  for (TcbVersion low :
       {TcbVersion{2, 0, 8, 115, std::nullopt}, TcbVersion{3, 0, 7, 115, std::nullopt},
        TcbVersion{3, 0, 8, 114, std::nullopt}}) {
    r = base_;
    r.reported_tcb = low.Encode(AmdProduct::kMilan);
    EXPECT_EQ(Verify(r), "tcb_too_low") << low.ToString();
  }
  // Higher than the minimum everywhere is fine.
  r = base_;
  r.reported_tcb = TcbVersion{4, 1, 9, 200, std::nullopt}.Encode(AmdProduct::kMilan);
  r.guest_svn = 9;
  EXPECT_EQ(Verify(r), "valid");
}

TEST_F(SimulatedFieldsTest, MigrationAgentAcceptedOnlyWhenTheContractAllowsIt) {
  SnpReport r = base_;
  r.policy |= kSnpPolicyMigrateMa;
  EXPECT_EQ(Verify(r), "migration_agent_not_allowed");
  policy_.snp.allow_migration_agent = true;
  EXPECT_EQ(Verify(r), "valid");
}

}  // namespace
}  // namespace cleanroom::attest
