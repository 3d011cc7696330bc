#include "attest/snp_report.h"

#include <gtest/gtest.h>

#include "attest/tests/attest_testdata.h"

namespace cleanroom::attest {
namespace {

using testing::ReadTestFile;

TEST(SnpReportTest, ParsesTheGoSevGuestMilanReport) {
  Bytes bytes = ReadTestFile("sev-snp/go-sev-guest/attestation.bin");
  auto report = ParseSnpReport(bytes);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->version, 2u);
  EXPECT_EQ(report->guest_svn, 0u);
  EXPECT_EQ(report->policy, 0xB0000u);
  EXPECT_TRUE(report->debug_allowed());
  EXPECT_EQ(report->vmpl, 0u);
  EXPECT_EQ(report->signature_algo, 1u);
  EXPECT_EQ(report->signing_key(), SnpSigningKey::kVcek);
  EXPECT_EQ(report->platform_info, 1u);
  TcbVersion tcb = TcbVersion::Decode(report->reported_tcb, AmdProduct::kMilan);
  EXPECT_EQ(tcb.bootloader, 2);
  EXPECT_EQ(tcb.tee, 0);
  EXPECT_EQ(tcb.snp, 5);
  EXPECT_EQ(tcb.microcode, 68);
  EXPECT_EQ(report->current_tcb, report->reported_tcb);
  EXPECT_EQ(report->committed_tcb, report->reported_tcb);
  EXPECT_EQ(report->launch_tcb, report->reported_tcb);
  EXPECT_EQ(HexEncode(report->measurement),
            "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0c"
            "f2e4872b01");
  EXPECT_EQ(HexEncode(report->report_data), "0102030405" + std::string(118, '0'));
  EXPECT_EQ(HexEncode(report->chip_id).substr(0, 16), "3ac3fe21e13fb099");
  EXPECT_EQ(report->CpuidProduct(), AmdProduct::kUnknown);  // Version 2 has no CPUID fields.
}

TEST(SnpReportTest, ParsesTheTrusteeVlekReportVersion3) {
  auto report = ParseSnpReport(ReadTestFile("sev-snp/trustee/test-vlek-report.bin"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->version, 3u);
  EXPECT_EQ(report->key_info, 0x4u);
  EXPECT_EQ(report->signing_key(), SnpSigningKey::kVlek);
  EXPECT_EQ(report->vmpl, 1u);
  EXPECT_EQ(report->cpuid_family, 0x19);
  EXPECT_EQ(report->cpuid_model, 0x01);
  EXPECT_EQ(report->cpuid_stepping, 1);
  EXPECT_EQ(report->CpuidProduct(), AmdProduct::kMilan);
  EXPECT_EQ(report->platform_info, 0x27u);
  EXPECT_EQ(HexEncode(report->chip_id), std::string(128, '0'));
  TcbVersion tcb = TcbVersion::Decode(report->reported_tcb, AmdProduct::kMilan);
  EXPECT_EQ(tcb.ToString(), "bl=4 tee=0 snp=24 ucode=217");
}

TEST(SnpReportTest, ParsesTheTrusteeVcekReport) {
  auto report = ParseSnpReport(ReadTestFile("sev-snp/trustee/test-report.bin"));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->guest_svn, 4u);
  EXPECT_EQ(report->policy, 0x3001Fu);
  EXPECT_FALSE(report->debug_allowed());
  EXPECT_EQ(HexEncode(report->id_key_digest).substr(0, 16), "0356215882a82527");
  EXPECT_EQ(TcbVersion::Decode(report->current_tcb, AmdProduct::kMilan).microcode, 206);
  EXPECT_EQ(TcbVersion::Decode(report->reported_tcb, AmdProduct::kMilan).ToString(),
            "bl=3 tee=0 snp=8 ucode=115");
}

TEST(SnpReportTest, SerializeRoundTripsRealReports) {
  for (const char* file :
       {"sev-snp/go-sev-guest/attestation.bin", "sev-snp/trustee/test-report.bin",
        "sev-snp/trustee/test-vlek-report.bin"}) {
    Bytes bytes = ReadTestFile(file);
    auto report = ParseSnpReport(bytes);
    ASSERT_TRUE(report.ok()) << file;
    EXPECT_EQ(SerializeSnpReport(*report), bytes) << file;
  }
}

TEST(SnpReportTest, TurinTcbLayoutPutsFmcFirst) {
  TcbVersion tcb = TcbVersion::Decode(0x4400000004030201ull, AmdProduct::kTurin);
  EXPECT_EQ(tcb.fmc, std::optional<uint8_t>(1));
  EXPECT_EQ(tcb.bootloader, 2);
  EXPECT_EQ(tcb.tee, 3);
  EXPECT_EQ(tcb.snp, 4);
  EXPECT_EQ(tcb.microcode, 0x44);
  EXPECT_EQ(tcb.Encode(AmdProduct::kTurin), 0x4400000004030201ull);
  TcbVersion milan = TcbVersion::Decode(0x4405000000000002ull, AmdProduct::kMilan);
  EXPECT_EQ(milan.ToString(), "bl=2 tee=0 snp=5 ucode=68");
  EXPECT_EQ(milan.Encode(AmdProduct::kMilan), 0x4405000000000002ull);
}

TEST(SnpReportTest, RejectsWrongSizesAndOldVersions) {
  Bytes bytes = ReadTestFile("sev-snp/trustee/test-report.bin");
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(ParseSnpReport(longer).ok());
  EXPECT_FALSE(ParseSnpReport(ByteSpan(bytes).first(100)).ok());
  EXPECT_FALSE(ParseSnpReport(ByteSpan()).ok());
  Bytes v1 = bytes;
  PutU32LE(v1.data(), 1);
  auto status = ParseSnpReport(v1).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("version"), std::string::npos);
}

TEST(SnpReportTest, JsonShowsEveryFieldGroup) {
  auto report = ParseSnpReport(ReadTestFile("sev-snp/trustee/test-vlek-report.bin"));
  ASSERT_TRUE(report.ok());
  nlohmann::ordered_json j = SnpReportToJson(*report, AmdProduct::kMilan);
  for (const char* field : {"version",
                            "guest_svn",
                            "policy",
                            "family_id",
                            "image_id",
                            "vmpl",
                            "signature_algo",
                            "current_tcb",
                            "platform_info",
                            "key_info",
                            "report_data",
                            "measurement",
                            "host_data",
                            "id_key_digest",
                            "author_key_digest",
                            "report_id",
                            "report_id_ma",
                            "reported_tcb",
                            "cpuid",
                            "chip_id",
                            "committed_tcb",
                            "current_firmware",
                            "committed_firmware",
                            "launch_tcb",
                            "signature"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  EXPECT_EQ(j["key_info"]["signing_key"], "VLEK");
  EXPECT_EQ(j["reported_tcb"]["snp"], 24);
}

}  // namespace
}  // namespace cleanroom::attest
