#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.h"

namespace cleanroom::workload {

// The knobs of the generated clean-room workload. The defaults are the benchmark's shape:
// ten impressions per customer, 70% of the advertiser's customers reachable by the publisher,
// a quarter of impressions served to people who are not customers.
struct WorkloadOptions {
  uint64_t customers = 1'000'000;
  uint64_t seed = 42;
  // Impressions written = round(customers * impressions_per_customer).
  double impressions_per_customer = 10.0;
  // Share of the advertiser's customers that the publisher also serves (the overlap).
  double overlap_share = 0.7;
  // The publisher's audience that is not among the customers, relative to `customers`.
  double non_customers_per_customer = 0.5;
  // Share of impressions served to that non-customer audience.
  double non_customer_impression_share = 0.25;
  // Probability that an impression leads to a conversion of the same person and campaign.
  double conversion_rate = 0.02;
  // Conversions with no impression behind them, per impression (anyone, any campaign).
  double organic_conversion_rate = 0.004;
  uint32_t campaigns = 40;
  // Worker threads; 0 means one per hardware thread. The output does not depend on it.
  size_t threads = 0;

  // InvalidArgument naming the first field out of range.
  Status Validate() const;

  uint64_t ImpressionCount() const;
  uint64_t NonCustomerCount() const;
};

// Upper bound on `customers`: the generator keeps every person's hashed email in memory
// (64 bytes each).
inline constexpr uint64_t kMaxCustomers = 50'000'000;

}  // namespace cleanroom::workload
