// The end-to-end DP audit (issue 15, "What it must show" 2; docs/differential-privacy.md "The
// audit"): neighbouring inputs D and D' that differ by one unit, the same DP query run many times
// through `cleanroom sql --policy` on each, and a Clopper-Pearson lower bound on the epsilon the
// runs achieve. It must not exceed the claimed epsilon for the product binary, and it must exceed
// it for the test build's deliberately broken variants (noise at half scale, bounding off).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr double kClaimedEpsilon = 1.0;
constexpr int kBaseUnits = 20;  // D: 20 units, one row each; D' adds one unit with 50 rows
// Events {count >= t}, fixed before any run: t = 21 catches too little noise, t = 25 too much
// contribution. Each bound is at confidence 1 - kAlpha / 2 per side and threshold (Bonferroni).
const int kThresholds[] = {kBaseUnits + 1, kBaseUnits + 5};
constexpr double kAlpha = 1e-4;

// Runs per input (D and D'): 300 by default, CLEANROOM_DP_AUDIT_RUNS to change it. Bounding off is
// flagged by a wide margin with far fewer.
int Runs(int default_runs) {
  const char* env = std::getenv("CLEANROOM_DP_AUDIT_RUNS");
  return env != nullptr ? std::atoi(env) : default_runs;
}

// log of the binomial probability mass, for the Clopper-Pearson bounds.
double BinomialTail(int n, int k, double p, bool upper) {  // P(X >= k) or P(X <= k)
  double sum = 0;
  for (int i = upper ? k : 0; i <= (upper ? n : k); ++i) {
    sum += std::exp(std::lgamma(n + 1) - std::lgamma(i + 1) - std::lgamma(n - i + 1) +
                    i * std::log(p) + (n - i) * std::log1p(-p));
  }
  return sum;
}

// One-sided Clopper-Pearson bound of a binomial proportion at level `alpha`.
double ClopperPearson(int n, int k, double alpha, bool lower) {
  if (lower && k == 0) return 0;
  if (!lower && k == n) return 1;
  double lo = 0, hi = 1;
  for (int step = 0; step < 100; ++step) {
    double mid = (lo + hi) / 2;
    // lower: the p with P(X >= k | p) = alpha; upper: the p with P(X <= k | p) = alpha.
    double tail = BinomialTail(n, k, mid, lower);
    if (lower == (tail < alpha)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lower ? lo : hi;
}

class DpAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cleanroom-dpaudit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string d = "person,region,spend\n";
    for (int i = 0; i < kBaseUnits; ++i) d += "p" + std::to_string(i) + ",north,1\n";
    std::string d_prime = d;
    for (int i = 0; i < 50; ++i) d_prime += "target,north,1\n";
    Write(dir_ + "/d.csv", d);
    Write(dir_ + "/d_prime.csv", d_prime);
    Write(dir_ + "/policy.json", R"({
      "datasets": {"visits": {"privacyUnit": "person",
        "differentialPrivacy": {"maxGroupsPerUnit": 1, "maxRowsPerUnitPerGroup": 1,
                                "budget": {"epsilon": 1000}}}},
      "privacy": {"epsilon": 1}})");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  // The released counts of `runs` runs of the query over `table` by `binary`.
  std::vector<int> Counts(const std::string& binary, const std::string& fault,
                          const std::string& table, int runs) {
    std::vector<int> out;
    const std::string env = fault.empty() ? "" : "CLEANROOM_TEST_DP_FAULT=" + fault + " ";
    for (int i = 0; i < runs; ++i) {
      // A fresh ledger every 500 runs (the dataset's budget is 1000, each run spends 1).
      const std::string budget = dir_ + "/budget" + std::to_string(i / 500) + "_" + table;
      const std::string out_file = dir_ + "/out.csv";
      const std::string command = env + binary + " sql --table visits=" + dir_ + "/" + table +
                                  ".csv --policy " + dir_ + "/policy.json --budget-file " + budget +
                                  " --output-format csv \"SELECT COUNT(*) AS n FROM "
                                  "visits\" >" +
                                  out_file + " 2>/dev/null";
      if (std::system(command.c_str()) != 0) {
        ADD_FAILURE() << "run failed: " << command;
        return out;
      }
      std::ifstream in(out_file);
      std::string header, row;
      std::getline(in, header);
      std::getline(in, row);
      EXPECT_EQ(header.rfind("n,", 0), 0u) << header;
      out.push_back(std::atoi(row.c_str()));
    }
    return out;
  }

  // The largest lower bound on epsilon over the fixed events.
  double EpsilonLowerBound(const std::string& binary, const std::string& fault,
                           int default_runs = 300) {
    const int runs = Runs(default_runs);
    std::vector<int> d = Counts(binary, fault, "d", runs);
    std::vector<int> d_prime = Counts(binary, fault, "d_prime", runs);
    double best = 0;
    const double alpha = kAlpha / 2 / static_cast<double>(std::size(kThresholds));
    for (int t : kThresholds) {
      int hits = 0, hits_prime = 0;
      for (int c : d) hits += c >= t ? 1 : 0;
      for (int c : d_prime) hits_prime += c >= t ? 1 : 0;
      const double p_low = ClopperPearson(runs, hits_prime, alpha, true);
      const double q_high = ClopperPearson(runs, hits, alpha, false);
      // The complementary event bounds epsilon the other way round.
      const double p_low_c = ClopperPearson(runs, runs - hits, alpha, true);
      const double q_high_c = ClopperPearson(runs, runs - hits_prime, alpha, false);
      if (p_low > 0) best = std::max(best, std::log(p_low / q_high));
      if (p_low_c > 0) best = std::max(best, std::log(p_low_c / q_high_c));
      std::printf("%s%s t=%d: D %d/%d, D' %d/%d\n", fault.empty() ? "product" : "fault ",
                  fault.c_str(), t, hits, runs, hits_prime, runs);
    }
    std::printf("epsilon lower bound %.3f (claimed %.1f)\n", best, kClaimedEpsilon);
    return best;
  }

  std::string dir_;
};

TEST_F(DpAudit, TheProductAchievesNoMoreThanTheClaimedEpsilon) {
  EXPECT_LE(EpsilonLowerBound(CLEANROOM_BINARY, ""), kClaimedEpsilon);
}

TEST_F(DpAudit, NoiseAtHalfScaleIsFlagged) {
  EXPECT_GT(EpsilonLowerBound(CLEANROOM_FAULTS_BINARY, "half_noise"), kClaimedEpsilon);
}

TEST_F(DpAudit, BoundingOffIsFlagged) {
  EXPECT_GT(EpsilonLowerBound(CLEANROOM_FAULTS_BINARY, "no_bounding", 100), kClaimedEpsilon);
}

// The faults are reachable only from the test build: the product binary does not hold the hook
// (its variable name), the test build does.
TEST_F(DpAudit, TheProductHasNoFaultSwitch) {
  auto holds = [](const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return bytes.find("CLEANROOM_TEST_DP_FAULT") != std::string::npos;
  };
  EXPECT_FALSE(holds(CLEANROOM_BINARY));
  EXPECT_TRUE(holds(CLEANROOM_FAULTS_BINARY));
}

}  // namespace
