#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::crypto {

// Fills `out` with `size` bytes from OpenSSL's CSPRNG. Internal when the generator fails.
Status RandomBytes(uint8_t* out, size_t size);

// `size` fresh random bytes.
Result<Bytes> RandomBytes(size_t size);

}  // namespace cleanroom::crypto
