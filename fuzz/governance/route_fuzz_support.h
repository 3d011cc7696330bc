#pragma once

#include <cstdint>
#include <string>

#include "attest/simulated.h"
#include "crypto/signature.h"
#include "governance/service.h"

namespace cleanroom::governance::fuzz {

// One service per fuzzer process, in a temporary directory removed at exit, holding an active
// two-member collaboration: datasets "customers" and "impressions" with their keys stored, query
// q1 accepted, run r1 requested. The contract trusts the harness's simulated platform key for
// the measurement below, so a key request the harness signs can pass attestation. Aborts when it
// cannot be set up.
struct FuzzWorld {
  Service* service = nullptr;
  std::string member_a;  // member ids
  std::string member_b;
  std::string collaboration;
  const attest::PlatformKey* platform = nullptr;  // trusted by the contract
  Bytes measurement;                              // allowed by the contract (48 bytes)
  Bytes runtime_public_key;                       // a runtime's X25519 key (32 bytes)
};
const FuzzWorld& World();

// A run of q1 in state `requested`: the last one requested, or a new one (member a's signed
// run.request) when keys were released to it.
std::string RequestedRun();

// A fresh challenge of the world's service for `run` (what GET /v1/runs/{run}/challenge answers),
// base64; empty when the service issues none (the run is not requested).
std::string FreshChallenge(const std::string& run);

// Aborts (a finding) when a request entry was appended after seqno `before`: the request was not
// a member's signed write and must not append anything (tree heads are the ledger's own).
void ExpectNoRequestSince(uint64_t before);
// As ExpectNoRequestSince, but the service's own entries (key release and its refusals: empty
// signer) are allowed: for requests whose evidence the harness signed with the trusted key.
void ExpectNoMemberRequestSince(uint64_t before);

}  // namespace cleanroom::governance::fuzz
