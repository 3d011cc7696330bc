#pragma once
// A reproducible RandomBits for the samplers' tests (a Mersenne Twister from a seed); the product
// uses KernelRandomBits.
#include <cstdint>
#include <random>

#include "privacy/random_bits.h"

namespace cleanroom::privacy::testing {

class SeededBits : public RandomBits {
 public:
  explicit SeededBits(uint64_t seed) : engine_(seed) {}
  uint64_t Next64() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace cleanroom::privacy::testing
