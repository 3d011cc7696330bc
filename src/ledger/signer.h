#pragma once

#include <memory>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::ledger {

// Signs tree heads with the service key: ES384 (ECDSA P-384 with SHA-384), signature in the raw
// r || s form (96 bytes). Thread-safe.
class TreeHeadSigner {
 public:
  virtual ~TreeHeadSigner() = default;
  // Signs `message` (TreeHead::ToBeSigned()).
  virtual Result<Bytes> Sign(ByteSpan message) const = 0;
  // The service certificate (DER) whose public key verifies the signatures.
  virtual const Bytes& certificate_der() const = 0;

  // A signer from a PKCS#8 / SEC1 PEM private key and the matching PEM certificate.
  // InvalidArgument when either is malformed, the key is not P-384, or the certificate's key is
  // not the private key's public half. Error text never quotes the key.
  static Result<std::shared_ptr<TreeHeadSigner>> FromPem(std::string_view private_key_pem,
                                                         std::string_view certificate_pem);
};

// Verifies tree head signatures with the public key of a service certificate. Thread-safe.
class TreeHeadVerifier {
 public:
  virtual ~TreeHeadVerifier() = default;
  // OK when `signature` (raw r || s) is a valid ES384 signature of `message`; Unauthenticated
  // otherwise.
  virtual Status Verify(ByteSpan message, ByteSpan signature) const = 0;
  virtual const Bytes& certificate_der() const = 0;

  // From a certificate, DER or PEM ("BEGIN CERTIFICATE"). InvalidArgument when malformed or its
  // key is not P-384.
  static Result<std::shared_ptr<TreeHeadVerifier>> FromCertificate(ByteSpan der_or_pem);
};

}  // namespace cleanroom::ledger
