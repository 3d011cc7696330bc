#pragma once

#include <string>

#include "attest/certificate.h"
#include "attest/evidence.h"
#include "attest/openssl_handles.h"
#include "attest/snp_report.h"
#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// File names inside the directory `cleanroom runtime init-platform --out DIR` writes.
inline constexpr std::string_view kPlatformKeyFile = "platform_key.pem";  // Mode 0600.
inline constexpr std::string_view kPlatformCertFile = "platform_cert.pem";

// The local platform key that signs simulated evidence: an ECDSA P-384 key and a self-signed
// certificate for it (CN "cleanroom simulated platform (INSECURE)", valid ten years).
// INSECURE: whoever holds the key can sign any report. Movable, not copyable.
class PlatformKey {
 public:
  // A fresh key and certificate.
  static Result<PlatformKey> Generate();
  // Reads DIR/platform_key.pem and DIR/platform_cert.pem; NotFound / InvalidArgument naming the
  // file, and InvalidArgument when the certificate does not hold the key's public half.
  static Result<PlatformKey> Load(const std::string& dir);
  // Writes both files (the key with mode 0600). AlreadyExists when the key file exists.
  Status Save(const std::string& dir) const;

  const Certificate& certificate() const { return certificate_; }
  // SHA-256 of the public key's SubjectPublicKeyInfo: the value policies list in
  // simulated_platform_keys.
  Bytes PublicKeySha256() const { return certificate_.PublicKeySha256(); }
  EVP_PKEY* key() const { return key_.get(); }

 private:
  PlatformKey(PkeyPtr key, Certificate certificate)
      : key_(std::move(key)), certificate_(std::move(certificate)) {}
  PkeyPtr key_;
  Certificate certificate_;
};

// Makes simulated evidence: a 1184-byte report of the SEV-SNP layout (version 3, policy 0x30000,
// VMPL 0, TCB 0, chip_id holding an ASCII "INSECURE" marker) with `measurement` (48 bytes) and
// `report_data` (64 bytes), signed by the platform key. InvalidArgument on wrong sizes.
Result<Evidence> ProduceSimulatedEvidence(const PlatformKey& platform, ByteSpan measurement,
                                          ByteSpan report_data);

// The report ProduceSimulatedEvidence signs: version 3, policy 0x30000, VMPL 0, TCB 0, with
// `measurement` and `report_data` copied in (each truncated or zero-padded to its field).
SnpReport DefaultSimulatedReport(ByteSpan measurement, ByteSpan report_data);

// Signs `report` with the platform key as simulated evidence, whatever its guest policy, VMPL,
// TCB or SVN say (the verifier's policy judges them); its signature algorithm, key info and
// chip_id marker are set as for every simulated report. INSECURE like all simulated evidence.
Result<Evidence> SignSimulatedReport(const PlatformKey& platform, SnpReport report);

}  // namespace cleanroom::attest
