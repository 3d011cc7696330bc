#pragma once
// Internal to the CBOR code: IEEE 754 half precision, which the encoder and decoder both need.

#include <cmath>
#include <cstdint>

namespace cleanroom::crypto::cbor::internal {

inline double HalfToDouble(uint16_t h) {
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  double v;
  if (exp == 0) {
    v = std::ldexp(mant, -24);
  } else if (exp != 31) {
    v = std::ldexp(mant + 1024, exp - 25);
  } else {
    v = mant == 0 ? INFINITY : NAN;
  }
  return (h & 0x8000) ? -v : v;
}

}  // namespace cleanroom::crypto::cbor::internal
