// Feeds arbitrary bytes to the SEV-SNP report parser and the full verifier (with a real VCEK
// and VLEK, so inputs that parse reach the chain, TCB, chip id and signature checks), and to the
// evidence and trustee JSON readers. Seeds: testdata/attestation/sev-snp/**/*.bin.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "attest/certificate.h"
#include "attest/evidence.h"
#include "attest/rfc3339.h"
#include "attest/snp_verifier.h"
#include "attest/trustee_evidence.h"
#include "base/file.h"

namespace {

using cleanroom::attest::Certificate;

struct Fixture {
  std::vector<Certificate> veks;
  std::time_t at = 0;
  cleanroom::attest::Policy policy;
};

Fixture* fixture = nullptr;

Certificate Load(const std::string& relative) {
  const char* env = std::getenv("CLEANROOM_TESTDATA");
  std::string path = std::string(env != nullptr ? env : CLEANROOM_TESTDATA_DIR) +
                     "/attestation/sev-snp/" + relative;
  auto text = cleanroom::ReadFileToString(path);
  if (!text.ok()) std::abort();
  auto certs = Certificate::ParseAll(cleanroom::AsBytes(*text), path);
  if (!certs.ok()) std::abort();
  return (*certs)[0];
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = new Fixture;
  fixture->veks = {Load("trustee/test-vcek.der"), Load("trustee/test-vlek.der"),
                   Load("go-sev-guest/vcek.testcer")};
  fixture->at = *cleanroom::attest::ParseRfc3339("2025-06-01T00:00:00Z");
  fixture->policy.snp.allow_debug = true;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cleanroom::ByteSpan bytes(data, size);
  auto report = cleanroom::attest::ParseSnpReport(bytes);
  if (report.ok()) {
    cleanroom::Bytes again = cleanroom::attest::SerializeSnpReport(*report);
    (void)cleanroom::attest::SnpReportToJson(*report, cleanroom::attest::AmdProduct::kTurin);
    (void)again;
  }
  for (const Certificate& vek : fixture->veks) {
    cleanroom::attest::Verdict verdict = cleanroom::attest::VerifySnpReport(
        bytes, vek, std::nullopt, {}, fixture->policy, fixture->at);
    (void)verdict.ToText();
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto evidence = cleanroom::attest::ParseEvidenceJson(text);
  if (evidence.ok()) {
    (void)cleanroom::attest::VerifyEvidence(*evidence, fixture->policy, fixture->at);
  }
  auto trustee = cleanroom::attest::EvidenceFromTrusteeJson(text);
  if (trustee.ok()) (void)cleanroom::attest::VerifyEvidence(*trustee, fixture->policy, fixture->at);
  return 0;
}
