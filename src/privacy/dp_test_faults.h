#pragma once

namespace cleanroom::privacy {

// Deliberate faults of the differentially private execution, for the end-to-end DP audit only
// (docs/differential-privacy.md "The audit"): the audit must show that it catches a broken
// mechanism. No product code sets them and no flag reaches them: only a test build's own source
// (src/cli/tests/dp_fault_hook.cc, linked into a test binary) calls SetDpTestFaults.
struct DpTestFaults {
  bool half_noise = false;   // every cell's and the partition count's noise at half its scale
  bool no_bounding = false;  // contribution bounding off (sensitivities unchanged)
};

// The faults in force (all off unless a test set them).
const DpTestFaults& CurrentDpTestFaults();
// REQUIRES: called from a test build, before any query runs.
void SetDpTestFaults(const DpTestFaults& faults);

}  // namespace cleanroom::privacy
