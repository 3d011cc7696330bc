#pragma once
// Goodness-of-fit tests for the noise samplers' tests: Pearson's chi-square and the
// Kolmogorov-Smirnov test of an integer sample against a distribution given by its probability
// mass function on [-range, range] (the mass outside is below double precision for the scales
// tested). Floating point is fine here: this judges the sampler, it does not sample.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace cleanroom::privacy::testing {

// Q(a, x), the regularized upper incomplete gamma function (series below a + 1, continued
// fraction above, by the modified Lentz method).
inline double UpperIncompleteGamma(double a, double x) {
  if (x <= 0) return 1;
  const double log_prefix = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < 100000 && std::fabs(term) > std::fabs(sum) * 1e-16; ++n) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * std::exp(log_prefix);
  }
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-16) break;
  }
  return std::exp(log_prefix) * h;
}

// A pmf normalized over [-range, range].
inline std::vector<double> Normalized(const std::function<double(int64_t)>& weight, int64_t range) {
  std::vector<double> pmf(2 * range + 1);
  double total = 0;
  for (int64_t k = -range; k <= range; ++k) total += pmf[k + range] = weight(k);
  for (double& p : pmf) p /= total;
  return pmf;
}

// Pearson's chi-square p-value: values binned left to right until each bin expects at least 5
// draws (the remainder joins the last bin); draws outside the range join the end bins.
inline double ChiSquarePValue(const std::map<int64_t, int64_t>& counts,
                              const std::vector<double>& pmf, int64_t draws) {
  const int64_t range = (static_cast<int64_t>(pmf.size()) - 1) / 2;
  std::vector<double> expected, observed;
  double e = 0, o = 0;
  for (int64_t k = -range; k <= range; ++k) {
    e += draws * pmf[k + range];
    auto it = counts.find(k);
    o += it == counts.end() ? 0 : it->second;
    if (e >= 5) {
      expected.push_back(e);
      observed.push_back(o);
      e = o = 0;
    }
  }
  expected.back() += e;
  observed.back() += o;
  for (const auto& [value, count] : counts) {
    if (value < -range) observed.front() += count;
    if (value > range) observed.back() += count;
  }
  double statistic = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    statistic += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
  }
  const double freedom = static_cast<double>(expected.size()) - 1;
  return UpperIncompleteGamma(freedom / 2, statistic / 2);
}

// The Kolmogorov-Smirnov p-value of D = max |F_n(k) - F(k)| over integers k (the supremum over
// all reals for integer-valued distributions), with Stephens' correction. For a discrete
// distribution the Kolmogorov distribution is conservative: the true p-value is smaller, so a
// pass at the true scale is honest and the 30%-off rejections are understated.
inline double KolmogorovSmirnovPValue(const std::map<int64_t, int64_t>& counts,
                                      const std::vector<double>& pmf, int64_t draws) {
  const int64_t range = (static_cast<int64_t>(pmf.size()) - 1) / 2;
  int64_t below = 0;
  for (const auto& [value, count] : counts) {
    if (value < -range) below += count;
  }
  double cdf = 0, distance = 0;
  int64_t seen = below;
  for (int64_t k = -range; k <= range; ++k) {
    cdf += pmf[k + range];
    auto it = counts.find(k);
    seen += it == counts.end() ? 0 : it->second;
    distance = std::max(distance, std::fabs(static_cast<double>(seen) / draws - cdf));
  }
  const double root = std::sqrt(static_cast<double>(draws));
  const double lambda = (root + 0.12 + 0.11 / root) * distance;
  if (lambda < 0.3) return 1;  // Q_KS(0.3) > 0.99999; the series below needs lambda away from 0
  double p = 0;
  for (int j = 1; j <= 200; ++j) {
    p += 2 * ((j & 1) ? 1 : -1) * std::exp(-2.0 * j * j * lambda * lambda);
  }
  return std::clamp(p, 0.0, 1.0);
}

}  // namespace cleanroom::privacy::testing
