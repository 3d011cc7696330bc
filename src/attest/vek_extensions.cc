#include "attest/vek_extensions.h"

#include <openssl/asn1.h>

namespace cleanroom::attest {
namespace {

constexpr std::string_view kOidProductName = "1.3.6.1.4.1.3704.1.2";
constexpr std::string_view kOidBlSpl = "1.3.6.1.4.1.3704.1.3.1";
constexpr std::string_view kOidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
constexpr std::string_view kOidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
constexpr std::string_view kOidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
constexpr std::string_view kOidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";
constexpr std::string_view kOidHwId = "1.3.6.1.4.1.3704.1.4";
constexpr std::string_view kOidCspId = "1.3.6.1.4.1.3704.1.5";
constexpr size_t kHwIdSize = 64;

Result<uint8_t> ReadSpl(const Certificate& cert, std::string_view oid, std::string_view name) {
  std::optional<Bytes> value = cert.ExtensionValue(oid);
  if (!value) {
    return Status::InvalidArgument("certificate lacks the " + std::string(name) + " extension (" +
                                   std::string(oid) + ")");
  }
  const unsigned char* p = value->data();
  ASN1_INTEGER* integer = d2i_ASN1_INTEGER(nullptr, &p, static_cast<long>(value->size()));
  int64_t number = -1;
  bool ok = integer != nullptr && p == value->data() + value->size() &&
            ASN1_INTEGER_get_int64(&number, integer) == 1 && number >= 0 && number <= 255;
  ASN1_INTEGER_free(integer);
  if (!ok) {
    return Status::InvalidArgument("certificate extension " + std::string(name) +
                                   " is not an INTEGER between 0 and 255");
  }
  return static_cast<uint8_t>(number);
}

// A DER string (IA5String, UTF8String, PrintableString) with a short or one-byte long length.
std::string ReadString(const std::optional<Bytes>& value) {
  if (!value || value->size() < 2) return "";
  const Bytes& v = *value;
  size_t header = 2, length = v[1];
  if (v[1] == 0x81 && v.size() >= 3) {
    header = 3;
    length = v[2];
  }
  if ((v[0] != 0x16 && v[0] != 0x0C && v[0] != 0x13) || header + length != v.size()) return "";
  return std::string(v.begin() + static_cast<long>(header), v.end());
}

}  // namespace

Result<VekExtensions> ReadVekExtensions(const Certificate& cert) {
  VekExtensions out;
  CR_ASSIGN_OR_RETURN(out.tcb.bootloader, ReadSpl(cert, kOidBlSpl, "blSPL"));
  CR_ASSIGN_OR_RETURN(out.tcb.tee, ReadSpl(cert, kOidTeeSpl, "teeSPL"));
  CR_ASSIGN_OR_RETURN(out.tcb.snp, ReadSpl(cert, kOidSnpSpl, "snpSPL"));
  CR_ASSIGN_OR_RETURN(out.tcb.microcode, ReadSpl(cert, kOidUcodeSpl, "ucodeSPL"));
  if (cert.ExtensionValue(kOidFmcSpl)) {
    CR_ASSIGN_OR_RETURN(uint8_t fmc, ReadSpl(cert, kOidFmcSpl, "fmcSPL"));
    out.tcb.fmc = fmc;
  }
  if (std::optional<Bytes> hw_id = cert.ExtensionValue(kOidHwId)) {
    // AMD's key server writes the 64 bytes raw; some issuers wrap them in an OCTET STRING.
    if (hw_id->size() == kHwIdSize) {
      out.hw_id = std::move(*hw_id);
    } else if (hw_id->size() == kHwIdSize + 2 && (*hw_id)[0] == 0x04 && (*hw_id)[1] == kHwIdSize) {
      out.hw_id = Bytes(hw_id->begin() + 2, hw_id->end());
    } else {
      return Status::InvalidArgument("certificate extension hwID (" + std::string(kOidHwId) +
                                     ") is not 64 bytes");
    }
  }
  out.product_name = ReadString(cert.ExtensionValue(kOidProductName));
  out.csp_id = ReadString(cert.ExtensionValue(kOidCspId));
  return out;
}

}  // namespace cleanroom::attest
