#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "crypto/openssl_util.h"

namespace cleanroom::crypto {

Status RandomBytes(uint8_t* out, size_t size) {
  while (size > 0) {
    int n = size > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
    if (RAND_bytes(out, n) != 1) return internal::OpenSslError("random generator failed");
    out += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<Bytes> RandomBytes(size_t size) {
  Bytes out(size);
  CR_RETURN_IF_ERROR(RandomBytes(out.data(), out.size()));
  return out;
}

}  // namespace cleanroom::crypto
