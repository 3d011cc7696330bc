#include "privacy/discrete_noise.h"

namespace cleanroom::privacy {
namespace {

using u128 = unsigned __int128;

u128 Next128(RandomBits& random) {
  return (static_cast<u128>(random.Next64()) << 64) | random.Next64();
}

// Uniform on [0, n) for n up to 2^128 - 1, by rejection. REQUIRES: n > 0.
u128 Uniform128(u128 n, RandomBits& random) {
  if ((n >> 64) == 0) return random.Uniform(static_cast<uint64_t>(n));
  const u128 max = ~static_cast<u128>(0);
  const u128 limit = max - (max % n + 1) % n;
  for (;;) {
    u128 word = Next128(random);
    if (word <= limit) return word % n;
  }
}

// exp(-x) for x = num/den in [0, 1] (algorithm 1): the parity of the first k at which a
// Bernoulli(x / k) fails.
bool BernoulliExpUnit(u128 num, u128 den, RandomBits& random) {
  for (u128 k = 1;; ++k) {
    // den * k stays far below 2^128: den <= 2^76 and k exceeds 40 with probability < 1/40!.
    if (!SampleBernoulli(num, den * k, random)) return (k & 1) == 1;
  }
}

u128 IntegerSqrt(u128 n) {
  u128 low = 0;
  u128 high = static_cast<u128>(1) << 64;
  while (low < high) {  // the largest r with r * r <= n
    u128 mid = low + (high - low + 1) / 2;
    if (mid <= n / mid) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return low;
}

}  // namespace

bool SampleBernoulli(u128 num, u128 den, RandomBits& random) {
  return Uniform128(den, random) < num;
}

bool SampleBernoulliExp(u128 num, u128 den, RandomBits& random) {
  // exp(-x) = exp(-1)^floor(x) * exp(-(x - floor(x))); each factor is one trial, and the loop
  // ends at the first failure (after 1.6 trials on average, whatever x is).
  for (u128 whole = num / den; whole > 0; --whole) {
    if (!BernoulliExpUnit(1, 1, random)) return false;
  }
  return BernoulliExpUnit(num % den, den, random);
}

Result<int64_t> SampleDiscreteLaplace(uint64_t scale_num, uint64_t scale_den, RandomBits& random) {
  constexpr uint64_t kMax = uint64_t{1} << 40;
  if (scale_num < 1 || scale_den < 1 || scale_num > kMax || scale_den > kMax) {
    return Status::InvalidArgument(
        "discrete Laplace: the scale must be a ratio of integers from 1 to 2^40");
  }
  const u128 t = scale_num;
  const u128 s = scale_den;
  for (;;) {  // algorithm 2
    const u128 u = random.Uniform(scale_num);
    if (!SampleBernoulliExp(u, t, random)) continue;
    u128 v = 0;
    while (SampleBernoulliExp(1, 1, random)) ++v;
    const u128 magnitude = (u + t * v) / s;
    const bool negative = (random.Next64() & 1) == 1;
    if (negative && magnitude == 0) continue;
    if (magnitude > static_cast<u128>(INT64_MAX)) continue;  // probability below 2^-(2^20)
    return negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  }
}

Result<int64_t> SampleDiscreteGaussian(uint64_t var_num, uint64_t var_den, RandomBits& random) {
  constexpr uint64_t kMax = uint64_t{1} << 24;
  if (var_num < 1 || var_den < 1 || var_num > kMax || var_den > kMax) {
    return Status::InvalidArgument(
        "discrete Gaussian: sigma^2 must be a ratio of integers from 1 to 2^24");
  }
  const u128 a = var_num;
  const u128 b = var_den;
  const u128 t = IntegerSqrt(a / b) + 1;  // floor(sigma) + 1
  const u128 limit = static_cast<u128>(1) << 63;
  for (;;) {  // algorithm 3
    CR_ASSIGN_OR_RETURN(int64_t y, SampleDiscreteLaplace(static_cast<uint64_t>(t), 1, random));
    const u128 magnitude = y < 0 ? static_cast<u128>(-(y + 1)) + 1 : static_cast<u128>(y);
    // Accept with exp(-(|y| - sigma^2/t)^2 / (2 sigma^2)) = exp(-(|y| t b - a)^2 / (2 t^2 a b)).
    if (magnitude > limit / (t * b)) continue;  // |y| > 2^27 sigma-ish: see the header
    const u128 scaled = magnitude * t * b;
    const u128 diff = scaled >= a ? scaled - a : a - scaled;
    if (SampleBernoulliExp(diff * diff, 2 * t * t * a * b, random)) return y;
  }
}

}  // namespace cleanroom::privacy
