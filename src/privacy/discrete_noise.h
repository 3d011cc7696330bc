#pragma once

#include <cstdint>

#include "base/status.h"
#include "privacy/random_bits.h"

namespace cleanroom::privacy {

// Exact samplers for differential privacy's integer noise (Canonne, Kamath and Steinke, "The
// Discrete Gaussian for Differential Privacy", 2020, algorithms 1 to 3): every probability is a
// ratio of integers, decided by comparing uniform integers, with no floating point anywhere, so
// the output distribution is the mathematical one (the only departure: a discrete Gaussian draw
// more than 2^27 from zero for sigma <= 4097, whose probability is below 2^-600000000, is
// rejected outright). Parameters are rationals num/den; their bounds keep every intermediate in
// 128 bits. The work of a draw does not depend on the value drawn: every loop whose length would
// is padded to a fixed number of rounds (run past them only with probability below 2^-64 per
// draw), and rejection rounds, whose number is independent of the value accepted, each do the
// same work; docs/differential-privacy.md ("Timing") and bench/privacy/sampler_timing.cc.

// True with probability num/den. REQUIRES: 0 <= num <= den, den > 0.
bool SampleBernoulli(unsigned __int128 num, unsigned __int128 den, RandomBits& random);

// True with probability exp(-num/den). REQUIRES: den > 0.
bool SampleBernoulliExp(unsigned __int128 num, unsigned __int128 den, RandomBits& random);

// The discrete Laplace distribution with scale b = scale_num / scale_den:
// P(x) proportional to exp(-|x| / b) for every integer x. Pure epsilon-DP for a query of integer
// sensitivity D with b = D / epsilon. InvalidArgument unless 1 <= scale_num, scale_den <= 2^40.
Result<int64_t> SampleDiscreteLaplace(uint64_t scale_num, uint64_t scale_den, RandomBits& random);

// The discrete Gaussian with variance parameter sigma^2 = var_num / var_den:
// P(x) proportional to exp(-x^2 / (2 sigma^2)). rho-zCDP for integer sensitivity D with
// sigma^2 = D^2 / (2 rho). InvalidArgument unless 1 <= var_num, var_den <= 2^24.
Result<int64_t> SampleDiscreteGaussian(uint64_t var_num, uint64_t var_den, RandomBits& random);

}  // namespace cleanroom::privacy
