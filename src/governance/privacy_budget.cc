#include "governance/privacy_budget.h"

#include <algorithm>

#include "privacy/dataset_document.h"
#include "privacy/dp_noise.h"

namespace cleanroom::governance {
namespace {

using privacy::Rational;

// An exact non-negative rational with 128-bit parts, in lowest terms: sums of decimal epsilons
// (denominators 2^a 5^b, each at most 2^40) and of rhos (multiples of 2^-30) stay far below
// 2^127 for any number of runs a collaboration holds; an overflow is refused, never wrapped.
struct Exact {
  unsigned __int128 num = 0;
  unsigned __int128 den = 1;
};

constexpr unsigned __int128 kLimit = static_cast<unsigned __int128>(1) << 126;

Result<unsigned __int128> Multiply(unsigned __int128 a, unsigned __int128 b) {
  if (a != 0 && b > kLimit / a) return Status::Internal("privacy budget: arithmetic overflow");
  return a * b;
}

Exact Reduced(unsigned __int128 num, unsigned __int128 den) {
  unsigned __int128 g = privacy::GreatestCommonDivisor(num, den);
  if (g == 0) return {0, 1};
  return {num / g, den / g};
}

Exact Of(const Rational& r) {
  return Reduced(static_cast<unsigned __int128>(r.num), static_cast<unsigned __int128>(r.den));
}

Result<Exact> Add(const Exact& a, const Exact& b) {
  CR_ASSIGN_OR_RETURN(unsigned __int128 left, Multiply(a.num, b.den));
  CR_ASSIGN_OR_RETURN(unsigned __int128 right, Multiply(b.num, a.den));
  CR_ASSIGN_OR_RETURN(unsigned __int128 den, Multiply(a.den, b.den));
  if (left > kLimit - right) return Status::Internal("privacy budget: arithmetic overflow");
  return Reduced(left + right, den);
}

// a <= b, exactly.
Result<bool> AtMost(const Exact& a, const Exact& b) {
  CR_ASSIGN_OR_RETURN(unsigned __int128 left, Multiply(a.num, b.den));
  CR_ASSIGN_OR_RETURN(unsigned __int128 right, Multiply(b.num, a.den));
  return left <= right;
}

// max(a - b, 0), exactly.
Result<Exact> Minus(const Exact& a, const Exact& b) {
  CR_ASSIGN_OR_RETURN(unsigned __int128 left, Multiply(a.num, b.den));
  CR_ASSIGN_OR_RETURN(unsigned __int128 right, Multiply(b.num, a.den));
  CR_ASSIGN_OR_RETURN(unsigned __int128 den, Multiply(a.den, b.den));
  if (left <= right) return Exact{0, 1};
  return Reduced(left - right, den);
}

// `x` as the samplers' Rational: exactly when its parts fit, else the largest multiple of 2^-40
// not above it (conservative for the zCDP conversion, which only grows with epsilon and delta).
Rational RoundedDown(const Exact& x) {
  constexpr unsigned __int128 kInt64Safe = static_cast<unsigned __int128>(1) << 62;
  if (x.num < kInt64Safe && x.den < kInt64Safe) {
    return Rational{static_cast<int64_t>(x.num), static_cast<int64_t>(x.den)};  // exact
  }
  unsigned __int128 whole = x.num / x.den;
  if (whole >= (static_cast<unsigned __int128>(1) << 22)) return Rational{int64_t{1} << 62, 1};
  // The fraction's first 40 bits by long division (the remainder stays below the denominator).
  unsigned __int128 remainder = x.num % x.den;
  uint64_t fraction = 0;
  for (int bit = 0; bit < 40; ++bit) {
    remainder *= 2;
    fraction <<= 1;
    if (remainder >= x.den) {
      remainder -= x.den;
      fraction |= 1;
    }
  }
  Exact r = Reduced((whole << 40) | fraction, static_cast<unsigned __int128>(1) << 40);
  return Rational{static_cast<int64_t>(r.num), static_cast<int64_t>(r.den)};
}

std::string Decimal(unsigned __int128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// "0.25", "2", or "1/3" when the denominator has a prime factor other than 2 and 5.
std::string Text(const Exact& x) {
  unsigned __int128 den = x.den;
  int twos = 0, fives = 0;
  while (den % 2 == 0) den /= 2, ++twos;
  while (den % 5 == 0) den /= 5, ++fives;
  int digits = std::max(twos, fives);
  if (den != 1 || digits > 38) return Decimal(x.num) + "/" + Decimal(x.den);
  std::string text = Decimal(x.num / x.den);
  if (digits == 0) return text;
  unsigned __int128 scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  // Exact: the denominator divides 10^digits, and the remainder is below it.
  std::string fraction = Decimal((x.num % x.den) * (scale / x.den));
  fraction.insert(0, static_cast<size_t>(digits) - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return fraction.empty() ? text : text + "." + fraction;
}

struct Sums {
  Exact epsilon;  // Laplace runs, sequential composition
  Exact delta;
  Exact rho;  // Gaussian runs, zCDP composition
};

Result<Sums> SumOf(const std::vector<BudgetCharge>& charges, const BudgetCharge* extra) {
  Sums s;
  auto add = [&s](const BudgetCharge& c) -> Status {
    if (c.refunded) return Status::OK();
    if (c.mechanism == privacy::NoiseMechanism::kGaussian) {
      CR_ASSIGN_OR_RETURN(s.rho, Add(s.rho, Of(c.rho)));
      return Status::OK();
    }
    CR_ASSIGN_OR_RETURN(s.epsilon, Add(s.epsilon, Of(c.epsilon)));
    CR_ASSIGN_OR_RETURN(s.delta, Add(s.delta, Of(c.delta)));
    return Status::OK();
  };
  for (const BudgetCharge& c : charges) CR_RETURN_IF_ERROR(add(c));
  if (extra != nullptr) CR_RETURN_IF_ERROR(add(*extra));
  return s;
}

// The rho the zCDP runs may spend in all beside Laplace sums `s`: 0 when the Laplace runs leave
// no delta (pure budgets cannot pay for Gaussian noise) or too little epsilon.
Result<Exact> RhoAllowed(const DatasetBudgetLimit& limit, const Sums& s) {
  CR_ASSIGN_OR_RETURN(Exact epsilon_left, Minus(Of(limit.epsilon), s.epsilon));
  CR_ASSIGN_OR_RETURN(Exact delta_left, Minus(Of(limit.delta), s.delta));
  if (epsilon_left.num == 0 || delta_left.num == 0) return Exact{0, 1};
  auto rho = privacy::ZcdpRhoFor(RoundedDown(epsilon_left), RoundedDown(delta_left));
  if (!rho.ok()) return Exact{0, 1};  // too little left to convert: nothing allowed
  return Of(*rho);
}

// Whether sums `s` keep to the rule under `limit`.
Result<bool> WithinBudget(const DatasetBudgetLimit& limit, const Sums& s) {
  CR_ASSIGN_OR_RETURN(bool epsilon_ok, AtMost(s.epsilon, Of(limit.epsilon)));
  CR_ASSIGN_OR_RETURN(bool delta_ok, AtMost(s.delta, Of(limit.delta)));
  if (!epsilon_ok || !delta_ok) return false;
  if (s.rho.num == 0) return true;
  CR_ASSIGN_OR_RETURN(Exact allowed, RhoAllowed(limit, s));
  return AtMost(s.rho, allowed);
}

}  // namespace

govwire::RunBudgetCharge BudgetCharge::ToWire() const {
  govwire::RunBudgetCharge out;
  out.dataset = dataset;
  out.version = version;
  out.mechanism = std::string(privacy::NoiseMechanismName(mechanism));
  out.epsilon = Text(Of(epsilon));
  out.delta = Text(Of(delta));
  if (mechanism == privacy::NoiseMechanism::kGaussian) out.rho = Text(Of(rho));
  return out;
}

Json BudgetCharge::ToJson() const {
  Json out = ToWire().ToJson();
  out["run"] = run;
  out["state"] = refunded ? "refunded" : "charged";
  out["seqno"] = seqno;
  if (refunded) out["refundSeqno"] = refund_seqno;
  return out;
}

Result<std::optional<DatasetBudgetLimit>> BudgetLimitOf(const Json& dataset_document) {
  CR_ASSIGN_OR_RETURN(privacy::DatasetPolicy policy,
                      privacy::PolicyOfDatasetDocument(dataset_document));
  if (!policy.differential_privacy) return std::optional<DatasetBudgetLimit>();
  return std::optional<DatasetBudgetLimit>(DatasetBudgetLimit{
      policy.differential_privacy->budget_epsilon, policy.differential_privacy->budget_delta});
}

Result<BudgetCharge> ChargeFor(const Json& query_privacy, const std::string& run,
                               const std::string& dataset, int64_t version) {
  CR_ASSIGN_OR_RETURN(std::optional<privacy::QueryDpSettings> settings,
                      privacy::ParseQueryDpSettings(query_privacy, "query", "privacy"));
  if (!settings) {
    return Status::FailedPrecondition("dataset '" + dataset +
                                      "' is read only by differentially private queries");
  }
  BudgetCharge charge;
  charge.run = run;
  charge.dataset = dataset;
  charge.version = version;
  charge.mechanism = settings->mechanism;
  charge.epsilon = settings->epsilon;
  charge.delta = settings->delta;
  if (charge.mechanism == privacy::NoiseMechanism::kGaussian) {
    CR_ASSIGN_OR_RETURN(charge.rho, privacy::ZcdpRhoFor(charge.epsilon, charge.delta));
  }
  return charge;
}

Status CheckCharge(const DatasetBudgetLimit& limit, const std::vector<BudgetCharge>& charges,
                   const BudgetCharge& charge) {
  CR_ASSIGN_OR_RETURN(Sums with, SumOf(charges, &charge));
  CR_ASSIGN_OR_RETURN(bool fits, WithinBudget(limit, with));
  if (fits) return Status::OK();
  CR_ASSIGN_OR_RETURN(BudgetStanding standing, StandingOf(limit, charges));
  std::string cost = "epsilon " + Text(Of(charge.epsilon)) + ", delta " + Text(Of(charge.delta));
  if (charge.mechanism == privacy::NoiseMechanism::kGaussian) {
    cost += " (rho " + Text(Of(charge.rho)) + " under zCDP)";
  }
  std::string message = "privacy budget of dataset '" + charge.dataset +
                        "' is insufficient for run " + charge.run + ": it costs " + cost +
                        "; budget epsilon " + Text(Of(limit.epsilon)) + ", delta " +
                        Text(Of(limit.delta)) + "; remaining epsilon " +
                        standing.epsilon_remaining + ", delta " + standing.delta_remaining;
  if (standing.rho_spent != "0" || charge.mechanism == privacy::NoiseMechanism::kGaussian) {
    message += ", rho " + standing.rho_remaining + " for Gaussian runs";
  }
  return Status::ResourceExhausted(message);
}

Result<BudgetStanding> StandingOf(const DatasetBudgetLimit& limit,
                                  const std::vector<BudgetCharge>& charges) {
  CR_ASSIGN_OR_RETURN(Sums s, SumOf(charges, nullptr));
  BudgetStanding out;
  out.epsilon_spent = Text(s.epsilon);
  out.delta_spent = Text(s.delta);
  out.rho_spent = Text(s.rho);
  CR_ASSIGN_OR_RETURN(Exact epsilon_left, Minus(Of(limit.epsilon), s.epsilon));
  CR_ASSIGN_OR_RETURN(Exact delta_left, Minus(Of(limit.delta), s.delta));
  out.epsilon_remaining = Text(epsilon_left);
  out.delta_remaining = Text(delta_left);
  CR_ASSIGN_OR_RETURN(Exact allowed, RhoAllowed(limit, s));
  CR_ASSIGN_OR_RETURN(Exact rho_left, Minus(allowed, s.rho));
  out.rho_remaining = Text(rho_left);
  return out;
}

}  // namespace cleanroom::governance
