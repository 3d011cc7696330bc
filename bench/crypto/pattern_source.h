#pragma once
// The crypto benchmarks' plaintext: a 16 MiB random pattern repeated, read with one memcpy per
// read (what a read from the page cache costs).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>

#include "crypto/container.h"

namespace cleanroom::bench {

// 16 MiB of pseudo-random bytes (seed 1).
inline Bytes MakePattern() {
  Bytes pattern(16 << 20);
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < pattern.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(&pattern[i], &v, 8);
  }
  return pattern;
}

// A source of `total` bytes of `pattern` repeated; `pos` counts the bytes read (reset it to
// read again). Both must outlive the source.
inline crypto::container::ReadFn PatternSource(const Bytes& pattern, uint64_t total,
                                               uint64_t& pos) {
  return [&pattern, total, &pos](uint8_t* buf, size_t size) -> Result<size_t> {
    size_t n = static_cast<size_t>(std::min<uint64_t>(size, total - pos));
    size_t done = 0;
    while (done < n) {
      size_t at = static_cast<size_t>((pos + done) % pattern.size());
      size_t k = std::min(n - done, pattern.size() - at);
      std::memcpy(buf + done, pattern.data() + at, k);
      done += k;
    }
    pos += n;
    return n;
  };
}

}  // namespace cleanroom::bench
