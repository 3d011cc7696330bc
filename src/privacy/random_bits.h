#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cleanroom::privacy {

// A source of uniformly random 64-bit words for the noise samplers. The product uses
// KernelRandomBits; tests pass a seeded generator to check distributions reproducibly.
class RandomBits {
 public:
  virtual ~RandomBits() = default;
  virtual uint64_t Next64() = 0;

  // Uniform on [0, n) by rejection (no modulo bias). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n);
};

// The kernel's CSPRNG (getrandom(2)), read 4 KiB at a time; the buffer is wiped when refilled
// and on destruction. Aborts if the kernel cannot supply randomness (noise without a CSPRNG
// would be no noise at all; this is not an input error). Not thread-safe: one per run.
class KernelRandomBits : public RandomBits {
 public:
  KernelRandomBits() = default;
  KernelRandomBits(const KernelRandomBits&) = delete;
  KernelRandomBits& operator=(const KernelRandomBits&) = delete;
  ~KernelRandomBits() override;
  uint64_t Next64() override;

 private:
  std::array<uint64_t, 512> buffer_{};
  size_t next_ = buffer_.size();
};

}  // namespace cleanroom::privacy
