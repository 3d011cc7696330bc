#include "crypto/tests/test_util.h"

#include <stdlib.h>

#include <random>

namespace cleanroom::crypto::testing {

Bytes SeededBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/cleanroom_crypto_XXXXXX";
  char* dir = mkdtemp(pattern.data());
  if (dir == nullptr) std::abort();
  return pattern;
}

}  // namespace cleanroom::crypto::testing
