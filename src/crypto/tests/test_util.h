#pragma once
// Helpers shared by the crypto tests.

#include <cstdlib>
#include <string>

#include "base/bytes.h"

namespace cleanroom::crypto::testing {

// The shared test data directory (CLEANROOM_TESTDATA overrides the build-time path).
inline std::string TestDataDir() {
  const char* env = std::getenv("CLEANROOM_TESTDATA");
  return env != nullptr ? env : CLEANROOM_TESTDATA_DIR;
}

// Decodes hex test data, aborting the test binary on malformed input (test data is trusted).
inline Bytes Hex(const std::string& hex) {
  auto r = HexDecode(hex);
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

// `n` pseudo-random bytes, the same for the same seed (test inputs, not keys).
Bytes SeededBytes(size_t n, uint32_t seed);

// A fresh empty directory under TMPDIR for one test.
std::string MakeTempDir();

}  // namespace cleanroom::crypto::testing
