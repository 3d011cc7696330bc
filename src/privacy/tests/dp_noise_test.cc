// A released DP cell's C++ side: calibration (exact, rounded towards more noise), the 95%
// interval against the noise's real coverage, the zCDP conversion, the partition threshold
// against how often a one-unit group is released.
#include "privacy/dp_noise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "privacy/tests/seeded_bits.h"

namespace cleanroom::privacy {
namespace {

using testing::SeededBits;

double Ratio(const NoiseParameters& p) { return static_cast<double>(p.num) / p.den; }

TEST(DpNoise, LaplaceScaleIsSensitivityOverEpsilonNeverLess) {
  auto p = LaplaceFor({1, 2}, 3);  // epsilon 1/2, sensitivity 3: b = 6
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->num, 6u);
  EXPECT_EQ(p->den, 1u);
  p = LaplaceFor({3, 7}, 4);  // b = 28/3
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->num, 28u);
  EXPECT_EQ(p->den, 3u);
  // Parts past 2^40 are coarsened upwards: the scale never shrinks.
  const Rational tiny{999999999989, 1000000000000};  // epsilon just below 1, parts above 2^39
  p = LaplaceFor(tiny, 1000003);
  ASSERT_TRUE(p.ok());
  EXPECT_LE(p->num, uint64_t{1} << 40);
  EXPECT_LE(p->den, uint64_t{1} << 40);
  EXPECT_GE(Ratio(*p), 1000003.0 / tiny.ToDouble());
  EXPECT_LT(Ratio(*p), 1000003.0 / tiny.ToDouble() * 1.0001);
  EXPECT_FALSE(LaplaceFor({0, 1}, 1).ok());
  EXPECT_FALSE(LaplaceFor({1, 1}, 0).ok());
  EXPECT_FALSE(LaplaceFor({1, 1000000}, uint64_t{1} << 30).ok());  // b = 2^30 * 10^6: too wide
}

TEST(DpNoise, GaussianAndZcdp) {
  auto rho = ZcdpRhoFor({1, 1}, {1, 1000000});
  ASSERT_TRUE(rho.ok());
  const double r = rho->ToDouble();
  const double l = std::log(1e6);
  EXPECT_LE(r + 2 * std::sqrt(r * l), 1.0);         // the guarantee holds
  EXPECT_GT(r + 2 * std::sqrt(r * l), 1.0 - 1e-6);  // and is not wasted
  auto p = GaussianFor({1, 8}, 4);                  // sigma^2 = 4 / (2 / 8) = 16
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mechanism, NoiseMechanism::kGaussian);
  EXPECT_EQ(Ratio(*p), 16.0);
  EXPECT_FALSE(ZcdpRhoFor({1, 1}, {0, 1}).ok());
  EXPECT_FALSE(GaussianFor({1, 1u << 30}, 1u << 20).ok());  // beyond the sampler
}

// The interval is the smallest k whose [-k, k] holds at least 95% of the noise: checked
// against 40,000 draws of the noise itself (coverage of k at least 94.5%, of k - 1 below 95.5%
// unless k = 0: each over four standard deviations from 95%).
TEST(DpNoise, IntervalCoversNinetyFivePercent) {
  SeededBits bits(11);
  for (const NoiseParameters& p : {NoiseParameters{NoiseMechanism::kLaplace, 6, 1},
                                   NoiseParameters{NoiseMechanism::kLaplace, 1, 3},
                                   NoiseParameters{NoiseMechanism::kGaussian, 16, 1},
                                   NoiseParameters{NoiseMechanism::kGaussian, 2500, 1}}) {
    const int64_t k = NoiseInterval95(p);
    int64_t inside = 0, inside_below = 0;
    constexpr int kDraws = 40000;
    for (int i = 0; i < kDraws; ++i) {
      auto x = AddNoise(0, p, bits);
      ASSERT_TRUE(x.ok());
      inside += std::llabs(*x) <= k;
      inside_below += std::llabs(*x) <= k - 1;
    }
    EXPECT_GE(inside, 0.945 * kDraws) << Ratio(p) << " k=" << k;
    if (k > 0) EXPECT_LT(inside_below, 0.955 * kDraws) << Ratio(p) << " k=" << k;
  }
  // Laplace of scale 6: P(|X| > k) = 2 q^(k+1) / (1 + q), q = e^(-1/6), first drops to 5% at
  // k = 18.
  EXPECT_EQ(NoiseInterval95({NoiseMechanism::kLaplace, 6, 1}), 18);
}

TEST(DpNoise, AddNoiseSaturates) {
  SeededBits bits(12);
  const NoiseParameters wide{NoiseMechanism::kLaplace, 1000, 1};
  bool low = false, high = false;
  for (int i = 0; i < 200 && !(low && high); ++i) {
    auto a = AddNoise(INT64_MAX, wide, bits);
    auto b = AddNoise(INT64_MIN, wide, bits);
    ASSERT_TRUE(a.ok() && b.ok());
    high |= *a == INT64_MAX;
    low |= *b == INT64_MIN;
  }
  EXPECT_TRUE(low && high);
}

// A group that one unit alone creates is released with probability at most delta / L0: checked
// at a delta large enough to count (0.05, L0 = 2), 200,000 trials, against the noise the
// threshold is meant for (Laplace of scale L0 / epsilon).
TEST(DpNoise, PartitionThresholdBoundsTheReleaseOfAOneUnitGroup) {
  const Rational epsilon{1, 1};
  const Rational delta{1, 20};
  auto threshold = PartitionThreshold(epsilon, delta, 2, 0);
  ASSERT_TRUE(threshold.ok());
  auto noise = LaplaceFor(epsilon, 2);
  ASSERT_TRUE(noise.ok());
  SeededBits bits(13);
  int64_t released = 0;
  constexpr int kTrials = 200000;
  for (int i = 0; i < kTrials; ++i) {
    auto noisy = AddNoise(1, *noise, bits);
    ASSERT_TRUE(noisy.ok());
    released += *noisy >= *threshold;
  }
  EXPECT_LE(released, kTrials * (0.05 / 2)) << "threshold " << *threshold;
  // Not absurdly high: a group of 3 thresholds' worth of units is released almost always.
  int64_t big = 0;
  for (int i = 0; i < 1000; ++i) big += *AddNoise(3 * *threshold, *noise, bits) >= *threshold;
  EXPECT_GT(big, 990);
  // An owner's floor applies to the noisy count: it raises the threshold, never lowers it.
  EXPECT_EQ(*PartitionThreshold(epsilon, delta, 2, 1000), 1000);
  EXPECT_EQ(*PartitionThreshold(epsilon, delta, 2, 1), *threshold);
  EXPECT_FALSE(PartitionThreshold(epsilon, {0, 1}, 2, 0).ok());
  EXPECT_FALSE(PartitionThreshold(epsilon, delta, 0, 0).ok());
}

}  // namespace
}  // namespace cleanroom::privacy
