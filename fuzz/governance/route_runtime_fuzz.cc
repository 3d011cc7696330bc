// The runtime routes (anyone may call them): POST /v1/runs/{id}/keys and /report. The first byte
// picks the mode, the route and the run id:
//   bit 3 clear: the rest is the body, sent as it is, except that every "@CHALLENGE@" in it
//     becomes a fresh challenge of the service for the chosen run (base64). Mutation cannot forge
//     a challenge (an HMAC under the service's key), so seeds carrying the placeholder take the
//     fuzzer past the challenge check into the evidence parser and verifier.
//   bit 3 set: a key request for a requested run that the harness signs with the platform key the
//     contract trusts, bound to a fresh challenge: the rest is a list of (offset, byte) edits to
//     the 1184-byte report before it is signed (guest policy, VMPL, TCB, measurement, report
//     data, ...), so the fuzzer reaches the policy's judgement of genuine reports and key release
//     itself.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "attest/report_data.h"
#include "attest/simulated.h"
#include "attest/snp_report.h"
#include "route_fuzz_support.h"

namespace {

using namespace cleanroom;
using namespace cleanroom::governance::fuzz;
using cleanroom::governance::Json;

std::string WithChallenges(std::string body, const std::string& run) {
  static const std::string kPlaceholder = "@CHALLENGE@";
  size_t at = body.find(kPlaceholder);
  if (at == std::string::npos) return body;
  std::string challenge = FreshChallenge(run);
  for (; at != std::string::npos; at = body.find(kPlaceholder, at + challenge.size())) {
    body.replace(at, kPlaceholder.size(), challenge);
  }
  return body;
}

// A key request for a requested run whose report carries the edits in `edits`, signed by the
// trusted platform key. Empty when the edited report does not parse.
std::string SignedKeyRequest(const FuzzWorld& world, const std::string& run, const uint8_t* edits,
                             size_t size) {
  std::string challenge_text = FreshChallenge(run);
  auto challenge = Base64Decode(challenge_text);
  if (!challenge.ok()) return "";
  auto report_data = attest::ReportDataForChallenge(world.runtime_public_key, run, *challenge);
  if (!report_data.ok()) return "";
  Bytes raw =
      attest::SerializeSnpReport(attest::DefaultSimulatedReport(world.measurement, *report_data));
  for (size_t i = 0; i + 2 < size; i += 3) {
    size_t offset = (static_cast<size_t>(edits[i]) << 8 | edits[i + 1]) % raw.size();
    raw[offset] = edits[i + 2];
  }
  auto report = attest::ParseSnpReport(raw);
  if (!report.ok()) return "";
  auto evidence = attest::SignSimulatedReport(*world.platform, *report);
  if (!evidence.ok()) return "";
  Json body = {{"run", run},
               {"publicKey", Base64Encode(world.runtime_public_key)},
               {"challenge", challenge_text},
               {"evidence", Json::parse(attest::SerializeEvidenceJson(*evidence))}};
  return body.dump();
}

// Writes `text` (mode byte first) as one seed file into `dir`.
void WriteSeed(const std::string& dir, const std::string& name, uint8_t mode,
               const std::string& text) {
  std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fputc(mode, f);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

// CLEANROOM_ROUTE_FUZZ_SEEDS=DIR: writes the seeds of fuzz/governance/seeds/runtime into DIR and
// exits. Mode-0 bodies carry the challenge placeholder and well-formed evidence from a platform
// the contract does not trust (so they stop in the verifier, not at the challenge); mode-8 seeds
// are a valid request and a few edits of the guest policy, VMPL and measurement.
void WriteSeeds(const char* dir) {
  auto untrusted = attest::PlatformKey::Generate();
  if (!untrusted.ok()) std::abort();
  const FuzzWorld& world = World();
  Bytes report_data(64, 0x11);
  auto evidence = attest::ProduceSimulatedEvidence(*untrusted, world.measurement, report_data);
  if (!evidence.ok()) std::abort();
  Json body = {{"run", "r1"},
               {"publicKey", Base64Encode(world.runtime_public_key)},
               {"challenge", "@CHALLENGE@"},
               {"evidence", Json::parse(attest::SerializeEvidenceJson(*evidence))}};
  WriteSeed(dir, "keys-untrusted-platform", 0, body.dump());
  body.erase("challenge");
  WriteSeed(dir, "keys-no-challenge", 0, body.dump());
  WriteSeed(dir, "report-empty", 4, R"({"token":"","record":""})");
  WriteSeed(dir, "signed-valid", 8, "");
  // (offset high, offset low, byte): guest policy debug bit (0x08..), VMPL (0x30), measurement.
  WriteSeed(dir, "signed-debug", 8, std::string("\x00\x0a\x08", 3));
  WriteSeed(dir, "signed-vmpl", 8, std::string("\x00\x30\x02", 3));
  WriteSeed(dir, "signed-measurement", 8, std::string("\x00\x90\x00", 3));
  std::exit(0);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  if (const char* dir = std::getenv("CLEANROOM_ROUTE_FUZZ_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const FuzzWorld& world = World();
  if (size == 0) return 0;
  // A requested run (its challenge verifies; requesting a new one is member a's signed write,
  // made before the request under test).
  const std::string requested = RequestedRun();
  uint64_t before = world.service->ledger().last_seqno();
  if (data[0] & 8) {
    std::string body = SignedKeyRequest(world, requested, data + 1, size - 1);
    if (!body.empty()) world.service->Handle("POST", "/v1/runs/" + requested + "/keys", body, "");
    // Evidence from the trusted platform may be recorded (a release, or a genuine report the
    // policy refuses), as the service's own entry; never a member's request.
    ExpectNoMemberRequestSince(before);
  } else {
    // The requested run, a run out of reach, an unknown one, a malformed id.
    const std::string runs[] = {requested, "r1", "r999999", "x"};
    std::string run = runs[data[0] & 3];
    std::string path = "/v1/runs/" + run + ((data[0] & 4) ? "/report" : "/keys");
    std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    world.service->Handle("POST", path, WithChallenges(std::move(body), run), "");
    // Evidence the harness did not sign does not verify (mutation cannot forge the platform's
    // signature): nothing may be appended.
    ExpectNoRequestSince(before);
  }
  world.service->Handle("GET", "/v1/runtime/runs", "", "");
  return 0;
}
