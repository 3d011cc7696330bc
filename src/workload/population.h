#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "workload/options.h"

namespace cleanroom::workload {

// The synthetic email of person `person` for `seed`: "first.last<person>@domain", lower case.
// Persons [0, customers) are the advertiser's customers; the rest are the publisher's other
// audience. Unique per person.
std::string SyntheticEmail(uint64_t seed, uint64_t person);

// The join key shared by every party: lower-case hex of SHA-256 of the trimmed, lower-cased
// email (64 characters). Stable: the same email always gives the same key.
std::string HashEmail(std::string_view email);

// Every person of the workload with their hashed email, and the customers the publisher
// reaches. Built once per generation (in parallel); read-only afterwards, so thread-safe.
class Population {
 public:
  // REQUIRES: options.Validate() is OK.
  static Population Build(const WorkloadOptions& options, ThreadPool& pool);

  uint64_t customers() const { return customers_; }
  uint64_t non_customers() const { return non_customers_; }
  uint64_t persons() const { return customers_ + non_customers_; }

  // The 64 hex characters of person `person`'s hashed email. REQUIRES: person < persons().
  std::string_view HashedEmail(uint64_t person) const {
    return std::string_view(hashed_emails_.data() + person * kHexLength, kHexLength);
  }
  // Indices of the customers the publisher also serves, ascending.
  const std::vector<uint32_t>& reachable_customers() const { return reachable_customers_; }

  static constexpr size_t kHexLength = 64;

 private:
  uint64_t customers_ = 0;
  uint64_t non_customers_ = 0;
  std::string hashed_emails_;  // persons() * kHexLength characters
  std::vector<uint32_t> reachable_customers_;
};

}  // namespace cleanroom::workload
