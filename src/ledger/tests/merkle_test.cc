#include "ledger/merkle.h"

#include <gtest/gtest.h>

namespace cleanroom::ledger {
namespace {

// Certificate Transparency / RFC 6962 reference vectors (transparency-dev/merkle testonly).
const char* kLeavesHex[] = {"",
                            "00",
                            "10",
                            "2021",
                            "3031",
                            "40414243",
                            "5051525354555657",
                            "606162636465666768696a6b6c6d6e6f"};
const char* kRootsHex[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

Hash H(const std::string& hex) {
  Bytes b = HexDecode(hex).value();
  Hash h;
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

std::vector<Hash> Hs(std::initializer_list<const char*> hexes) {
  std::vector<Hash> out;
  for (const char* h : hexes) out.push_back(H(h));
  return out;
}

MerkleTree ReferenceTree() {
  MerkleTree tree;
  for (const char* leaf : kLeavesHex) tree.Append(LeafHash(HexDecode(leaf).value()));
  return tree;
}

// MTH of RFC 6962 section 2.1, written straight from the definition.
Hash NaiveRoot(const std::vector<Hash>& leaves, size_t begin, size_t end) {
  if (end == begin) return EmptyTreeRoot();
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return NodeHash(NaiveRoot(leaves, begin, begin + k), NaiveRoot(leaves, begin + k, end));
}

TEST(MerkleTest, RootsMatchRfc6962Vectors) {
  MerkleTree tree = ReferenceTree();
  EXPECT_EQ(HexEncode(EmptyTreeRoot()), kRootsHex[0]);
  for (uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(HexEncode(*tree.RootAt(n)), kRootsHex[n]) << n;
  EXPECT_EQ(HexEncode(tree.Root()), kRootsHex[8]);
  // Incremental: the root after each append.
  MerkleTree growing;
  for (int i = 0; i < 8; ++i) {
    growing.Append(LeafHash(HexDecode(kLeavesHex[i]).value()));
    EXPECT_EQ(HexEncode(growing.Root()), kRootsHex[i + 1]);
  }
}

TEST(MerkleTest, InclusionProofsMatchVectors) {
  MerkleTree tree = ReferenceTree();
  struct Case {
    uint64_t index, size;
    std::vector<Hash> proof;
  } cases[] = {
      {0, 1, {}},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Case& c : cases) {
    auto proof = tree.InclusionProof(c.index, c.size);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, c.proof) << c.index << "/" << c.size;
    EXPECT_TRUE(
        VerifyInclusion(c.index, c.size, tree.leaf(c.index), c.proof, H(kRootsHex[c.size])).ok());
  }
}

TEST(MerkleTest, ConsistencyProofsMatchVectors) {
  MerkleTree tree = ReferenceTree();
  struct Case {
    uint64_t first, second;
    std::vector<Hash> proof;
  } cases[] = {
      {1, 1, {}},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {2, 8,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const Case& c : cases) {
    auto proof = tree.ConsistencyProof(c.first, c.second);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, c.proof) << c.first << "->" << c.second;
    EXPECT_TRUE(
        VerifyConsistency(c.first, c.second, H(kRootsHex[c.first]), H(kRootsHex[c.second]), c.proof)
            .ok());
  }
}

// Every leaf of every tree size up to 70: the proof verifies, roots equal the definition, and
// a changed leaf, index, size or proof hash does not verify.
TEST(MerkleTest, EveryProofVerifiesAndTamperingFails) {
  std::vector<Hash> leaves;
  MerkleTree tree;
  for (int i = 0; i < 70; ++i) {
    Bytes data = {static_cast<uint8_t>(i), static_cast<uint8_t>(i * 7)};
    leaves.push_back(LeafHash(data));
    tree.Append(leaves.back());
  }
  for (uint64_t n = 1; n <= leaves.size(); ++n) {
    Hash root = NaiveRoot(leaves, 0, n);
    ASSERT_EQ(*tree.RootAt(n), root) << n;
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = tree.InclusionProof(i, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], *proof, root).ok()) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[(i + 1) % 70], *proof, root).ok());
      if (n > 1) EXPECT_FALSE(VerifyInclusion((i + 1) % n, n, leaves[i], *proof, root).ok());
      if (!proof->empty()) {
        auto bad = *proof;
        bad.back()[5] ^= 1;
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], bad, root).ok());
        bad = *proof;
        bad.pop_back();
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], bad, root).ok());
      }
      auto longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], longer, root).ok());
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = tree.ConsistencyProof(m, n);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyConsistency(m, n, *tree.RootAt(m), root, *proof).ok()) << m << "->" << n;
      if (!proof->empty()) {
        auto bad = *proof;
        bad.front()[0] ^= 0x80;
        EXPECT_FALSE(VerifyConsistency(m, n, *tree.RootAt(m), root, bad).ok());
      }
    }
  }
}

TEST(MerkleTest, RejectsOutOfRangeRequests) {
  MerkleTree tree = ReferenceTree();
  EXPECT_EQ(tree.InclusionProof(8, 8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.InclusionProof(0, 9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.RootAt(9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(0, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.ConsistencyProof(5, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RootFromInclusionProof(3, 3, tree.leaf(0), {}).ok());
}

}  // namespace
}  // namespace cleanroom::ledger
