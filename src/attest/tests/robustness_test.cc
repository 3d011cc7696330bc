// Truncated or mutated reports never crash the verifier and are never accepted.
#include <gtest/gtest.h>

#include "attest/snp_verifier.h"
#include "attest/tests/attest_testdata.h"

namespace cleanroom::attest {
namespace {

using testing::At;
using testing::ReadCerts;
using testing::ReadTestFile;

struct Case {
  const char* report;
  const char* vek;
};

constexpr Case kCases[] = {
    {"sev-snp/trustee/test-report.bin", "sev-snp/trustee/test-vcek.der"},
    {"sev-snp/trustee/test-vlek-report.bin", "sev-snp/trustee/test-vlek.der"},
    {"sev-snp/go-sev-guest/attestation.bin", "sev-snp/go-sev-guest/vcek.testcer"},
};

TEST(RobustnessTest, TruncationsAndSingleByteMutationsAreRefused) {
  const std::time_t at = At("2025-06-01T00:00:00Z");
  Policy policy;
  policy.snp.allow_debug = true;
  for (const Case& c : kCases) {
    Bytes report = ReadTestFile(c.report);
    auto certs = ReadCerts(c.vek);
    ASSERT_EQ(certs.size(), 1u);
    ASSERT_TRUE(VerifySnpReport(report, certs[0], std::nullopt, {}, policy, at).valid())
        << c.report;
    for (size_t length = 0; length < report.size(); ++length) {
      Verdict v =
          VerifySnpReport(ByteSpan(report).first(length), certs[0], std::nullopt, {}, policy, at);
      ASSERT_EQ(v.reason, VerdictReason::kMalformedReport) << c.report << " length " << length;
    }
    // Everything up to the end of s is covered by the signature or is the signature itself;
    // the rest of the signature field is reserved and unsigned.
    const size_t covered = kSnpSignatureOffset + 2 * kSnpSignatureComponentSize;
    for (size_t pos = 0; pos < report.size(); ++pos) {
      // Alternate the low and the high bit so both kinds of corruption are covered.
      uint8_t flip = pos % 2 == 0 ? 0x01 : 0x80;
      Bytes mutated = report;
      mutated[pos] ^= flip;
      Verdict v = VerifySnpReport(mutated, certs[0], std::nullopt, {}, policy, at);
      if (pos < covered) {
        ASSERT_FALSE(v.valid()) << c.report << " byte " << pos << " flip " << int(flip);
      }
    }
  }
}

TEST(RobustnessTest, GarbageCertificatesAreRefused) {
  Bytes der = ReadTestFile("sev-snp/trustee/test-vcek.der");
  for (size_t length = 0; length < der.size(); length += 7) {
    EXPECT_FALSE(Certificate::FromDer(ByteSpan(der).first(length), "truncated").ok());
  }
  EXPECT_FALSE(Certificate::ParseAll(AsBytes("-----BEGIN CERTIFICATE-----\nAAAA\n"), "x").ok());
}

}  // namespace
}  // namespace cleanroom::attest
