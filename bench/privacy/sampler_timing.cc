// The noise samplers' draw time against the value drawn (issue 15, must-show 1: sampling time
// independent of the value). Draws from the kernel CSPRNG, times each draw with steady_clock and
// groups the times by the magnitude drawn; prints per group the count, median and mean in ns.
// Tests do not assert timing; this records it.
// usage: bench_privacy_sampler_timing [draws per distribution, default 200000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "privacy/discrete_noise.h"
#include "privacy/random_bits.h"

namespace {

using cleanroom::privacy::KernelRandomBits;

void Measure(const std::string& name, const std::vector<int64_t>& edges, int64_t draws,
             const std::function<int64_t(KernelRandomBits&)>& draw) {
  KernelRandomBits bits;
  std::vector<std::vector<double>> times(edges.size() + 1);
  for (int64_t i = 0; i < 2000; ++i) draw(bits);  // warm up
  for (int64_t i = 0; i < draws; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const int64_t value = draw(bits);
    const auto end = std::chrono::steady_clock::now();
    const int64_t magnitude = std::llabs(value);
    size_t bucket = 0;
    while (bucket < edges.size() && magnitude >= edges[bucket]) ++bucket;
    times[bucket].push_back(std::chrono::duration<double, std::nano>(end - start).count());
  }
  std::printf("%s\n  %-14s %9s %10s %10s\n", name.c_str(), "|value|", "draws", "median_ns",
              "mean_ns");
  for (size_t b = 0; b < times.size(); ++b) {
    auto& t = times[b];
    if (t.empty()) continue;
    std::sort(t.begin(), t.end());
    double mean = 0;
    for (double x : t) mean += x;
    mean /= static_cast<double>(t.size());
    const std::string low = b == 0 ? "0" : std::to_string(edges[b - 1]);
    const std::string range =
        b == edges.size() ? ">= " + low : low + ".." + std::to_string(edges[b] - 1);
    std::printf("  %-14s %9zu %10.0f %10.0f\n", range.c_str(), t.size(), t[t.size() / 2], mean);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t draws = argc > 1 ? std::atoll(argv[1]) : 200000;
  using cleanroom::privacy::SampleDiscreteGaussian;
  using cleanroom::privacy::SampleDiscreteLaplace;
  Measure("discrete Laplace, scale 10", {1, 5, 15, 30, 60}, draws,
          [](KernelRandomBits& b) { return *SampleDiscreteLaplace(10, 1, b); });
  Measure("discrete Laplace, scale 1000/7", {10, 100, 300, 600}, draws,
          [](KernelRandomBits& b) { return *SampleDiscreteLaplace(1000, 7, b); });
  Measure("discrete Gaussian, sigma^2 = 100", {1, 5, 10, 20, 30}, draws,
          [](KernelRandomBits& b) { return *SampleDiscreteGaussian(100, 1, b); });
  return 0;
}
