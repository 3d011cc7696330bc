#include "workload/options.h"

#include <cmath>
#include <string>

namespace cleanroom::workload {
namespace {

Status CheckShare(const char* field, double value) {
  if (!(value >= 0.0 && value <= 1.0)) {
    return Status::InvalidArgument(std::string("workload option ") + field +
                                   " must be between 0 and 1");
  }
  return Status::OK();
}

}  // namespace

Status WorkloadOptions::Validate() const {
  if (customers == 0 || customers > kMaxCustomers) {
    return Status::InvalidArgument("workload option customers must be between 1 and " +
                                   std::to_string(kMaxCustomers));
  }
  if (!(impressions_per_customer >= 0.0 && impressions_per_customer <= 1000.0)) {
    return Status::InvalidArgument(
        "workload option impressions_per_customer must be between 0 and 1000");
  }
  if (!(non_customers_per_customer >= 0.0 && non_customers_per_customer <= 10.0)) {
    return Status::InvalidArgument(
        "workload option non_customers_per_customer must be between 0 and 10");
  }
  CR_RETURN_IF_ERROR(CheckShare("overlap_share", overlap_share));
  CR_RETURN_IF_ERROR(CheckShare("non_customer_impression_share", non_customer_impression_share));
  CR_RETURN_IF_ERROR(CheckShare("conversion_rate", conversion_rate));
  CR_RETURN_IF_ERROR(CheckShare("organic_conversion_rate", organic_conversion_rate));
  if (campaigns == 0 || campaigns > 1'000'000) {
    return Status::InvalidArgument("workload option campaigns must be between 1 and 1000000");
  }
  if (threads > 1024)
    return Status::InvalidArgument("workload option threads must be at most 1024");
  return Status::OK();
}

uint64_t WorkloadOptions::ImpressionCount() const {
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(customers) * impressions_per_customer));
}

uint64_t WorkloadOptions::NonCustomerCount() const {
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(customers) * non_customers_per_customer));
}

}  // namespace cleanroom::workload
