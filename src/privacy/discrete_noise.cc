#include "privacy/discrete_noise.h"

namespace cleanroom::privacy {
namespace {

using u128 = unsigned __int128;

// Padding (docs/differential-privacy.md, "Timing"). Every loop whose length would depend on the
// value drawn runs a fixed number of rounds; it runs past them only in events whose probability
// is below 2^-64 per draw, so the work of a draw is independent of its value except then.
// Algorithm 1 stops at the first k whose Bernoulli(x / k) fails: k > 22 has probability at most
// 1/22! < 2^-69.
constexpr int kUnitRounds = 22;
// The geometric part of the discrete Laplace: v >= 45 has probability exp(-45) < 2^-64.
constexpr int kGeometricRounds = 45;
// The discrete Gaussian's acceptance exp(-x): an accepted candidate with floor(x) >= 45 has
// probability below exp(-45) < 2^-64; whole units past 45 (rejected candidates almost always)
// run unpadded and stop at the first failure, which is harmless since rejected candidates say
// nothing about the value drawn.
constexpr int kWholeRounds = 45;

u128 Next128(RandomBits& random) {
  return (static_cast<u128>(random.Next64()) << 64) | random.Next64();
}

// Uniform on [0, n) for n up to 2^128 - 1, by rejection. The number of words drawn depends on n
// and on chance, never on the value returned. REQUIRES: n > 0.
u128 Uniform128(u128 n, RandomBits& random) {
  if ((n >> 64) == 0) return random.Uniform(static_cast<uint64_t>(n));
  const u128 max = ~static_cast<u128>(0);
  const u128 limit = max - (max % n + 1) % n;
  for (;;) {
    u128 word = Next128(random);
    if (word <= limit) return word % n;
  }
}

// All ones when b is true, else zero: selections below without a branch on a drawn value.
uint64_t Mask(bool b) { return uint64_t{0} - static_cast<uint64_t>(b); }

// exp(-x) for x = num/den in [0, 1] (algorithm 1): the parity of the first k at which a
// Bernoulli(x / k) fails. Always kUnitRounds trials; the first failure is recorded by masks.
bool BernoulliExpUnit(u128 num, u128 den, RandomBits& random) {
  uint64_t failed = 0;  // all ones once a trial has failed
  uint64_t result = 0;  // the parity of the first failing k, once known
  for (u128 k = 1; k <= kUnitRounds; ++k) {
    // den * k stays far below 2^128: den <= 2^77 here.
    const uint64_t fail = Mask(!SampleBernoulli(num, den * k, random));
    const uint64_t first = fail & ~failed;
    result |= first & static_cast<uint64_t>(k & 1);
    failed |= fail;
  }
  if (failed != 0) return result != 0;
  for (u128 k = kUnitRounds + 1;; ++k) {  // probability below 2^-69
    if (!SampleBernoulli(num, den * k, random)) return (k & 1) == 1;
  }
}

// exp(-num/den) = exp(-1)^floor(x) * exp(-frac(x)): at least `whole_rounds` unit trials whatever
// floor(x) is (the surplus ones are drawn and ignored), then the fractional trial.
bool BernoulliExpPadded(u128 num, u128 den, int whole_rounds, RandomBits& random) {
  const u128 whole = num / den;
  uint64_t all = ~uint64_t{0};
  u128 rounds = whole > static_cast<u128>(whole_rounds) ? whole : static_cast<u128>(whole_rounds);
  for (u128 i = 0; i < rounds; ++i) {
    const uint64_t success = Mask(BernoulliExpUnit(1, 1, random));
    all &= success | Mask(i >= whole);
    // Past the pad only: stop at the first failure (the candidate is rejected, and a rejected
    // candidate's work says nothing about the value returned; without this a candidate far out
    // would run millions of trials).
    if (i >= static_cast<u128>(whole_rounds) && all == 0) return false;
  }
  all &= Mask(BernoulliExpUnit(num % den, den, random));
  return all != 0;
}

// The number of successes of Bernoulli(exp(-1)) before the first failure (P(v >= j) = e^-j),
// always kGeometricRounds trials.
u128 GeometricExpMinusOne(RandomBits& random) {
  uint64_t running = ~uint64_t{0};
  uint64_t count = 0;
  for (int i = 0; i < kGeometricRounds; ++i) {
    running &= Mask(BernoulliExpUnit(1, 1, random));
    count += running & 1;
  }
  if (running == 0) return count;
  while (BernoulliExpUnit(1, 1, random)) ++count;  // probability below 2^-64
  return count;
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

// Divides by s with a fixed number of steps (restoring division, one per bit of a 128-bit
// dividend), so the time does not depend on the dividend as a hardware divide's may.
u128 DivideFixed(u128 n, u128 s) {
  u128 quotient = 0;
  u128 remainder = 0;
  for (int bit = 127; bit >= 0; --bit) {
    remainder = (remainder << 1) | ((n >> bit) & 1);
    const u128 ge = static_cast<u128>(0) - static_cast<u128>(remainder >= s);
    remainder -= s & ge;
    quotient |= (ge & 1) << bit;
  }
  return quotient;
}

}  // namespace

bool SampleBernoulli(u128 num, u128 den, RandomBits& random) {
  return Uniform128(den, random) < num;
}

bool SampleBernoulliExp(u128 num, u128 den, RandomBits& random) {
  return BernoulliExpPadded(num, den, 0, random);
}

Result<int64_t> SampleDiscreteLaplace(uint64_t scale_num, uint64_t scale_den, RandomBits& random) {
  constexpr uint64_t kMax = uint64_t{1} << 40;
  if (scale_num < 1 || scale_den < 1 || scale_num > kMax || scale_den > kMax) {
    return Status::InvalidArgument(
        "discrete Laplace: the scale must be a ratio of integers from 1 to 2^40");
  }
  const u128 t = scale_num;
  const u128 s = scale_den;
  // Algorithm 2. Each round does the same work whatever it draws; a rejected round says nothing
  // about the value finally returned (rounds are independent), so neither does their number.
  for (;;) {
    const u128 u = random.Uniform(scale_num);
    const bool keep = BernoulliExpPadded(u, t, 0, random);  // u < t: no whole part
    const u128 v = GeometricExpMinusOne(random);
    const u128 magnitude = DivideFixed(u + t * v, s);
    const uint64_t negative = random.Next64() & 1;
    // Rejections: exp(-u/t) failed, or -0 (counted twice otherwise), or a magnitude past int64
    // (probability below 2^-(2^20)).
    if (!keep || (negative == 1 && magnitude == 0) || magnitude > static_cast<u128>(INT64_MAX)) {
      continue;
    }
    const uint64_t m = static_cast<uint64_t>(magnitude);
    const uint64_t sign = Mask(negative == 1);
    return static_cast<int64_t>((m ^ sign) - sign);  // m or -m, without a branch
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
    const uint64_t sign = Mask(y < 0);
    const u128 magnitude = static_cast<uint64_t>((static_cast<uint64_t>(y) ^ sign) - sign);
    // Accept with exp(-(|y| - sigma^2/t)^2 / (2 sigma^2)) = exp(-(|y| t b - a)^2 / (2 t^2 a b)).
    if (magnitude > limit / (t * b)) continue;  // |y| > 2^27 sigma-ish: see the header
    const u128 scaled = magnitude * t * b;
    const u128 diff = scaled >= a ? scaled - a : a - scaled;
    if (BernoulliExpPadded(diff * diff, 2 * t * t * a * b, kWholeRounds, random)) return y;
  }
}

}  // namespace cleanroom::privacy
