#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/bytes.h"

namespace cleanroom::governance {

// Remembers the (signer, nonce) pairs of accepted-for-processing writes until their messages are
// too old to be accepted anyway, so that a replayed message is refused. Sharded by hash so that
// concurrent writers rarely share a lock. Thread-safe.
class NonceCache {
 public:
  NonceCache() = default;

  // Records (signer, nonce) until `expires_at` (unix seconds). Returns false, recording nothing,
  // when the pair is already present. Entries whose expiry is before `now` are dropped on the way.
  bool Insert(const std::string& signer, ByteSpan nonce, int64_t expires_at, int64_t now);
  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_set<std::string> keys;
    // (expiry, key), earliest first.
    std::priority_queue<std::pair<int64_t, std::string>,
                        std::vector<std::pair<int64_t, std::string>>, std::greater<>>
        expiries;
  };
  std::array<Shard, kShards> shards_;
};

}  // namespace cleanroom::governance
