#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/openssl_handles.h"
#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::attest {

// An X.509 certificate (OpenSSL), with the few operations attestation chains need. Copyable
// (copies share the immutable OpenSSL object). Thread-compatible.
class Certificate {
 public:
  // Parses one DER certificate; InvalidArgument naming `what` when it is not one.
  static Result<Certificate> FromDer(ByteSpan der, std::string_view what);
  // Parses a PEM text holding one or more certificates, or a single DER certificate.
  // InvalidArgument naming `what` when nothing parses.
  static Result<std::vector<Certificate>> ParseAll(ByteSpan data, std::string_view what);

  // An empty certificate, only to be assigned to; no other method may be called on it.
  Certificate() = default;
  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  Bytes Der() const;
  // SHA-256 of the DER encoding (the fingerprint AMD and this project pin).
  Bytes Sha256Fingerprint() const;
  // SHA-256 of the DER SubjectPublicKeyInfo: names a key independently of its certificate.
  Bytes PublicKeySha256() const;
  std::string SubjectCommonName() const;
  std::string IssuerCommonName() const;
  // True when this certificate's subject name equals the issuer name of `child`.
  bool IsIssuerNameOf(const Certificate& child) const;
  // True when the signature of this certificate verifies with `issuer`'s public key (RSA-PSS,
  // RSA PKCS#1 and ECDSA as the certificate's algorithm says).
  bool IsSignedBy(const Certificate& issuer) const;

  enum class Validity { kValid, kNotYetValid, kExpired };
  Validity ValidityAt(std::time_t at) const;
  // notBefore / notAfter as RFC 3339 UTC text.
  std::string NotBefore() const;
  std::string NotAfter() const;

  // The extnValue octets of the extension with dotted OID `oid`, or nullopt.
  std::optional<Bytes> ExtensionValue(std::string_view oid) const;

  // Borrowed public key; valid while this certificate lives. Never null for a parsed certificate
  // whose key OpenSSL understands.
  EVP_PKEY* PublicKey() const;
  X509* get() const { return x509_.get(); }

 private:
  explicit Certificate(X509Ptr x509) : x509_(std::move(x509)) {}
  X509Ptr x509_;
};

}  // namespace cleanroom::attest
