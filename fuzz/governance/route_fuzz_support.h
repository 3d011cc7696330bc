#pragma once

#include <cstdint>
#include <string>

#include "governance/service.h"

namespace cleanroom::governance::fuzz {

// One service per fuzzer process, in a temporary directory removed at exit, holding an active
// two-member collaboration: datasets "customers" and "impressions" with their keys stored, query
// q1 accepted, run r1 requested. Aborts when it cannot be set up.
struct FuzzWorld {
  Service* service = nullptr;
  std::string member_a;  // member ids
  std::string member_b;
  std::string collaboration;
};
const FuzzWorld& World();

// Aborts (a finding) when a request entry was appended after seqno `before`: the request was not
// a member's signed write and must not append anything (tree heads are the ledger's own).
void ExpectNoRequestSince(uint64_t before);

}  // namespace cleanroom::governance::fuzz
