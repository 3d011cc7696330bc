// The local budget file of `cleanroom sql --policy --budget-file` (local_budget.h).
#include "privacy/local_budget.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "privacy/exact_rational.h"

namespace cleanroom::privacy {
namespace {

using i128 = __int128;

// An exact non-negative rational whose parts fit in int64 (the ledger's values).
struct Amount {
  i128 num = 0;
  i128 den = 1;
};

Result<Amount> Make(i128 num, i128 den) {
  if (den <= 0 || num < 0) return Status::Internal("budget accounting: a negative amount");
  i128 a = num, b = den;
  while (b != 0) {
    i128 r = a % b;
    a = b;
    b = r;
  }
  if (a > 1) {
    num /= a;
    den /= a;
  }
  constexpr i128 kMax = static_cast<i128>(INT64_MAX);
  if (num > kMax || den > kMax) {
    return Status::ResourceExhausted(
        "privacy budget: the exact total no longer fits the ledger (numerator or denominator "
        "above 2^63); start a new budget file");
  }
  return Amount{num, den};
}

Result<Amount> Plus(const Amount& a, const Amount& b, bool subtract) {
  i128 n = a.num * b.den + (subtract ? -1 : 1) * b.num * a.den;
  if (n < 0) n = 0;  // a refund never takes a total below zero
  return Make(n, a.den * b.den);
}

bool AtMost(const Amount& a, const Amount& b) { return a.num * b.den <= b.num * a.den; }

std::string Text(const Amount& a) {
  Rational r{static_cast<int64_t>(a.num), static_cast<int64_t>(a.den)};
  return r.ToString();
}

Amount Of(const Rational& r) { return Amount{r.num, r.den}; }

Status Malformed() {
  return Status::DataLoss(
      "privacy budget: the budget file is not a budget ledger ({\"datasets\": {NAME: "
      "{\"epsilon\": [num, den], \"delta\": [num, den], \"runs\": N}}})");
}

Result<Amount> ReadAmount(const nlohmann::json& entry, const char* field) {
  if (!entry.contains(field)) return Amount{};
  const nlohmann::json& v = entry[field];
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer()) {
    return Malformed();
  }
  const int64_t num = v[0].get<int64_t>(), den = v[1].get<int64_t>();
  if (num < 0 || den <= 0) return Malformed();
  return Make(num, den);
}

// An exclusive lock on PATH.lock for one read-modify-write of the ledger.
class LedgerLock {
 public:
  Status Acquire(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) return Status::InvalidArgument("privacy budget: cannot lock the budget file");
    if (::flock(fd_, LOCK_EX) != 0) return Status::Internal("privacy budget: lock failed");
    return Status::OK();
  }
  ~LedgerLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  int fd_ = -1;
};

Status Apply(const std::string& path, const PolicyFile& policies,
             const std::vector<std::string>& datasets, bool refund) {
  if (!policies.privacy.has_value()) return Status::OK();
  LedgerLock lock;
  CR_RETURN_IF_ERROR(lock.Acquire(path));
  nlohmann::json ledger = {{"datasets", nlohmann::json::object()}};
  auto text = ReadFileToString(path);
  if (text.ok()) {
    ledger = nlohmann::json::parse(*text, nullptr, false);
    if (ledger.is_discarded() || !ledger.is_object() || !ledger.contains("datasets") ||
        !ledger["datasets"].is_object()) {
      return Malformed();
    }
  } else if (text.status().code() != StatusCode::kNotFound) {
    return Status::InvalidArgument("privacy budget: cannot read the budget file");
  }
  const Amount epsilon = Of(policies.privacy->epsilon);
  const Amount delta = Of(policies.privacy->delta);
  for (const std::string& dataset : datasets) {
    auto policy = policies.datasets.find(dataset);
    if (policy == policies.datasets.end() || !policy->second.differential_privacy.has_value()) {
      return Status::Internal("privacy budget: a charged dataset has no differentialPrivacy");
    }
    const DatasetDpBounds& dp = *policy->second.differential_privacy;
    nlohmann::json& entry = ledger["datasets"][dataset];
    if (entry.is_null()) entry = nlohmann::json::object();
    if (!entry.is_object()) return Malformed();
    CR_ASSIGN_OR_RETURN(Amount spent_epsilon, ReadAmount(entry, "epsilon"));
    CR_ASSIGN_OR_RETURN(Amount spent_delta, ReadAmount(entry, "delta"));
    CR_ASSIGN_OR_RETURN(Amount new_epsilon, Plus(spent_epsilon, epsilon, refund));
    CR_ASSIGN_OR_RETURN(Amount new_delta, Plus(spent_delta, delta, refund));
    const Amount total_epsilon = Of(dp.budget_epsilon), total_delta = Of(dp.budget_delta);
    if (!refund && (!AtMost(new_epsilon, total_epsilon) || !AtMost(new_delta, total_delta))) {
      CR_ASSIGN_OR_RETURN(Amount left_epsilon, Plus(total_epsilon, spent_epsilon, true));
      CR_ASSIGN_OR_RETURN(Amount left_delta, Plus(total_delta, spent_delta, true));
      return Status::ResourceExhausted(
          "privacy budget of dataset " + dataset + " would be overspent: the query needs epsilon " +
          Text(epsilon) + ", delta " + Text(delta) + "; remaining epsilon " + Text(left_epsilon) +
          ", delta " + Text(left_delta) + " (of epsilon " + Text(total_epsilon) + ", delta " +
          Text(total_delta) + ")");
    }
    if (entry.contains("runs") && !entry["runs"].is_number_integer()) return Malformed();
    const int64_t runs = entry.contains("runs") ? entry["runs"].get<int64_t>() : 0;
    entry["epsilon"] = {static_cast<int64_t>(new_epsilon.num),
                        static_cast<int64_t>(new_epsilon.den)};
    entry["delta"] = {static_cast<int64_t>(new_delta.num), static_cast<int64_t>(new_delta.den)};
    entry["runs"] = refund ? std::max<int64_t>(runs - 1, 0) : runs + 1;
  }
  return WriteFileAtomic(path, ledger.dump(2) + "\n", 0600);
}

}  // namespace

Status ChargeLocalBudget(const std::string& path, const PolicyFile& policies,
                         const std::vector<std::string>& datasets) {
  return Apply(path, policies, datasets, false);
}

Status RefundLocalBudget(const std::string& path, const PolicyFile& policies,
                         const std::vector<std::string>& datasets) {
  return Apply(path, policies, datasets, true);
}

}  // namespace cleanroom::privacy
