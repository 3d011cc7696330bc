#pragma once
// What the `show` and `list` verbs share: members by name (the display names the contract gives
// them) and lists in numeric order.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "govwire/cli_support.h"
#include "govwire/governance_client.h"

namespace cleanroom::cli {

class MemberNames {
 public:
  // The names of the active contract's members (else the latest proposed version's), fetched
  // from the service. A member that cannot read the collaboration gets no names (ids only).
  static MemberNames Fetch(govwire::GovernanceClient& client);
  // From a GET /v1/collab answer.
  static MemberNames FromCollab(const govwire::Json& collab);

  // "name (first 12 hex digits of the id)", or the short id alone for a member not named.
  std::string Of(const std::string& member_id) const;
  // Of() for each id of a JSON array, comma-separated; "none" when empty.
  std::string List(const govwire::Json& ids) const;

 private:
  std::map<std::string, std::string> names_;
};

// A ledger time (microseconds since the epoch) for people: "2026-12-07 17:50:34 UTC".
std::string UtcTime(int64_t time_us);

// The items of `list` (objects with an "id" such as "r12" or "q3") sorted by the id's number,
// so r10 comes after r9.
govwire::Json InNumericOrder(const govwire::Json& list);

// Connects, GETs `path` and prints the reply: the JSON with --json, else `human(body, names)`
// with the members' names fetched first.
Status ShowWithNames(const govwire::ClientFlags& flags, const std::string& path,
                     const std::function<void(const govwire::Json&, const MemberNames&)>& human);

}  // namespace cleanroom::cli
