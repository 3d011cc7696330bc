#include "governance/nonce_cache.h"

#include <functional>

namespace cleanroom::governance {

bool NonceCache::Insert(const std::string& signer, ByteSpan nonce, int64_t expires_at,
                        int64_t now) {
  std::string key = signer;
  key.push_back('/');
  key.append(AsStringView(nonce));
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  while (!shard.expiries.empty() && shard.expiries.top().first < now) {
    shard.keys.erase(shard.expiries.top().second);
    shard.expiries.pop();
  }
  if (!shard.keys.insert(key).second) return false;
  shard.expiries.emplace(expires_at, std::move(key));
  return true;
}

size_t NonceCache::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.keys.size();
  }
  return n;
}

}  // namespace cleanroom::governance
