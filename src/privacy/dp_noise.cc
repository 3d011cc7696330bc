#include "privacy/dp_noise.h"

#include <cmath>
#include <limits>
#include <string>

#include "privacy/discrete_noise.h"

namespace cleanroom::privacy {
namespace {

using u128 = unsigned __int128;

// num/den with both parts at most `limit`, rounded up: the value never decreases (more noise,
// never less). False when the value itself is above `limit`. REQUIRES: den > 0.
bool FitRoundingUp(u128& num, u128& den, u128 limit) {
  while (num > limit || den > limit) {
    if (den == 1) return false;
    num = (num + 1) / 2;  // ceil(num / 2) / floor(den / 2) >= num / den
    den /= 2;
  }
  return true;
}

// num/den in lowest terms, fitted under `limit` (FitRoundingUp), as the mechanism's parameter.
Result<NoiseParameters> Fitted(NoiseMechanism mechanism, u128 num, u128 den, u128 limit) {
  const u128 g = GreatestCommonDivisor(num, den);
  num /= g;
  den /= g;
  if (!FitRoundingUp(num, den, limit)) {
    return Status::InvalidArgument(
        "differential privacy: the " + std::string(NoiseMechanismName(mechanism)) +
        " noise needed is beyond the sampler's range (raise epsilon or lower the bounds)");
  }
  return NoiseParameters{mechanism, static_cast<uint64_t>(num), static_cast<uint64_t>(den)};
}

}  // namespace

Result<NoiseParameters> LaplaceFor(const Rational& epsilon, uint64_t l1) {
  constexpr u128 kLimit = static_cast<u128>(1) << 40;
  if (epsilon.num <= 0 || epsilon.den <= 0 || l1 == 0 || l1 > kLimit) {
    return Status::InvalidArgument(
        "differential privacy: epsilon and the sensitivity must be positive");
  }
  return Fitted(NoiseMechanism::kLaplace, static_cast<u128>(l1) * static_cast<u128>(epsilon.den),
                static_cast<u128>(epsilon.num), kLimit);
}

Result<NoiseParameters> GaussianFor(const Rational& rho, uint64_t l2_squared) {
  constexpr u128 kLimit = static_cast<u128>(1) << 24;
  if (rho.num <= 0 || rho.den <= 0 || l2_squared == 0 || l2_squared > kLimit) {
    return Status::InvalidArgument(
        "differential privacy: rho and the sensitivity must be positive");
  }
  return Fitted(NoiseMechanism::kGaussian,
                static_cast<u128>(l2_squared) * static_cast<u128>(rho.den),
                2 * static_cast<u128>(rho.num), kLimit);
}

Result<Rational> ZcdpRhoFor(const Rational& epsilon, const Rational& delta) {
  if (epsilon.num <= 0 || delta.num <= 0 || !(delta < Rational{1, 1})) {
    return Status::InvalidArgument(
        "differential privacy: zCDP needs epsilon above 0 and delta strictly between 0 and 1");
  }
  const double e = epsilon.ToDouble();
  const double l = std::log(1 / delta.ToDouble());
  const double root = std::sqrt(l + e) - std::sqrt(l);
  const double rho = root * root;
  constexpr double kGrid = 1073741824.0;  // 2^30
  // One grid step below the floor, for the rounding of log and sqrt.
  const double steps = std::floor(rho * kGrid) - 1;
  if (steps < 1) {
    return Status::InvalidArgument("differential privacy: epsilon is too small for this delta");
  }
  return Rational{static_cast<int64_t>(steps), static_cast<int64_t>(kGrid)};
}

int64_t NoiseInterval95(const NoiseParameters& noise) {
  const double ratio = static_cast<double>(noise.num) / static_cast<double>(noise.den);
  if (noise.mechanism == NoiseMechanism::kLaplace) {
    // P(|X| > k) = 2 q^(k+1) / (1 + q), q = exp(-1/b).
    const double q = std::exp(-1 / ratio);
    int64_t k = static_cast<int64_t>(std::floor(std::log(0.05 * (1 + q) / 2) / std::log(q))) - 2;
    if (k < 0) k = 0;
    while (2 * std::pow(q, static_cast<double>(k + 1)) / (1 + q) > 0.05) ++k;
    return k;
  }
  // Gaussian: the mass sums outward from the centre until 95% is inside [-k, k].
  const double sigma2 = ratio;
  const int64_t range = static_cast<int64_t>(std::ceil(14 * std::sqrt(sigma2))) + 2;
  double total = 0;
  for (int64_t x = -range; x <= range; ++x) {
    total += std::exp(-static_cast<double>(x) * static_cast<double>(x) / (2 * sigma2));
  }
  double inside = 1 / total;  // x = 0
  int64_t k = 0;
  while (inside < 0.95) {
    ++k;
    inside += 2 * std::exp(-static_cast<double>(k) * static_cast<double>(k) / (2 * sigma2)) / total;
  }
  return k;
}

Result<int64_t> AddNoise(int64_t value, const NoiseParameters& noise, RandomBits& random) {
  int64_t x = 0;
  if (noise.mechanism == NoiseMechanism::kLaplace) {
    CR_ASSIGN_OR_RETURN(x, SampleDiscreteLaplace(noise.num, noise.den, random));
  } else {
    CR_ASSIGN_OR_RETURN(x, SampleDiscreteGaussian(noise.num, noise.den, random));
  }
  int64_t out = 0;
  if (__builtin_add_overflow(value, x, &out)) {
    return x > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return out;
}

Result<int64_t> PartitionThreshold(const Rational& epsilon, const Rational& delta,
                                   int64_t max_groups_per_unit, int64_t floor) {
  if (epsilon.num <= 0 || delta.num <= 0 || !(delta < Rational{1, 1}) || max_groups_per_unit < 1) {
    return Status::InvalidArgument(
        "differential privacy: partition selection needs epsilon above 0, delta between 0 and 1 "
        "(exclusive) and maxGroupsPerUnit of at least 1 (or a declared set of public groups)");
  }
  const double b = static_cast<double>(max_groups_per_unit) / epsilon.ToDouble();
  const double l0 = static_cast<double>(max_groups_per_unit);
  // One more than the ceiling, for the rounding of log in double.
  const double threshold = 2 + std::ceil(b * std::log(l0 / delta.ToDouble()));
  if (!(threshold < 1e15)) {
    return Status::InvalidArgument("differential privacy: the partition threshold is out of range");
  }
  return std::max(static_cast<int64_t>(threshold), floor);
}

}  // namespace cleanroom::privacy
