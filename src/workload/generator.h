#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "workload/options.h"

namespace cleanroom::workload {

// What a generation wrote.
struct WorkloadSummary {
  uint64_t customers = 0;
  uint64_t reachable_customers = 0;  // customers the publisher serves (the true overlap)
  uint64_t impressions = 0;
  uint64_t impressions_to_customers = 0;
  uint64_t conversions = 0;
  // As given: <dir>/<table>.csv for each table, their schema files, then the manifest.
  std::vector<std::string> files;
};

// Writes the three tables as CSV with a header line into `dir` (created if missing):
// customers.csv, impressions.csv, conversions.csv, each with <table>.schema.json (its declared
// schema, for `cleanroom sql --schema`), and workload.json (options and counts).
// Deterministic: the same options give the same bytes whatever `threads` is. Each file is
// written through a temporary name and renamed, so a failure leaves no partial table.
// Streams: memory is the persons' hashed emails plus a few chunks of rows per thread.
Result<WorkloadSummary> GenerateWorkload(const WorkloadOptions& options, const std::string& dir);

}  // namespace cleanroom::workload
