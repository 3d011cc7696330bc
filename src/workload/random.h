#pragma once

#include <cstdint>

namespace cleanroom::workload {

// Independent random streams of the generator. Each (seed, stream, row) triple has its own
// sequence, so a row's values never depend on how rows were split across threads or chunks:
// the output is the same bytes for a seed whatever the thread count.
enum class Stream : uint64_t {
  kPerson = 1,      // a person's name, email domain and whether the publisher reaches them
  kCustomer = 2,    // the advertiser's attributes of a customer
  kImpression = 3,  // one impression (and the conversion it may cause)
};

// A small counter-based generator: SplitMix64 (Steele, Lea, Flood 2014) seeded by a hash of
// the triple. Statistical quality is ample for synthetic data; it is not for cryptography.
class RowRandom {
 public:
  RowRandom(uint64_t seed, Stream stream, uint64_t row)
      : state_(Mix(Mix(seed ^ 0x9e3779b97f4a7c15ULL) ^ (static_cast<uint64_t>(stream) << 56) ^
                   Mix(row + 0x632be59bd9b4e019ULL))) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix(state_);
  }
  // Uniform in [0, 1), 53 bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n). REQUIRES: n > 0. Multiply-shift: bias below 2^-32 for our n.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_;
};

}  // namespace cleanroom::workload
