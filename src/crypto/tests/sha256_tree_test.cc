#include "crypto/sha256_tree.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "crypto/sha256_lanes.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto {
namespace {

// The tree from its definition (docs/formats/encrypted-dataset.md) with nothing but OpenSSL's
// one-stream SHA-256: no lanes, no batching.
Sha256Digest ReferenceTree(ByteSpan data) {
  Sha256Hasher root;
  root.Update(AsBytes("cleanroom.sha256-tree-v1"));
  size_t offset = 0;
  do {
    const size_t n = std::min<size_t>(65536, data.size() - offset);
    root.Update(Sha256(data.subspan(offset, n)));
    offset += n;
  } while (offset < data.size());
  uint8_t length[8];
  PutU64BE(length, data.size());
  root.Update(length);
  return root.Finish();
}

TEST(Sha256TreeTest, KnownAnswers) {
  // Computed with Python's hashlib from the definition in docs/formats/encrypted-dataset.md.
  EXPECT_EQ(Sha256TreeHex({}), "e0765613125e6a59cff2330106ca5171a85fc29387a0169b916506593adf5b26");
  EXPECT_EQ(Sha256TreeHex(AsBytes("abc")),
            "88269c680c6426fc2c57ec193d6c7be94bd564170c38bc917818ed1662a88909");
  Bytes counting(200000);
  for (size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<uint8_t>(i % 251);
  EXPECT_EQ(Sha256TreeHex(counting),
            "dc3eb3f996635e473657f35601acd57ed98c1a9056f1c6f3f5a32e76dfe76fc0");
}

TEST(Sha256TreeTest, MatchesTheDefinitionAtLeafAndBatchEdges) {
  const size_t leaf = kSha256TreeLeafSize;
  for (size_t n : {size_t{0}, size_t{1}, leaf - 1, leaf, leaf + 1, 3 * leaf, 4 * leaf - 1, 4 * leaf,
                   4 * leaf + 1, 5 * leaf, 8 * leaf, 9 * leaf + 123, size_t{3} << 20}) {
    Bytes data = testing::SeededBytes(n, static_cast<uint32_t>(n));
    EXPECT_EQ(Sha256Tree(data), ReferenceTree(data)) << n << " bytes";
  }
}

TEST(Sha256TreeTest, PortableFallbackGivesTheSameRoots) {
  // What a CPU without SHA-NI computes: OpenSSL for every leaf.
  Bytes data = testing::SeededBytes(9 * kSha256TreeLeafSize + 5, 21);
  const Sha256Digest accelerated = Sha256Tree(data);
  ForceSha256LanesPortableForTesting(true);
  EXPECT_FALSE(Sha256LanesAccelerated());
  const Sha256Digest portable = Sha256Tree(data);
  const std::string empty = Sha256TreeHex({});
  ForceSha256LanesPortableForTesting(false);
  EXPECT_EQ(portable, accelerated);
  EXPECT_EQ(portable, ReferenceTree(data));
  EXPECT_EQ(empty, "e0765613125e6a59cff2330106ca5171a85fc29387a0169b916506593adf5b26");
}

TEST(Sha256TreeTest, StreamedInAnyPiecesGivesTheSameRoot) {
  Bytes data = testing::SeededBytes((5 << 20) + 777, 3);
  const Sha256Digest expected = ReferenceTree(data);
  std::mt19937 rng(11);
  Sha256TreeHasher hasher;
  for (int round = 0; round < 2; ++round) {  // The second round checks that Finish resets.
    size_t offset = 0;
    while (offset < data.size()) {
      // Pieces from 0 bytes to a little over two batches, so both the in-place and the gathering
      // paths run.
      size_t n = std::min<size_t>(data.size() - offset, rng() % (600 << 10));
      if (rng() % 4 == 0) n = std::min<size_t>(data.size() - offset, 262144 + 16);
      hasher.Update(ByteSpan(data.data() + offset, n));
      offset += n;
    }
    EXPECT_EQ(hasher.Finish(), expected) << "round " << round;
  }
}

TEST(Sha256TreeTest, DiffersFromPlainSha256AndSeesEveryByteAndTheLength) {
  Bytes data = testing::SeededBytes(300000, 5);
  const Sha256Digest root = Sha256Tree(data);
  EXPECT_NE(root, Sha256(data));
  for (size_t pos : {size_t{0}, size_t{65535}, size_t{65536}, size_t{299999}}) {
    Bytes changed = data;
    changed[pos] ^= 1;
    EXPECT_NE(Sha256Tree(changed), root) << pos;
  }
  Bytes longer = data;
  longer.push_back(0);
  EXPECT_NE(Sha256Tree(longer), root);
  // One zero byte and no bytes are different contents.
  EXPECT_NE(Sha256Tree(Bytes(1, 0)), Sha256Tree({}));
}

}  // namespace
}  // namespace cleanroom::crypto
