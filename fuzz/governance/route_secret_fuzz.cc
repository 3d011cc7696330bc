// The sealed-secret route: POST /v1/datasets/{name}/secret with a JSON envelope around a signed
// request and a key. The first byte picks the dataset name; the rest is the body.
#include "route_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::governance::fuzz;
  const FuzzWorld& world = World();
  if (size == 0) return 0;
  static const char* names[] = {"customers", "impressions", "missing", "..", "a%2Fb", ""};
  uint64_t before = world.service->ledger().last_seqno();
  std::string path = std::string("/v1/datasets/") + names[data[0] % 6] + "/secret";
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  world.service->Handle("POST", path, body, "");
  ExpectNoRequestSince(before);
  return 0;
}
