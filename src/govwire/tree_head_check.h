#pragma once

#include <string>

#include "base/status.h"
#include "govwire/governance_client.h"

namespace cleanroom::govwire {

// The file in a member's identity directory that keeps the last signed tree head the member saw
// (docs/formats/ledger.md, "Tree heads").
inline constexpr char kTreeHeadFile[] = "tree-head.json";

// Checks that the service's current signed tree head extends the one kept in
// IDENTITY_DIR/tree-head.json (an RFC 9162 consistency proof from the service, and the head's
// signature under the certificate whose SHA-256 is `service_fingerprint`), then keeps the
// current one there. FailedPrecondition when the service holds fewer entries than the member
// saw (truncated, rolled back) or another history (a fork); Unauthenticated when the head is not
// signed by the pinned service. OK without a check when the member may not read the ledger yet
// (no contract names it) or the service has no signed tree head yet.
Status CheckTreeHead(GovernanceClient& client, const std::string& identity_dir,
                     const std::string& service_fingerprint);

}  // namespace cleanroom::govwire
