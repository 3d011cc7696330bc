#pragma once

#include <optional>
#include <string>

#include "attest/certificate.h"
#include "attest/snp_tcb.h"
#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// AMD's X.509 extensions in a VCEK or VLEK (AMD "Versioned Chip Endorsement Key" spec): the
// security patch levels the key was derived for, the chip id (VCEK) and the CSP (VLEK).
struct VekExtensions {
  TcbVersion tcb;              // blSPL .3.1, teeSPL .3.2, snpSPL .3.3, ucodeSPL .3.8, fmcSPL .3.9.
  std::optional<Bytes> hw_id;  // .4: the 64-byte chip id (VCEK only).
  std::string product_name;    // .2: e.g. "Milan-B0".
  std::string csp_id;          // .5: the cloud provider a VLEK belongs to.
};

// Reads the extensions. InvalidArgument naming the extension when an SPL is missing or is not a
// small DER INTEGER, or when hwID is neither 64 raw bytes nor an OCTET STRING of 64 bytes.
Result<VekExtensions> ReadVekExtensions(const Certificate& cert);

}  // namespace cleanroom::attest
