#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::ledger {

// A SHA-256 digest (same layout as crypto::Sha256Digest).
using Hash = std::array<uint8_t, 32>;

// RFC 6962 / RFC 9162 hashing: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || l || r),
// empty tree = SHA-256("").
Hash LeafHash(ByteSpan data);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyTreeRoot();

// An append-only Merkle tree over leaf hashes that keeps every complete subtree, so that the
// root of any earlier size and inclusion proofs cost O(log n). Memory: about 64 bytes per leaf.
// Not thread-safe: the caller serialises appends against reads.
class MerkleTree {
 public:
  MerkleTree() = default;

  // Appends one leaf (already hashed with LeafHash).
  void Append(const Hash& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // The leaf hash at `index`. REQUIRES: index < size().
  const Hash& leaf(uint64_t index) const { return levels_[0][index]; }

  // The root of the whole tree (EmptyTreeRoot() when empty).
  Hash Root() const;
  // The root of the first `tree_size` leaves. InvalidArgument when tree_size > size().
  Result<Hash> RootAt(uint64_t tree_size) const;

  // The RFC 9162 (section 2.1.3.1) inclusion proof of leaf `index` in the tree of the first
  // `tree_size` leaves, from the leaf's sibling upwards. InvalidArgument unless
  // index < tree_size <= size().
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;

  // The RFC 9162 (section 2.1.4.1) consistency proof between sizes old_size and new_size.
  // InvalidArgument unless 0 < old_size <= new_size <= size().
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

 private:
  // Hash of leaves [begin, end), begin aligned so that every full subtree is stored.
  Hash RangeHash(uint64_t begin, uint64_t end) const;
  void SubProof(uint64_t index, uint64_t begin, uint64_t end, std::vector<Hash>& out) const;
  void SubConsistency(uint64_t old_end, uint64_t begin, uint64_t end, bool whole,
                      std::vector<Hash>& out) const;

  // levels_[k][i] = hash of the complete subtree of 2^k leaves starting at leaf i * 2^k.
  std::vector<std::vector<Hash>> levels_;
};

// The root that an inclusion proof implies (RFC 9162 section 2.1.3.2). InvalidArgument when
// index >= tree_size or the proof has the wrong length for (index, tree_size).
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                                    const std::vector<Hash>& proof);

// OK when `proof` proves leaf `leaf_hash` at `index` in the tree of `tree_size` leaves whose root
// is `root`; DataLoss when the root differs; InvalidArgument for a malformed proof.
Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root);

// OK when `proof` shows that the tree (old_size, old_root) is a prefix of (new_size, new_root)
// (RFC 9162 section 2.1.4.2); DataLoss otherwise.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& proof);

}  // namespace cleanroom::ledger
