#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::privacy {

// A non-negative rational num/den in lowest terms, as differential-privacy settings state
// epsilon, delta and bounds exactly (no floating point between a document and the noise).
struct Rational {
  int64_t num = 0;
  int64_t den = 1;

  bool operator==(const Rational& other) const { return num == other.num && den == other.den; }
  bool operator<(const Rational& other) const;
  bool operator<=(const Rational& other) const { return !(other < *this); }
  // "0.25", "1/3" or "2".
  std::string ToString() const;
  double ToDouble() const { return static_cast<double>(num) / static_cast<double>(den); }
};

// A signed exact decimal (clamping bounds may be negative): sign * magnitude.
struct SignedRational {
  bool negative = false;
  Rational magnitude;

  bool operator<(const SignedRational& other) const;
  bool operator<=(const SignedRational& other) const { return !(other < *this); }
  std::string ToString() const;
  double ToDouble() const { return negative ? -magnitude.ToDouble() : magnitude.ToDouble(); }
};

// The greatest common divisor of a and b (gcd(0, b) = b).
unsigned __int128 GreatestCommonDivisor(unsigned __int128 a, unsigned __int128 b);

// Parses decimal text ("0.5", "1e-6", "-12.25", "3"): exactly, into lowest terms.
// InvalidArgument "WHERE: field 'PATH' ..." (never the text itself) when it is not a decimal,
// or when numerator or denominator would exceed 2^40 (the noise samplers' parameter bound).
Result<SignedRational> ParseExactDecimal(std::string_view text, std::string_view where,
                                         const std::string& path);

}  // namespace cleanroom::privacy
