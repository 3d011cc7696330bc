#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/entry.h"

namespace cleanroom::ledger {

// Checks one member signature: OK when `signed_request` (a COSE_Sign1 message) verifies under the
// public key of `certificate_der`; Unauthenticated otherwise.
using MemberSignatureVerifier =
    std::function<Status(ByteSpan signed_request, ByteSpan certificate_der)>;

// The verifier of the project's signed requests: the certificate's public key (P-384 or
// Ed25519) verifies `signed_request` as a COSE_Sign1 message (crypto::cose::VerifySign1Strict).
// Caches parsed certificates; thread-safe.
MemberSignatureVerifier CoseMemberSignatureVerifier();

struct VerifyOptions {
  // Verifies member signatures of accepted request entries; called from `threads` threads at
  // once. When empty, member signatures are not checked (and the report says so).
  MemberSignatureVerifier member_verifier;
  // Threads for member signature checks; 0: one per hardware thread.
  size_t threads = 0;
  // When set, the ledger's service identity (seqno 1) must be exactly this certificate (DER).
  std::optional<Bytes> expected_service_certificate_der;
  // Applies the replay rules of member requests (RequestFreshness): each (signer, nonce) once,
  // created-at within the freshness window of its entry.
  bool check_request_freshness = false;
  // A tree head the verifier saw earlier (and trusts): the ledger must extend it, i.e. hold at
  // least its tree_size entries whose Merkle root at that size is its root. A ledger truncated
  // or rolled back below it, or a forked history, fails (DataLoss).
  std::optional<TreeHead> trusted_head;
};

struct VerifyReport {
  uint64_t segments = 0;
  uint64_t entries_checked = 0;
  uint64_t requests = 0;
  uint64_t member_signatures_checked = 0;
  uint64_t tree_heads_checked = 0;
  // Entries after the last tree head (not yet covered by a signature; normal for a live ledger).
  uint64_t uncovered_entries = 0;
  // The last signed tree head of the ledger (what a member keeps to check the next download).
  std::optional<TreeHead> last_tree_head;
  // When verification fails: the first bad entry's seqno (0 when the damage is before any entry
  // could be read) and where it is ("FILE at offset N").
  uint64_t first_bad_seqno = 0;
  std::string first_bad_location;
};

// Verifies a ledger offline: a directory of segment files or one file (a segment, or segments
// concatenated as `audit download` writes them). Checks every record checksum, entry layout and
// seqno, recomputes the Merkle tree, checks each tree head's root and signature (with the service
// identity certificate of seqno 1) and each accepted request's member signature (with the
// certificate an earlier or the same entry introduced for its signer_id). An incomplete final
// record is an error here (the ledger was not recovered). Returns OK or the first failure,
// DataLoss / Unauthenticated naming the seqno, file and offset; `report` is filled either way.
Status VerifyLedger(const std::string& file_or_directory, const VerifyOptions& options,
                    VerifyReport* report);

}  // namespace cleanroom::ledger
