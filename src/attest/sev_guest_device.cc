#include "attest/sev_guest_device.h"

#include <fcntl.h>
#include <linux/sev-guest.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "attest/snp_report.h"
#include "base/file.h"

namespace cleanroom::attest {
namespace {

// MSG_REPORT_RSP (SEV-SNP ABI): status (u32), report_size (u32), 24 reserved bytes, the report.
constexpr size_t kResponseStatus = 0x0, kResponseSize = 0x4, kResponseReport = 0x20;

}  // namespace

bool SevGuestDeviceExists(const std::string& device) { return access(device.c_str(), F_OK) == 0; }

Result<Bytes> GetSnpReportFromDevice(ByteSpan report_data, uint32_t vmpl,
                                     const std::string& device) {
  snp_report_req request;
  if (report_data.size() != sizeof(request.user_data)) {
    return Status::InvalidArgument("report_data must be 64 bytes");
  }
  if (!SevGuestDeviceExists(device)) {
    return Status::Unavailable(device +
                               " does not exist: this machine is not an AMD SEV-SNP guest");
  }
  int fd = open(device.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(device + ": cannot open (" + ErrnoText(errno) + ")");
  std::memset(&request, 0, sizeof(request));
  std::memcpy(request.user_data, report_data.data(), report_data.size());
  request.vmpl = vmpl;
  snp_report_resp response;
  std::memset(&response, 0, sizeof(response));
  snp_guest_request_ioctl ioctl_request;
  std::memset(&ioctl_request, 0, sizeof(ioctl_request));
  ioctl_request.msg_version = 1;
  ioctl_request.req_data = reinterpret_cast<uint64_t>(&request);
  ioctl_request.resp_data = reinterpret_cast<uint64_t>(&response);
  int rc = ioctl(fd, SNP_GET_REPORT, &ioctl_request);
  int saved_errno = errno;
  close(fd);
  if (rc != 0) {
    return Status::Unavailable(device + ": SNP_GET_REPORT failed (" + ErrnoText(saved_errno) +
                               ", firmware error " + std::to_string(ioctl_request.exitinfo2) + ")");
  }
  const uint8_t* data = response.data;
  uint32_t status = GetU32LE(data + kResponseStatus);
  uint32_t size = GetU32LE(data + kResponseSize);
  if (status != 0) {
    return Status::Unavailable(device + ": the secure processor refused the report (status " +
                               std::to_string(status) + ")");
  }
  if (size != kSnpReportSize || kResponseReport + size > sizeof(response.data)) {
    return Status::DataLoss(device + ": unexpected report size " + std::to_string(size));
  }
  return Bytes(data + kResponseReport, data + kResponseReport + size);
}

}  // namespace cleanroom::attest
