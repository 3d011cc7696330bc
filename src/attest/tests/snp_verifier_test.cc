// Every SEV-SNP evidence set of testdata/attestation (see its MANIFEST.md) gets the verdict the
// manifest states.
#include "attest/snp_verifier.h"

#include <gtest/gtest.h>

#include <cstring>

#include "attest/amd_signature.h"
#include "attest/evidence.h"
#include "attest/tests/attest_testdata.h"
#include "attest/tests/fake_amd_chain.h"
#include "attest/trustee_evidence.h"

namespace cleanroom::attest {
namespace {

using testing::At;
using testing::ReadCerts;
using testing::ReadTestFile;

Certificate Cert(const std::string& file) {
  auto certs = ReadCerts(file);
  EXPECT_FALSE(certs.empty());
  return certs.empty() ? Certificate() : certs[0];
}

std::string Reason(const Verdict& v) { return std::string(VerdictReasonCode(v.reason)); }

const std::time_t kIn2025 = At("2025-06-01T00:00:00Z");

TEST(SnpVerifierTest, PinnedRootsMatchTheEmbeddedArks) {
  int arks = 0;
  for (const Certificate& cert : EmbeddedAmdCertificates()) {
    if (cert.SubjectCommonName().rfind("ARK-", 0) == 0) {
      ++arks;
      auto product = PinnedRootProduct(cert);
      ASSERT_TRUE(product.has_value()) << cert.SubjectCommonName();
      EXPECT_EQ("ARK-" + std::string(AmdProductName(*product)), cert.SubjectCommonName());
    } else {
      EXPECT_FALSE(PinnedRootProduct(cert).has_value());
    }
  }
  EXPECT_EQ(arks, 3);
  EXPECT_EQ(EmbeddedAmdCertificates().size(), 9u);
}

TEST(SnpVerifierTest, AmdRootCertFilesChainToPinnedRoots) {
  for (const char* file :
       {"ask_ark_milan.pem", "ask_ark_milan_vlek.pem", "ask_ark_genoa.pem",
        "ask_ark_genoa_vlek.pem", "ask_ark_turin_vcek.pem", "ask_ark_turin_vlek.pem"}) {
    auto certs = ReadCerts(std::string("sev-snp/amd-root-certs/") + file);
    ASSERT_EQ(certs.size(), 2u) << file;
    EXPECT_TRUE(certs[0].IsSignedBy(certs[1])) << file;
    EXPECT_TRUE(certs[1].IsSignedBy(certs[1])) << file;
    EXPECT_TRUE(PinnedRootProduct(certs[1]).has_value()) << file;
  }
}

// Set 1: authentic Milan report whose guest policy allows debugging.
TEST(SnpVerifierTest, GoSevGuestDebugReportRefusedByProductionPolicy) {
  Bytes report = ReadTestFile("sev-snp/go-sev-guest/attestation.bin");
  Certificate vcek = Cert("sev-snp/go-sev-guest/vcek.testcer");
  Policy production;
  Verdict verdict = VerifySnpReport(report, vcek, VekKind::kVcek, {}, production, kIn2025);
  EXPECT_EQ(Reason(verdict), "debug_not_allowed") << verdict.message;
  EXPECT_EQ(verdict.product, AmdProduct::kMilan);
  ASSERT_TRUE(verdict.report.has_value());

  Policy debug_allowed;
  debug_allowed.snp.allow_debug = true;
  verdict = VerifySnpReport(report, vcek, VekKind::kVcek, {}, debug_allowed, kIn2025);
  EXPECT_TRUE(verdict.valid()) << Reason(verdict) << ": " << verdict.message;
  EXPECT_EQ(verdict.signer, "VCEK");
  EXPECT_EQ(verdict.product, AmdProduct::kMilan);

  // The same with the chain taken from the upstream chain file instead of the embedded one.
  auto chain = ReadCerts("sev-snp/go-sev-guest/milan.testcer");
  verdict = VerifySnpReport(report, vcek, VekKind::kVcek, chain, debug_allowed, kIn2025);
  EXPECT_TRUE(verdict.valid()) << Reason(verdict) << ": " << verdict.message;
  // The VLEK chain file holds no ASK, so the VCEK cannot chain through it.
  verdict =
      VerifySnpReport(report, vcek, VekKind::kVcek,
                      ReadCerts("sev-snp/go-sev-guest/milanvlek.testcer"), debug_allowed, kIn2025);
  EXPECT_EQ(Reason(verdict), "chain_invalid");
}

TEST(SnpVerifierTest, GoSevGuestReportRefusedOutsideTheVcekValidity) {
  Bytes report = ReadTestFile("sev-snp/go-sev-guest/attestation.bin");
  Certificate vcek = Cert("sev-snp/go-sev-guest/vcek.testcer");
  Policy debug_allowed;
  debug_allowed.snp.allow_debug = true;
  EXPECT_EQ(Reason(VerifySnpReport(report, vcek, VekKind::kVcek, {}, debug_allowed,
                                   At("2030-01-01T00:00:00Z"))),
            "cert_expired");
  EXPECT_EQ(Reason(VerifySnpReport(report, vcek, VekKind::kVcek, {}, debug_allowed,
                                   At("2022-01-01T00:00:00Z"))),
            "cert_not_yet_valid");
}

// Set 3: the trustee Milan VCEK report is valid; upstream's negative variants are refused.
TEST(SnpVerifierTest, TrusteeVcekReportValidAndUpstreamVariantsRefused) {
  Bytes report = ReadTestFile("sev-snp/trustee/test-report.bin");
  Certificate vcek = Cert("sev-snp/trustee/test-vcek.der");
  Policy production;
  // A fixed date inside the VCEK's validity (2023-01-24 to 2030-01-24), not today's clock.
  Verdict verdict = VerifySnpReport(report, vcek, VekKind::kVcek, {}, production, kIn2025);
  EXPECT_TRUE(verdict.valid()) << Reason(verdict) << ": " << verdict.message;
  EXPECT_EQ(verdict.product, AmdProduct::kMilan);
  EXPECT_EQ(Reason(VerifySnpReport(report, vcek, VekKind::kVcek, {}, production,
                                   At("2030-01-25T00:00:00Z"))),
            "cert_expired");

  Bytes flipped_42 = report;
  flipped_42[42] ^= 0xFF;
  EXPECT_EQ(Reason(VerifySnpReport(flipped_42, vcek, VekKind::kVcek, {}, production, kIn2025)),
            "bad_signature");
  Bytes flipped_tcb = report;
  flipped_tcb[384] ^= 0xFF;
  EXPECT_EQ(Reason(VerifySnpReport(flipped_tcb, vcek, VekKind::kVcek, {}, production, kIn2025)),
            "tcb_mismatch");
  // A chip id that is not the VCEK's hwID.
  Bytes other_chip = report;
  other_chip[0x1A0] ^= 0x01;
  EXPECT_EQ(Reason(VerifySnpReport(other_chip, vcek, VekKind::kVcek, {}, production, kIn2025)),
            "chip_id_mismatch");
  // The report names a VLEK, the certificate is a VCEK.
  Bytes vlek_named = report;
  vlek_named[0x48] = 0x04;
  EXPECT_EQ(Reason(VerifySnpReport(vlek_named, vcek, std::nullopt, {}, production, kIn2025)),
            "signing_key_mismatch");
  Bytes other_algo = report;
  other_algo[0x34] = 2;
  EXPECT_EQ(Reason(VerifySnpReport(other_algo, vcek, VekKind::kVcek, {}, production, kIn2025)),
            "unsupported_report");
  // The VCEK given where a VLEK was expected.
  EXPECT_EQ(Reason(VerifySnpReport(report, vcek, VekKind::kVlek, {}, production, kIn2025)),
            "signing_key_mismatch");
}

TEST(SnpVerifierTest, TrusteeVcekReportPolicyChecks) {
  Bytes report = ReadTestFile("sev-snp/trustee/test-report.bin");
  Certificate vcek = Cert("sev-snp/trustee/test-vcek.der");
  auto verify = [&](const Policy& p) {
    return Reason(VerifySnpReport(report, vcek, VekKind::kVcek, {}, p, kIn2025));
  };
  Policy p;
  p.allowed_measurements =
      std::vector<Bytes>{*HexDecode("a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef82"
                                    "7c23500644e0e692e6be917f9050d3d38c")};
  p.expected_report_data = *HexDecode(
      "ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2" + std::string(64, '0'));
  p.snp.min_tcb = TcbVersion{3, 0, 8, 115, std::nullopt};
  p.snp.allowed_vmpls = std::vector<uint32_t>{0};
  p.snp.min_guest_svn = 4;
  p.snp.allowed_products = std::vector<AmdProduct>{AmdProduct::kMilan};
  EXPECT_EQ(verify(p), "valid");

  Policy q = p;
  q.allowed_measurements->front()[0] ^= 1;
  EXPECT_EQ(verify(q), "measurement_not_allowed");
  q = p;
  q.allowed_measurements->clear();
  EXPECT_EQ(verify(q), "measurement_not_allowed");
  q = p;
  (*q.expected_report_data)[63] ^= 1;
  EXPECT_EQ(verify(q), "report_data_mismatch");
  q = p;
  q.snp.min_tcb->microcode = 116;
  EXPECT_EQ(verify(q), "tcb_too_low");
  q = p;
  q.snp.allowed_vmpls = std::vector<uint32_t>{1, 2};
  EXPECT_EQ(verify(q), "vmpl_not_allowed");
  q = p;
  q.snp.min_guest_svn = 5;
  EXPECT_EQ(verify(q), "guest_svn_too_low");
  q = p;
  q.snp.allowed_products = std::vector<AmdProduct>{AmdProduct::kGenoa};
  EXPECT_EQ(verify(q), "product_not_allowed");
  q = p;
  q.allowed_kinds = {EvidenceKind::kSimulated};
  EXPECT_EQ(verify(q), "kind_not_allowed");
}

// Set 3: the AWS VLEK report, valid only inside the VLEK's one-year validity.
TEST(SnpVerifierTest, VlekReportValidInsideItsWindowAndRefusedAfter) {
  Bytes report = ReadTestFile("sev-snp/trustee/test-vlek-report.bin");
  Certificate vlek = Cert("sev-snp/trustee/test-vlek.der");
  Policy production;
  Verdict verdict = VerifySnpReport(report, vlek, VekKind::kVlek, {}, production, kIn2025);
  EXPECT_TRUE(verdict.valid()) << Reason(verdict) << ": " << verdict.message;
  EXPECT_EQ(verdict.signer, "VLEK");
  EXPECT_EQ(verdict.product, AmdProduct::kMilan);

  verdict =
      VerifySnpReport(report, vlek, VekKind::kVlek, {}, production, At("2025-12-11T00:00:00Z"));
  EXPECT_EQ(Reason(verdict), "cert_expired");
  EXPECT_EQ(verdict.product, AmdProduct::kMilan);
  EXPECT_NE(verdict.message.find("VLEK"), std::string::npos) << verdict.message;
  verdict =
      VerifySnpReport(report, vlek, VekKind::kVlek, {}, production, At("2027-01-01T00:00:00Z"));
  EXPECT_EQ(Reason(verdict), "cert_expired");

  // With the trustee bundle (ASK + ARK + ASVK) as the chain, and with the VCEK-only chain.
  verdict =
      VerifySnpReport(report, vlek, VekKind::kVlek,
                      ReadCerts("sev-snp/trustee/milan_ask_ark_asvk.pem"), production, kIn2025);
  EXPECT_TRUE(verdict.valid()) << verdict.message;
  verdict =
      VerifySnpReport(report, vlek, VekKind::kVlek,
                      ReadCerts("sev-snp/amd-root-certs/ask_ark_milan.pem"), production, kIn2025);
  EXPECT_EQ(Reason(verdict), "chain_invalid");
  // The wrong product's chain.
  verdict =
      VerifySnpReport(report, vlek, VekKind::kVlek,
                      ReadCerts("sev-snp/trustee/genoa_ask_ark_asvk.pem"), production, kIn2025);
  EXPECT_EQ(Reason(verdict), "chain_invalid");
  Policy vmpl0;
  vmpl0.snp.allowed_vmpls = std::vector<uint32_t>{0};
  EXPECT_EQ(Reason(VerifySnpReport(report, vlek, VekKind::kVlek, {}, vmpl0, kIn2025)),
            "vmpl_not_allowed");
}

// Set 3: VCEK-shaped certificates with fake hwIDs parse but verify nothing.
TEST(SnpVerifierTest, FakeVceksRefused) {
  Bytes report = ReadTestFile("sev-snp/trustee/test-report.bin");
  for (const char* file : {"sev-snp/trustee/test-vcek-invalid-legacy.der",
                           "sev-snp/trustee/test-vcek-invalid-new.der"}) {
    Certificate fake = Cert(file);
    Verdict verdict = VerifySnpReport(report, fake, VekKind::kVcek, {}, Policy(), kIn2025);
    EXPECT_EQ(Reason(verdict), "chain_invalid") << file << ": " << verdict.message;
    EXPECT_FALSE(verdict.valid());
  }
}

// Set 4: the Azure HCL report with a VCEK (and chain) of another chip.
TEST(SnpVerifierTest, VcekOfAnotherChipRefused) {
  Bytes hcl = ReadTestFile("azure-cvm/azure-cvm-tooling/hcl-report-snp.bin");
  ASSERT_GE(hcl.size(), 0x20 + kSnpReportSize);
  Bytes report(hcl.begin() + 0x20, hcl.begin() + 0x20 + kSnpReportSize);
  auto certs = ReadCerts("azure-cvm/azure-cvm-tooling/certs.pem");
  ASSERT_EQ(certs.size(), 3u);
  std::vector<Certificate> chain(certs.begin() + 1, certs.end());
  // The chain itself is authentic.
  EXPECT_TRUE(std::holds_alternative<AmdChain>(VerifyAmdChain(certs[0], VekKind::kVcek, chain)));
  Verdict verdict = VerifySnpReport(report, certs[0], VekKind::kVcek, chain, Policy(), kIn2025);
  EXPECT_FALSE(verdict.valid());
  EXPECT_EQ(Reason(verdict), "chip_id_mismatch") << verdict.message;
}

// Set 3: the Genoa evidence JSON, rebuilt into a 1184-byte report, verifies.
TEST(SnpVerifierTest, TrusteeGenoaEvidenceJsonRebuiltAndAccepted) {
  Bytes json = ReadTestFile("sev-snp/trustee/e2e-evidence.json");
  auto evidence = EvidenceFromTrusteeJson(AsStringView(json));
  ASSERT_TRUE(evidence.ok()) << evidence.status().ToString();
  ASSERT_EQ(evidence->report.size(), kSnpReportSize);
  Verdict verdict = VerifyEvidence(*evidence, Policy(), At("2026-01-01T00:00:00Z"));
  EXPECT_TRUE(verdict.valid()) << Reason(verdict) << ": " << verdict.message;
  EXPECT_EQ(verdict.product, AmdProduct::kGenoa);
  ASSERT_TRUE(verdict.report.has_value());
  EXPECT_EQ(HexEncode(verdict.report->measurement),
            "6a6519d757e68c2e939c9dbbbc1828498e8de35d2766dd05f1a2cca5059d0cf4ae62a36d75c837974dd50b"
            "315506e73e");
  EXPECT_EQ(TcbVersion::Decode(verdict.report->reported_tcb, AmdProduct::kGenoa).ToString(),
            "bl=10 tee=0 snp=23 ucode=25");
  // Before the VCEK's validity (2025-05-27) it is refused.
  EXPECT_EQ(Reason(VerifyEvidence(*evidence, Policy(), At("2025-01-01T00:00:00Z"))),
            "cert_not_yet_valid");
  // The evidence survives the project's JSON form unchanged.
  auto round_trip = ParseEvidenceJson(SerializeEvidenceJson(*evidence));
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(round_trip->report, evidence->report);
  EXPECT_EQ(EvidenceDigest(*round_trip), EvidenceDigest(*evidence));
}

// A chain that imitates AMD's in every way but its root is refused.
TEST(SnpVerifierTest, ForeignRootNotPinned) {
  Certificate real_vcek = Cert("sev-snp/trustee/test-vcek.der");
  testing::FakeChain fake = testing::MakeFakeMilanChain(real_vcek);
  Bytes report = ReadTestFile("sev-snp/trustee/test-report.bin");
  auto signature = SignAmdEcdsa(fake.vcek_key.get(), ByteSpan(report).first(kSnpSignedSize));
  ASSERT_TRUE(signature.ok());
  std::memcpy(report.data() + kSnpSignatureOffset, signature->r.data(), 72);
  std::memcpy(report.data() + kSnpSignatureOffset + 72, signature->s.data(), 72);
  std::vector<Certificate> chain = {fake.ask, fake.ark};
  Verdict verdict = VerifySnpReport(report, fake.vcek, VekKind::kVcek, chain, Policy(), kIn2025);
  EXPECT_EQ(Reason(verdict), "root_not_pinned") << verdict.message;
  // Without the fake authorities nothing issued the fake VCEK.
  verdict = VerifySnpReport(report, fake.vcek, VekKind::kVcek, {}, Policy(), kIn2025);
  EXPECT_EQ(Reason(verdict), "chain_invalid");
  // Through the evidence API, where sent authorities are merged with the embedded ones.
  Evidence evidence{
      EvidenceKind::kSevSnp, report, {fake.vcek.Der(), fake.ask.Der(), fake.ark.Der()}};
  EXPECT_EQ(Reason(VerifyEvidence(evidence, Policy(), kIn2025)), "root_not_pinned");
}

}  // namespace
}  // namespace cleanroom::attest
