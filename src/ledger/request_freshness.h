#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "base/status.h"
#include "ledger/entry.h"

namespace cleanroom::ledger {

// How old, or how far ahead of the entry that holds it, a member's signed request may be
// (docs/formats/ledger.md, "Replays"). The service refuses requests outside this window when they
// arrive, so a ledger entry outside it was not written by an honest service.
inline constexpr int64_t kMaxRequestAgeSeconds = 300;
inline constexpr int64_t kMaxRequestSkewSeconds = 30;
// The entry's time is taken when it is appended, after the checks: the window allows for that.
inline constexpr int64_t kAppendSlackSeconds = 60;

// The replay rules over a whole ledger, applied in entry order by the service's start-up replay
// and by offline verification: every accepted member-signed entry carries a created-at and a
// nonce in its COSE protected header, within the freshness window around the entry's own time;
// the pair (signer, nonce) appears once in the whole ledger (refused entries that carry one
// count too: the service spent the nonce). A replayed member request in the ledger is therefore
// an error, never a second state change.
// Not thread-safe.
class RequestFreshness {
 public:
  // Checks one entry (others than member-signed requests pass). DataLoss naming the seqno.
  Status Check(const Entry& entry);

 private:
  std::set<std::string> seen_;  // signer id || nonce
};

}  // namespace cleanroom::ledger
