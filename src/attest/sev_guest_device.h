#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

inline constexpr char kSevGuestDevice[] = "/dev/sev-guest";

// True when `device` exists (this process runs in an AMD SEV-SNP guest with the sev-guest driver).
bool SevGuestDeviceExists(const std::string& device = kSevGuestDevice);

// Asks the AMD secure processor for an attestation report through the SNP_GET_REPORT ioctl of
// the Linux sev-guest driver, with `report_data` (64 bytes) and `vmpl`. Returns the 1184-byte
// report. Unavailable when the device does not exist (not an SNP guest) or the firmware
// refuses; InvalidArgument for a report_data of the wrong size. The VCEK that signs it is not
// returned: fetch it from AMD's key server for the report's chip_id and reported_tcb.
Result<Bytes> GetSnpReportFromDevice(ByteSpan report_data, uint32_t vmpl = 0,
                                     const std::string& device = kSevGuestDevice);

}  // namespace cleanroom::attest
