#pragma once

#include <memory>
#include <string>

#include "ledger/signer.h"

namespace cleanroom::ledger::testing {

// A fresh P-384 service key and a self-signed certificate for it, as PEM.
struct ServiceKeyPem {
  std::string key_pem;
  std::string cert_pem;
};
ServiceKeyPem GenerateServiceKeyPem(const std::string& common_name = "ledger test service");

// A signer over a fresh key (aborts the test process if OpenSSL fails).
std::shared_ptr<TreeHeadSigner> NewTestSigner();

// A unique empty directory under TMPDIR (or /tmp); removed by the caller.
std::string MakeTempDir(const std::string& prefix);

}  // namespace cleanroom::ledger::testing
