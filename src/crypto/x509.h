#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signature.h"

namespace cleanroom::crypto {

// An X.509 certificate, held as its DER bytes. Immutable and cheap to copy.
class Certificate {
 public:
  // InvalidArgument when the input is not exactly one well-formed certificate.
  static Result<Certificate> FromDer(ByteSpan der);
  // The first "BEGIN CERTIFICATE" block of `pem`.
  static Result<Certificate> FromPem(std::string_view pem);

  const Bytes& der() const { return der_; }
  std::string ToPem() const;

  // SHA-256 of the DER, lower-case hex: a member's id (as CCF derives `kid`).
  std::string Sha256Fingerprint() const;
  // The subject's public key.
  Result<PublicKey> public_key() const;
  // The subject's commonName, or "" when it has none.
  std::string subject_common_name() const;
  // Validity period in unix seconds.
  int64_t not_before() const { return not_before_; }
  int64_t not_after() const { return not_after_; }

  // OK when this certificate's signature verifies under `issuer_key` (for a self-signed
  // certificate: its own key). Unauthenticated otherwise.
  Status VerifySignature(const PublicKey& issuer_key) const;

 private:
  Certificate() = default;
  Bytes der_;
  std::string common_name_;
  int64_t not_before_ = 0;
  int64_t not_after_ = 0;
};

// A self-signed certificate for `key` with subject and issuer CN=`common_name`, a random serial,
// valid from now for `validity_days`, signed with DefaultSignatureAlgorithm(key.type()) (SHA-384
// for P-384, pure EdDSA for Ed25519). InvalidArgument for an empty name or a non-signing key.
Result<Certificate> CreateSelfSignedCertificate(const PrivateKey& key, std::string_view common_name,
                                                int validity_days = 365);

}  // namespace cleanroom::crypto
