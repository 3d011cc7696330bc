#include "crypto/tests/test_util.h"

#include <stdlib.h>

namespace cleanroom::crypto::testing {

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/cleanroom_crypto_XXXXXX";
  char* dir = mkdtemp(pattern.data());
  if (dir == nullptr) std::abort();
  return pattern;
}

}  // namespace cleanroom::crypto::testing
