// The signed write routes: a COSE_Sign1 body on every POST route. The first byte picks the
// route; the rest is the body. Mutated messages cannot carry a valid signature, so none may be
// applied or appended.
#include "route_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cleanroom::governance::fuzz;
  const FuzzWorld& world = World();
  if (size == 0) return 0;
  static const char* routes[] = {"/v1/collab/proposals",
                                 "/v1/collab/votes",
                                 "/v1/collab/consent",
                                 "/v1/datasets",
                                 "/v1/datasets/customers/consent",
                                 "/v1/queries",
                                 "/v1/queries/q1/votes",
                                 "/v1/queries/q1/withdraw",
                                 "/v1/queries/q1/consent",
                                 "/v1/runs"};
  uint64_t before = world.service->ledger().last_seqno();
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  world.service->Handle("POST", routes[data[0] % 10], body, "");
  ExpectNoRequestSince(before);
  return 0;
}
