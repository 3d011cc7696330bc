#pragma once
// Internal to the container code: SHA-256 (or the sha256-tree-v1 content hash) of a stream of
// buffers, computed on a helper thread so that hashing (about 2 GB/s per core with SHA-NI, 3.5
// for the tree) overlaps AES-256-GCM (about 5 GB/s) running on another core, or inline on the
// caller's thread when there is one core. Not a public API.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "base/bytes.h"
#include "crypto/hash.h"
#include "crypto/sha256_tree.h"

namespace cleanroom::crypto::internal {

// Hashes buffers in the order they are submitted. With a helper thread, Submit returns at once and
// the submitted bytes must stay alive and unchanged until WaitHashed(ticket) (or Finish) returns;
// without one, Submit hashes before returning. Single producer: Submit, WaitHashed and Finish are
// called from one thread.
class BackgroundSha256 {
 public:
  // `use_thread`: start the helper thread (worth it only when HashThreadWorthwhile()).
  // `tree`: compute sha256-tree-v1 (crypto/sha256_tree.h) instead of plain SHA-256.
  explicit BackgroundSha256(bool use_thread, bool tree = false);
  // Stops and joins the helper. Buffers still queued are dropped unhashed (an error path): after
  // the destructor returns, no submitted buffer is read any more.
  ~BackgroundSha256();
  BackgroundSha256(const BackgroundSha256&) = delete;
  BackgroundSha256& operator=(const BackgroundSha256&) = delete;

  // Queues `data` after everything queued before and returns its ticket (1, 2, ...).
  uint64_t Submit(ByteSpan data);
  // Blocks until the buffer with `ticket` (and so every earlier one) has been hashed. Tickets
  // <= 0 return at once.
  void WaitHashed(int64_t ticket);
  // Waits for every submitted buffer and returns the digest of their concatenation. Call once.
  Sha256Digest Finish();

 private:
  void Run();
  void Update(ByteSpan data) { tree_ ? tree_hasher_.Update(data) : hasher_.Update(data); }

  const bool tree_;
  Sha256Hasher hasher_;
  Sha256TreeHasher tree_hasher_;
  std::mutex mu_;
  std::condition_variable work_cv_;  // The helper waits here for buffers.
  std::condition_variable done_cv_;  // The producer waits here for hashed buffers.
  std::deque<ByteSpan> queue_;
  uint64_t submitted_ = 0;
  uint64_t hashed_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// True when this process may run on at least two CPUs (its affinity mask), so that a helper
// thread for hashing can run beside the cipher instead of taking turns with it.
bool HashThreadWorthwhile();

// Buffers the stream code rotates through while the helper hashes: the one being sealed or
// handed out, the one being read ahead, and one of slack for the helper to lag behind.
inline constexpr size_t kHashRingSize = 3;

}  // namespace cleanroom::crypto::internal
