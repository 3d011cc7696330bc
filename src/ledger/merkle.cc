#include "ledger/merkle.h"

#include <bit>
#include <cstring>

#include "crypto/hash.h"

namespace cleanroom::ledger {
namespace {

// The largest power of two strictly smaller than n. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsLsbSet(uint64_t v) { return (v & 1) != 0; }

}  // namespace

Hash LeafHash(ByteSpan data) {
  static constexpr uint8_t kLeafPrefix = 0x00;
  crypto::Sha256Hasher hasher;
  hasher.Update(ByteSpan(&kLeafPrefix, 1));
  hasher.Update(data);
  return hasher.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  uint8_t node[1 + 2 * sizeof(Hash)];
  node[0] = 0x01;
  std::memcpy(node + 1, left.data(), left.size());
  std::memcpy(node + 1 + left.size(), right.data(), right.size());
  return crypto::Sha256(ByteSpan(node, sizeof(node)));
}

Hash EmptyTreeRoot() { return crypto::Sha256({}); }

void MerkleTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each completed pair of subtrees completes one at the next level.
  for (size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    if (k + 1 == levels_.size()) levels_.emplace_back();
    const auto& level = levels_[k];
    Hash parent = NodeHash(level[level.size() - 2], level[level.size() - 1]);
    levels_[k + 1].push_back(parent);
  }
}

Hash MerkleTree::RangeHash(uint64_t begin, uint64_t end) const {
  uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    int level = std::countr_zero(n);
    return levels_[level][begin / n];
  }
  uint64_t k = SplitPoint(n);
  return NodeHash(RangeHash(begin, begin + k), RangeHash(begin + k, end));
}

Hash MerkleTree::Root() const { return size() == 0 ? EmptyTreeRoot() : RangeHash(0, size()); }

Result<Hash> MerkleTree::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("Merkle root requested for tree size " +
                                   std::to_string(tree_size) + " beyond the " +
                                   std::to_string(size()) + " leaves held");
  }
  return tree_size == 0 ? EmptyTreeRoot() : RangeHash(0, tree_size);
}

void MerkleTree::SubProof(uint64_t index, uint64_t begin, uint64_t end,
                          std::vector<Hash>& out) const {
  if (end - begin <= 1) return;
  uint64_t k = SplitPoint(end - begin);
  if (index < begin + k) {
    SubProof(index, begin, begin + k, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    SubProof(index, begin + k, end, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

Result<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (index >= tree_size || tree_size > size()) {
    return Status::InvalidArgument("inclusion proof requested for leaf " + std::to_string(index) +
                                   " in tree size " + std::to_string(tree_size) + " (" +
                                   std::to_string(size()) + " leaves held)");
  }
  std::vector<Hash> out;
  SubProof(index, 0, tree_size, out);
  return out;
}

void MerkleTree::SubConsistency(uint64_t old_end, uint64_t begin, uint64_t end, bool whole,
                                std::vector<Hash>& out) const {
  if (old_end == end) {
    if (!whole) out.push_back(RangeHash(begin, end));
    return;
  }
  uint64_t k = SplitPoint(end - begin);
  if (old_end <= begin + k) {
    SubConsistency(old_end, begin, begin + k, whole, out);
    out.push_back(RangeHash(begin + k, end));
  } else {
    SubConsistency(old_end, begin + k, end, false, out);
    out.push_back(RangeHash(begin, begin + k));
  }
}

Result<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  if (old_size == 0 || old_size > new_size || new_size > size()) {
    return Status::InvalidArgument("consistency proof requested between sizes " +
                                   std::to_string(old_size) + " and " + std::to_string(new_size) +
                                   " (" + std::to_string(size()) + " leaves held)");
  }
  std::vector<Hash> out;
  SubConsistency(old_size, 0, new_size, true, out);
  return out;
}

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                                    const std::vector<Hash>& proof) {
  if (index >= tree_size) {
    return Status::InvalidArgument("inclusion proof: leaf index " + std::to_string(index) +
                                   " is not below tree size " + std::to_string(tree_size));
  }
  // RFC 9162 section 2.1.3.2.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Status::InvalidArgument("inclusion proof is longer than the tree allows");
    if (IsLsbSet(fn) || fn == sn) {
      r = NodeHash(p, r);
      if (!IsLsbSet(fn)) {
        while (!IsLsbSet(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("inclusion proof is shorter than the tree needs");
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root) {
  CR_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(index, tree_size, leaf_hash, proof));
  if (computed != root) {
    return Status::DataLoss("inclusion proof of leaf " + std::to_string(index) +
                            " does not lead to the root of tree size " + std::to_string(tree_size));
  }
  return Status::OK();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& proof) {
  auto fail = [&](std::string_view why) {
    return Status::DataLoss("consistency proof between sizes " + std::to_string(old_size) +
                            " and " + std::to_string(new_size) + " fails: " + std::string(why));
  };
  if (old_size == 0 || old_size > new_size) return fail("sizes out of order");
  if (old_size == new_size) {
    if (!proof.empty()) return fail("proof must be empty for equal sizes");
    if (old_root != new_root) return fail("roots differ");
    return Status::OK();
  }
  // RFC 9162 section 2.1.4.2.
  std::vector<Hash> path = proof;
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  if (path.empty()) return fail("proof is empty");
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (IsLsbSet(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return fail("proof too long");
    if (IsLsbSet(fn) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!IsLsbSet(fn)) {
        while (!IsLsbSet(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return fail("proof too short");
  if (fr != old_root) return fail("old root differs");
  if (sr != new_root) return fail("new root differs");
  return Status::OK();
}

}  // namespace cleanroom::ledger
