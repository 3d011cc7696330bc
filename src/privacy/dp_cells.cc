// A released DP aggregate's value and 95% interval, computed in SQL from its noisy integers only
// (post-processing: no exact value is read). docs/differential-privacy.md "Results".
#include <cstdio>

#include "dp_internal.h"

namespace cleanroom::privacy::internal {
namespace {

// `digits` 17 for a value SQL computes with, 10 for one a reader sees.
std::string DoubleText(double v, int digits = 17) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  std::string text(buf);
  return text.find_first_of(".en") == std::string::npos ? text + ".0" : text;
}

std::string Cell(size_t c) { return "\"n\".\"n" + std::to_string(c) + "\""; }
std::string Plus(const std::string& x, int64_t k) {
  return "(" + x + " + " + std::to_string(k) + ")";
}
std::string Minus(const std::string& x, int64_t k) {
  return "(" + x + " - " + std::to_string(k) + ")";
}
std::string AtLeastOne(const std::string& x) { return "GREATEST(" + x + ", 1)"; }
std::string Clamp(const std::string& x, const std::string& lo, const std::string& hi) {
  return "LEAST(GREATEST(" + x + ", " + lo + "), " + hi + ")";
}

}  // namespace

const char* DpKindName(DpKind kind) {
  switch (kind) {
    case DpKind::kCountStar:
    case DpKind::kCountColumn:
      return "COUNT";
    case DpKind::kCountUnits:
      return "COUNT(DISTINCT unit)";
    case DpKind::kSum:
      return "SUM";
    case DpKind::kAvg:
      return "AVG";
    case DpKind::kVariance:
      return "VARIANCE";
    case DpKind::kStddev:
      return "STDDEV";
  }
  return "";
}

DpCellSql ReleasedCellSql(const DpAggregate& a, const std::string& type,
                          const std::vector<int64_t>& k) {
  DpCellSql out;
  const std::string n0 = Cell(a.cells[0]);
  const int64_t k0 = k[a.cells[0]];
  const double res = a.bounds.resolution.ToDouble();
  const std::string r = "(" + std::to_string(a.bounds.resolution.num) + ".0 / " +
                        std::to_string(a.bounds.resolution.den) + ".0)";
  const std::string lo = DoubleText(a.bounds.min.ToDouble());
  const std::string hi = DoubleText(a.bounds.max.ToDouble());
  if (a.kind == DpKind::kCountStar || a.kind == DpKind::kCountColumn ||
      a.kind == DpKind::kCountUnits) {
    out.value = "CAST(" + n0 + " AS " + type + ")";
    out.low = "GREATEST(" + Minus(n0, k0) + ", 0)";
    out.high = Plus(n0, k0);
    out.interval = "+-" + std::to_string(k0);
    return out;
  }
  if (a.kind == DpKind::kSum) {
    out.value = "TRY_CAST(" + n0 + " * " + r + " AS " + type + ")";
    out.low = Minus(n0, k0) + " * " + r;
    out.high = Plus(n0, k0) + " * " + r;
    out.interval = "+-" + DoubleText(static_cast<double>(k0) * res, 10);
    return out;
  }
  // AVG, VARIANCE, STDDEV: ratios of noisy sums and a noisy count (at least 1). Their interval is
  // the range over the cells' own 95% intervals (an approximation: each cell within its interval
  // holds with 95%, not all at once).
  const std::string n1 = Cell(a.cells[1]);
  const int64_t k1 = k[a.cells[1]];
  const std::string count = AtLeastOne(n1);
  const std::string count_low = AtLeastOne(Minus(n1, k1));
  const std::string count_high = AtLeastOne(Plus(n1, k1));
  const std::string sum_low = "(" + Minus(n0, k0) + " * " + r + ")";
  const std::string sum_high = "(" + Plus(n0, k0) + " * " + r + ")";
  if (a.kind == DpKind::kAvg) {
    out.value =
        "TRY_CAST(" + Clamp("(" + n0 + " * " + r + ") / " + count, lo, hi) + " AS " + type + ")";
    out.low = Clamp(
        "LEAST(" + sum_low + " / " + count_low + ", " + sum_low + " / " + count_high + ")", lo, hi);
    out.high = Clamp(
        "GREATEST(" + sum_high + " / " + count_low + ", " + sum_high + " / " + count_high + ")", lo,
        hi);
    out.interval = "sum +-" + DoubleText(static_cast<double>(k0) * res, 10) + ", count +-" +
                   std::to_string(k1) + " (the mean's interval follows the noisy count)";
    return out;
  }
  // Variance: E[x^2] - E[x]^2, clamped to [0, ((max - min) / 2)^2]; the sample form times
  // n / (n - 1).
  const std::string n2 = Cell(a.cells[2]);
  const int64_t k2 = k[a.cells[2]];
  const std::string r2 = "(" + r + " * " + r + ")";
  const std::string most = DoubleText((a.bounds.max.ToDouble() - a.bounds.min.ToDouble()) *
                                      (a.bounds.max.ToDouble() - a.bounds.min.ToDouble()) / 4);
  auto variance = [&](const std::string& squares, const std::string& sum_abs,
                      const std::string& n_squares, const std::string& n_mean) {
    std::string v = "(" + squares + " * " + r2 + " / " + n_squares + " - power(" + sum_abs + " * " +
                    r + " / " + n_mean + ", 2))";
    if (a.sample) v = "(" + v + " * " + n_squares + " / GREATEST(" + n_squares + " - 1, 1))";
    return Clamp(v, "0.0", most);
  };
  const std::string value = variance(n2, "abs(" + n0 + ")", count, count);
  // Smallest: fewest squares over most rows, the largest |sum| over fewest; largest: the reverse
  // (|sum| 0 when its interval holds 0).
  const std::string abs_most = "GREATEST(abs(" + Minus(n0, k0) + "), abs(" + Plus(n0, k0) + "))";
  const std::string abs_least = "CASE WHEN " + Minus(n0, k0) + " <= 0 AND " + Plus(n0, k0) +
                                " >= 0 THEN 0 ELSE LEAST(abs(" + Minus(n0, k0) + "), abs(" +
                                Plus(n0, k0) + ")) END";
  std::string low = variance(Minus(n2, k2), abs_most, count_high, count_low);
  std::string high = variance(Plus(n2, k2), abs_least, count_low, count_high);
  if (a.kind == DpKind::kStddev) {
    out.value = "TRY_CAST(sqrt(" + value + ") AS " + type + ")";
    out.low = "sqrt(" + low + ")";
    out.high = "sqrt(" + high + ")";
  } else {
    out.value = "TRY_CAST(" + value + " AS " + type + ")";
    out.low = low;
    out.high = high;
  }
  out.interval = "sum +-" + DoubleText(static_cast<double>(k0) * res, 10) + ", count +-" +
                 std::to_string(k1) + ", sum of squares +-" +
                 DoubleText(static_cast<double>(k2) * res * res, 10) +
                 " (the interval follows the noisy count)";
  return out;
}

}  // namespace cleanroom::privacy::internal
