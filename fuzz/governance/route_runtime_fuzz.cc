// The runtime routes (anyone may call them): POST /v1/runs/{id}/keys and /report. The first byte
// picks the route and run id; the rest is the body.
#include "route_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::governance::fuzz;
  const FuzzWorld& world = World();
  if (size == 0) return 0;
  uint64_t before = world.service->ledger().last_seqno();
  const char* runs[] = {"r1", "r2", "r999999", "x"};
  std::string path =
      std::string("/v1/runs/") + runs[data[0] & 3] + ((data[0] & 4) ? "/report" : "/keys");
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  world.service->Handle("POST", path, body, "");
  // Evidence that verifies cannot come from mutation (no platform key is trusted but none is
  // given): nothing may be appended.
  ExpectNoRequestSince(before);
  world.service->Handle("GET", "/v1/runtime/runs", "", "");
  return 0;
}
