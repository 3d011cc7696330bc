#include "privacy/random_bits.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

#include "base/bytes.h"

namespace cleanroom::privacy {

uint64_t RandomBits::Uniform(uint64_t n) {
  // Accept words below the largest multiple of n; the rest would bias the low values.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
  for (;;) {
    uint64_t word = Next64();
    if (word <= limit) return word % n;
  }
}

KernelRandomBits::~KernelRandomBits() { SecureWipe(buffer_.data(), sizeof buffer_); }

uint64_t KernelRandomBits::Next64() {
  if (next_ == buffer_.size()) {
    auto* bytes = reinterpret_cast<uint8_t*>(buffer_.data());
    size_t filled = 0;
    while (filled < sizeof buffer_) {
      ssize_t n = ::getrandom(bytes + filled, sizeof buffer_ - filled, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::abort();
      }
      filled += static_cast<size_t>(n);
    }
    next_ = 0;
  }
  uint64_t word = buffer_[next_];
  buffer_[next_++] = 0;
  return word;
}

}  // namespace cleanroom::privacy
