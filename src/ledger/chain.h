#pragma once

// Internal: the checks every reader of a ledger applies to its entries in order (seqnos, the
// service identity, the Merkle tree, tree heads). Shared by Ledger::Open and VerifyLedger.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/segment.h"
#include "ledger/signer.h"

namespace cleanroom::ledger {

class ChainChecker {
 public:
  // `verify_signatures`: whether tree head signatures are checked (roots always are).
  explicit ChainChecker(bool verify_signatures) : verify_signatures_(verify_signatures) {}

  // A segment header at `location`: its first seqno must be the next entry's.
  Status OnSegment(const SegmentHeader& header, const std::string& location);
  // One record payload at `location`: decodes it, checks the seqno and the kind's rules, and
  // adds its leaf to the tree. DataLoss / Unauthenticated naming the seqno and location.
  Result<Entry> OnRecord(ByteSpan payload, const std::string& location);

  const MerkleTree& tree() const { return tree_; }
  MerkleTree& mutable_tree() { return tree_; }
  uint64_t next_seqno() const { return tree_.size() + 1; }
  uint32_t segments_seen() const { return segments_seen_; }
  // The latest tree head seen, and how many entries follow it.
  const std::optional<TreeHead>& latest_tree_head() const { return latest_tree_head_; }
  uint64_t tree_heads_checked() const { return tree_heads_checked_; }
  uint64_t entries_since_tree_head() const { return tree_.size() - last_tree_head_seqno_; }
  // The service identity certificate (seqno 1), once seen.
  const std::shared_ptr<TreeHeadVerifier>& service() const { return service_; }

 private:
  bool verify_signatures_;
  MerkleTree tree_;
  uint32_t segments_seen_ = 0;
  std::shared_ptr<TreeHeadVerifier> service_;
  std::optional<TreeHead> latest_tree_head_;
  uint64_t last_tree_head_seqno_ = 0;
  uint64_t tree_heads_checked_ = 0;
};

}  // namespace cleanroom::ledger
