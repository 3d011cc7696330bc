// Exact decimal division with Spark's result type, in DuckDB's 128-bit integers.
#include "sql/emitter/emitter_internal.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {
namespace {

constexpr int kMaxDigits = 38;  // DuckDB's HUGEINT holds every 38-digit integer

std::string PowerOfTen(int exponent) {
  return "CAST('1" + std::string(exponent, '0') + "' AS HUGEINT)";
}

// The unscaled integer of `sql` at `scale` digits: DuckDB writes a DECIMAL(38, scale) with
// exactly `scale` fraction digits, so dropping the point gives it.
std::string Unscaled(const std::string& sql, int scale) {
  return "CAST(replace(CAST(CAST(" + sql + " AS DECIMAL(38," + std::to_string(scale) +
         ")) AS VARCHAR), '.', '') AS HUGEINT)";
}

}  // namespace

std::optional<std::string> ExactDecimalDivision(const DataType& left, const DataType& right,
                                                const DataType& result, const std::string& dividend,
                                                const std::string& divisor,
                                                const std::string& double_path) {
  DataType a = DecimalForIntegral(left);
  DataType b = DecimalForIntegral(right);
  if (a.id != TypeId::kDecimal || b.id != TypeId::kDecimal || result.id != TypeId::kDecimal) {
    return std::nullopt;
  }
  // quotient * 10^scale = A * 10^k / B with A, B the unscaled operands, by long division in
  // two steps so that no intermediate exceeds |B| * 10^k: A = Q1 * B + R1, then
  // R1 * 10^k = Q2 * B + R2 (DuckDB's // and % truncate toward zero, keeping A's sign).
  int k = result.scale - a.scale + b.scale;
  if (k < 0 || k > kMaxDigits || a.precision > kMaxDigits || b.precision > kMaxDigits) {
    return std::nullopt;
  }
  std::string numerator = Unscaled(dividend, a.scale);
  std::string denominator = Unscaled(divisor, b.scale);
  std::string scale_up = PowerOfTen(k);
  std::string first_remainder = "(" + numerator + " % " + denominator + ")";
  std::string shifted = "(" + first_remainder + " * " + scale_up + ")";
  std::string quotient = "((" + numerator + " // " + denominator + ") * " + scale_up + " + " +
                         shifted + " // " + denominator + ")";
  std::string remainder = "(" + shifted + " % " + denominator + ")";
  // Half-up, away from zero: |R2| >= |B| - |R2| (no doubling, which could overflow).
  std::string rounded = "(" + quotient + " + CASE WHEN abs(" + remainder + ") >= abs(" +
                        denominator + ") - abs(" + remainder + ") THEN sign(" + numerator +
                        ") * sign(" + denominator + ") ELSE 0 END)";
  std::string value = "CAST(" + rounded + " AS DECIMAL(38,0))";
  if (result.scale > 0) {
    value += " * CAST('0." + std::string(result.scale - 1, '0') + "1' AS DECIMAL(" +
             std::to_string(result.scale) + "," + std::to_string(result.scale) + "))";
  }
  std::string exact = "CAST(" + value + " AS " + result.ToDuckDb() + ")";
  if (b.precision + k <= kMaxDigits) return exact;
  // A wider declared divisor: exact for the values whose remainder times 10^k fits, else double.
  return "CASE WHEN abs(" + denominator + ") < " + PowerOfTen(kMaxDigits - k) + " THEN " + exact +
         " ELSE " + double_path + " END";
}

}  // namespace cleanroom::sql
