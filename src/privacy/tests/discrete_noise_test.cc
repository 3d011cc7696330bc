// The exact noise samplers against their probability mass functions: per-value frequency tests
// over 200,000 draws from a seeded source (reproducible), and the kernel source's basics.
#include "privacy/discrete_noise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace cleanroom::privacy {
namespace {

class SeededBits : public RandomBits {
 public:
  explicit SeededBits(uint64_t seed) : engine_(seed) {}
  uint64_t Next64() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

constexpr int kDraws = 200000;

// |observed - expected| within 6 standard deviations of a binomial count (plus one for tiny p).
void ExpectFrequency(int64_t observed, double p, const std::string& what) {
  double expected = kDraws * p;
  double sd = std::sqrt(kDraws * p * (1 - p));
  EXPECT_LE(std::fabs(observed - expected), 6 * sd + 1) << what << ": observed " << observed
                                                        << ", expected " << expected;
}

TEST(DiscreteNoise, BernoulliOfARatio) {
  SeededBits bits(1);
  int64_t hits = 0;
  for (int i = 0; i < kDraws; ++i) hits += SampleBernoulli(3, 7, bits);
  ExpectFrequency(hits, 3.0 / 7, "Bernoulli(3/7)");
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(SampleBernoulli(0, 5, bits));
    EXPECT_TRUE(SampleBernoulli(5, 5, bits));
  }
}

TEST(DiscreteNoise, BernoulliOfExpMinusX) {
  SeededBits bits(2);
  for (auto [num, den] : {std::pair{1, 3}, {1, 1}, {5, 2}, {7, 1}, {123456789, 100000000}}) {
    int64_t hits = 0;
    for (int i = 0; i < kDraws; ++i) hits += SampleBernoulliExp(num, den, bits);
    ExpectFrequency(hits, std::exp(-static_cast<double>(num) / den),
                    "exp(-" + std::to_string(num) + "/" + std::to_string(den) + ")");
  }
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(SampleBernoulliExp(0, 9, bits));
}

void ExpectMatchesPmf(const std::map<int64_t, int64_t>& counts, const std::map<int64_t, double>& pmf,
                      const std::string& what) {
  for (const auto& [value, p] : pmf) {
    if (p < 1e-4) continue;
    auto it = counts.find(value);
    ExpectFrequency(it == counts.end() ? 0 : it->second, p, what + " at " + std::to_string(value));
  }
}

TEST(DiscreteNoise, DiscreteLaplaceFollowsItsPmf) {
  SeededBits bits(3);
  for (auto [num, den] : {std::pair<uint64_t, uint64_t>{3, 2}, {10, 1}, {1, 4}}) {
    const double b = static_cast<double>(num) / den;
    const double q = std::exp(-1 / b);
    std::map<int64_t, double> pmf;
    for (int64_t k = -200; k <= 200; ++k) pmf[k] = (1 - q) / (1 + q) * std::pow(q, std::llabs(k));
    std::map<int64_t, int64_t> counts;
    double sum = 0, sum_squares = 0;
    for (int i = 0; i < kDraws; ++i) {
      auto x = SampleDiscreteLaplace(num, den, bits);
      ASSERT_TRUE(x.ok());
      ++counts[*x];
      sum += *x;
      sum_squares += static_cast<double>(*x) * *x;
    }
    const std::string what = "DLap(" + std::to_string(num) + "/" + std::to_string(den) + ")";
    ExpectMatchesPmf(counts, pmf, what);
    const double variance = 2 * q / ((1 - q) * (1 - q));
    EXPECT_NEAR(sum / kDraws, 0, 6 * std::sqrt(variance / kDraws)) << what;
    EXPECT_NEAR(sum_squares / kDraws, variance, 0.05 * variance + 0.01) << what;
  }
}

TEST(DiscreteNoise, DiscreteGaussianFollowsItsPmf) {
  SeededBits bits(4);
  for (auto [num, den] : {std::pair<uint64_t, uint64_t>{4, 1}, {25, 2}, {1, 3}}) {
    const double sigma2 = static_cast<double>(num) / den;
    std::map<int64_t, double> pmf;
    double total = 0;
    for (int64_t k = -400; k <= 400; ++k) total += pmf[k] = std::exp(-k * k / (2 * sigma2));
    double variance = 0;
    for (auto& [k, p] : pmf) {
      p /= total;
      variance += p * k * k;
    }
    std::map<int64_t, int64_t> counts;
    double sum_squares = 0;
    for (int i = 0; i < kDraws; ++i) {
      auto x = SampleDiscreteGaussian(num, den, bits);
      ASSERT_TRUE(x.ok());
      ++counts[*x];
      sum_squares += static_cast<double>(*x) * *x;
    }
    const std::string what = "DGauss(" + std::to_string(num) + "/" + std::to_string(den) + ")";
    ExpectMatchesPmf(counts, pmf, what);
    EXPECT_NEAR(sum_squares / kDraws, variance, 0.05 * variance + 0.01) << what;
  }
}

TEST(DiscreteNoise, ParametersOutOfRangeAreRefused) {
  SeededBits bits(5);
  EXPECT_EQ(SampleDiscreteLaplace(0, 1, bits).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SampleDiscreteLaplace(1, 0, bits).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SampleDiscreteLaplace((uint64_t{1} << 40) + 1, 1, bits).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SampleDiscreteGaussian(0, 1, bits).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SampleDiscreteGaussian(1, (uint64_t{1} << 24) + 1, bits).status().code(),
            StatusCode::kInvalidArgument);
  // The largest allowed parameters draw without overflow.
  EXPECT_TRUE(SampleDiscreteLaplace(uint64_t{1} << 40, 1, bits).ok());
  EXPECT_TRUE(SampleDiscreteGaussian(uint64_t{1} << 24, 1, bits).ok());
  EXPECT_TRUE(SampleDiscreteGaussian(1, uint64_t{1} << 24, bits).ok());
}

TEST(KernelRandomBits, UniformAndFresh) {
  KernelRandomBits bits;
  std::map<uint64_t, int64_t> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[bits.Uniform(6)];
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [value, count] : counts) ExpectFrequency(count, 1.0 / 6, "die face");
  KernelRandomBits other;
  EXPECT_NE(bits.Next64(), other.Next64());
}

}  // namespace
}  // namespace cleanroom::privacy
