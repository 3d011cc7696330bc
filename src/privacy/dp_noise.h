#pragma once

#include <cstdint>

#include "base/status.h"
#include "privacy/dp_settings.h"
#include "privacy/exact_rational.h"
#include "privacy/random_bits.h"

namespace cleanroom::privacy {

// The C++ side of a released differentially private cell (issue 15; docs/differential-privacy.md
// "Noise and intervals"): the mechanism's exact parameter for an epsilon share (or a zCDP rho)
// and an integer sensitivity, the noise added with the exact samplers (never in SQL), the 95%
// interval of the noise, and the partition-selection threshold. Values are integers: counts, or
// sums in fixed-point units of their column's resolution.

struct NoiseParameters {
  NoiseMechanism mechanism = NoiseMechanism::kLaplace;
  // Laplace: the scale b = num / den. Gaussian: sigma^2 = num / den. Within the samplers' bounds.
  uint64_t num = 1;
  uint64_t den = 1;
};

// Discrete Laplace for epsilon-DP of a query whose value moves by at most `l1` (integer) when one
// unit's rows change: b = l1 / epsilon, rounded up (never less noise) when its parts exceed the
// sampler's 2^40. InvalidArgument when epsilon is 0 or l1 is 0 or above 2^40.
Result<NoiseParameters> LaplaceFor(const Rational& epsilon, uint64_t l1);

// Discrete Gaussian for rho-zCDP of a query with L2 sensitivity sqrt(l2_squared):
// sigma^2 = l2_squared / (2 rho), rounded up when its parts exceed the sampler's 2^24.
Result<NoiseParameters> GaussianFor(const Rational& rho, uint64_t l2_squared);

// The rho for which rho-zCDP implies (epsilon, delta)-DP: the largest rho with
// rho + 2 sqrt(rho ln(1/delta)) <= epsilon (Bun and Steinke 2016, proposition 1.3), computed in
// double and rounded down to a multiple of 2^-30 (so the guarantee holds with margin).
// InvalidArgument unless 0 < delta < 1 and epsilon > 0.
Result<Rational> ZcdpRhoFor(const Rational& epsilon, const Rational& delta);

// The half-width k of the noise's central 95% interval: the smallest k with P(|noise| > k) <= 5%.
// Computed in double for display (approvers and recipients read it; no guarantee rests on it).
int64_t NoiseInterval95(const NoiseParameters& noise);

// value + noise, saturated to the int64 range.
Result<int64_t> AddNoise(int64_t value, const NoiseParameters& noise, RandomBits& random);

// DP partition selection by a noisy unit count: a group whose count of distinct units plus
// discrete Laplace noise of scale L0 / epsilon reaches this threshold is released. A group held
// by one unit alone (each unit reaching at most L0 groups) is then released with probability at
// most delta / L0 per group, delta in all: T = 2 + ceil(b ln(L0 / delta)), b = L0 / epsilon (one
// above the bound, for the rounding of a logarithm in double).
// `floor` (an owner's minGroupUnits, applied to the noisy count) raises it.
Result<int64_t> PartitionThreshold(const Rational& epsilon, const Rational& delta,
                                   int64_t max_groups_per_unit, int64_t floor);

}  // namespace cleanroom::privacy
