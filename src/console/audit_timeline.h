#pragma once

#include <string>

#include "base/status.h"
#include "govwire/governance_client.h"

namespace cleanroom::console {

// The audit page: downloads the whole ledger, verifies it offline (checksums, Merkle tree, the
// service's signed tree heads, every member signature, replay rules) against the tree head the
// member kept in IDENTITY_DIR/tree-head.json, and turns its entries into a timeline (who signed
// what, when, accepted or refused). When it verifies, its last signed tree head replaces the
// kept one (as `cleanroom audit download` does). A ledger that does not verify is reported in
// the answer ("verified": false and why), not hidden: the member must see it.
//
// Answer: {"verified", "verifyError"?, "entries", "memberSignaturesVerified",
// "treeHeadsVerified", "uncoveredEntries", "lastTreeHead": {"treeSize","root","time"} | null,
// "savedTreeHead": {...} | null, "extendsSaved": bool | null, "timeline": [{"seqno", "time",
// "kind", "signer", "type", "outcome", "refusalCode"?, "result"?}]}.
Result<govwire::Json> BuildAuditTimeline(govwire::GovernanceClient& client,
                                         const std::string& identity_dir);

}  // namespace cleanroom::console
