// The read routes: GET of any path, as a member, as an outsider and anonymously. The first byte
// picks the caller; the rest is the path (the part after "/v1/").
#include "route_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::governance::fuzz;
  const FuzzWorld& world = World();
  if (size == 0) return 0;
  std::string callers[] = {world.member_a, world.member_b, std::string(64, 'f'), ""};
  uint64_t before = world.service->ledger().last_seqno();
  std::string path = "/v1/" + std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  // The ledger download streams; reading it whole would only slow the fuzzer down.
  if (path.rfind("/v1/ledger", 0) == 0) return 0;
  auto response = world.service->Handle("GET", path, "", callers[data[0] & 3]);
  // Reads never write, except the tree head a download asks for (skipped above).
  ExpectNoRequestSince(before);
  (void)response;
  return 0;
}
