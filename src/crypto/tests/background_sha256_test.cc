#include "crypto/background_sha256.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace cleanroom::crypto::internal {
namespace {

Bytes Pattern(size_t n) {
  std::mt19937 rng(7);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Submits `data` in pieces of varying sizes through a ring of `slots` reused buffers, as the
// container code does, and returns the digest.
Sha256Digest HashThroughRing(ByteSpan data, bool use_thread, size_t slots) {
  BackgroundSha256 hasher(use_thread);
  std::vector<Bytes> ring(slots);
  size_t offset = 0;
  for (uint64_t i = 0; offset < data.size(); ++i) {
    size_t n = std::min<size_t>(data.size() - offset, 1 + (i * 7919) % 70000);
    // The slot last held piece i - slots (ticket i + 1 - slots).
    hasher.WaitHashed(static_cast<int64_t>(i + 1) - static_cast<int64_t>(slots));
    Bytes& slot = ring[i % slots];
    slot.assign(data.begin() + offset, data.begin() + offset + n);
    EXPECT_EQ(hasher.Submit(slot), i + 1);
    offset += n;
  }
  return hasher.Finish();
}

TEST(BackgroundSha256Test, MatchesOneShotSha256WithAndWithoutTheHelperThread) {
  Bytes data = Pattern(3 << 20);
  for (bool use_thread : {false, true}) {
    for (size_t slots : {size_t{1}, size_t{2}, kHashRingSize}) {
      EXPECT_EQ(HashThroughRing(data, use_thread, slots), Sha256(data))
          << "thread " << use_thread << ", slots " << slots;
    }
  }
}

TEST(BackgroundSha256Test, EmptyStreamIsTheEmptyHash) {
  for (bool use_thread : {false, true}) {
    BackgroundSha256 hasher(use_thread);
    EXPECT_EQ(HexEncode(hasher.Finish()),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}

TEST(BackgroundSha256Test, DestroyingWithQueuedBuffersStopsReadingThem) {
  // An error path: the producer gives up with buffers still queued. The destructor must return
  // only once the helper no longer reads them (ASan / TSan builds check the buffers' lifetime).
  for (int round = 0; round < 20; ++round) {
    auto buffers = std::make_unique<std::vector<Bytes>>(8, Pattern(256 << 10));
    {
      BackgroundSha256 hasher(true);
      for (const Bytes& b : *buffers) hasher.Submit(b);
    }
    buffers.reset();
  }
  SUCCEED();
}

}  // namespace
}  // namespace cleanroom::crypto::internal
