#include "privacy/exact_rational.h"

#include <numeric>

namespace cleanroom::privacy {
namespace {

using u128 = unsigned __int128;
constexpr u128 kMaxPart = static_cast<u128>(1) << 40;

Status DecimalError(std::string_view where, const std::string& path, const std::string& what) {
  std::string m(where);
  if (!m.empty()) m += ": ";
  return Status::InvalidArgument(m + "field '" + path + "' " + what);
}

}  // namespace

u128 GreatestCommonDivisor(u128 a, u128 b) {
  while (b != 0) {
    u128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

bool Rational::operator<(const Rational& other) const {
  return static_cast<__int128>(num) * other.den < static_cast<__int128>(other.num) * den;
}

std::string Rational::ToString() const {
  if (den == 1) return std::to_string(num);
  // A power of ten prints as a decimal; anything else as a fraction.
  int64_t d = den;
  int places = 0;
  while (d % 10 == 0) {
    d /= 10;
    ++places;
  }
  if (d != 1) return std::to_string(num) + "/" + std::to_string(den);
  std::string digits = std::to_string(num % den);
  digits.insert(0, static_cast<size_t>(places) - digits.size(), '0');
  return std::to_string(num / den) + "." + digits;
}

bool SignedRational::operator<(const SignedRational& other) const {
  const bool this_negative = negative && magnitude.num != 0;
  const bool other_negative = other.negative && other.magnitude.num != 0;
  if (this_negative != other_negative) return this_negative;
  return this_negative ? other.magnitude < magnitude : magnitude < other.magnitude;
}

std::string SignedRational::ToString() const {
  return (negative && magnitude.num != 0 ? "-" : "") + magnitude.ToString();
}

Result<SignedRational> ParseExactDecimal(std::string_view text, std::string_view where,
                                         const std::string& path) {
  const std::string kNotDecimal = "must be a decimal number (e.g. 0.5, 1e-6)";
  if (text.empty() || text.size() > 40) return DecimalError(where, path, kNotDecimal);
  size_t i = 0;
  SignedRational out;
  if (text[i] == '-' || text[i] == '+') out.negative = text[i++] == '-';
  u128 num = 0;
  int64_t exponent = 0;  // value = num * 10^exponent
  int digits = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (num > kMaxPart * 1000000) return DecimalError(where, path, "has too many digits");
    num = num * 10 + static_cast<u128>(c - '0');
    ++digits;
    if (point) --exponent;
  }
  if (digits == 0) return DecimalError(where, path, kNotDecimal);
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return DecimalError(where, path, kNotDecimal);
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) exponent_negative = text[i++] == '-';
    int64_t e = 0;
    size_t start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4; ++i) {
      e = e * 10 + (text[i] - '0');
    }
    if (i == start || i != text.size()) return DecimalError(where, path, kNotDecimal);
    exponent += exponent_negative ? -e : e;
  }
  u128 den = 1;
  for (; exponent < 0; ++exponent) {
    if (den > kMaxPart * 1000000) return DecimalError(where, path, "is too precise");
    den *= 10;
  }
  for (; exponent > 0; --exponent) {
    if (num > kMaxPart) return DecimalError(where, path, "is too large");
    num *= 10;
  }
  const u128 g = GreatestCommonDivisor(num, den);
  num /= g;
  den /= g;
  if (num > kMaxPart || den > kMaxPart) {
    return DecimalError(where, path, "needs a numerator or denominator above 2^40");
  }
  out.magnitude = {static_cast<int64_t>(num), static_cast<int64_t>(den)};
  return out;
}

}  // namespace cleanroom::privacy
