// Linked only into the test binary cleanroom_dp_faults (never into cleanroom): the deliberately
// broken DP variants the end-to-end audit must catch, chosen by CLEANROOM_TEST_DP_FAULT
// ("half_noise" or "no_bounding") before main runs.
#include <cstdlib>
#include <string>

#include "privacy/dp_test_faults.h"

namespace {

struct FaultHook {
  FaultHook() {
    const char* fault = std::getenv("CLEANROOM_TEST_DP_FAULT");
    if (fault == nullptr) return;
    cleanroom::privacy::DpTestFaults faults;
    faults.half_noise = std::string(fault) == "half_noise";
    faults.no_bounding = std::string(fault) == "no_bounding";
    cleanroom::privacy::SetDpTestFaults(faults);
  }
};
const FaultHook hook;

}  // namespace
