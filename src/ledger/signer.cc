// Tree head signing on the crypto module's keys and certificates (ES384, raw r || s).
#include "ledger/signer.h"

#include <string>

#include "crypto/signature.h"
#include "crypto/x509.h"

namespace cleanroom::ledger {
namespace {

Result<crypto::Certificate> ParseCertificate(ByteSpan der_or_pem) {
  std::string_view text = AsStringView(der_or_pem);
  Result<crypto::Certificate> cert =
      text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos
          ? crypto::Certificate::FromPem(text)
          : crypto::Certificate::FromDer(der_or_pem);
  if (!cert.ok()) {
    return Status::InvalidArgument("service certificate is not a valid X.509 certificate: " +
                                   cert.status().message());
  }
  return cert;
}

class CryptoSigner : public TreeHeadSigner {
 public:
  CryptoSigner(crypto::PrivateKey key, Bytes cert_der)
      : key_(std::move(key)), cert_der_(std::move(cert_der)) {}

  Result<Bytes> Sign(ByteSpan message) const override {
    return key_.Sign(crypto::SignatureAlgorithm::kEs384, message);
  }
  const Bytes& certificate_der() const override { return cert_der_; }

 private:
  crypto::PrivateKey key_;
  Bytes cert_der_;
};

class CryptoVerifier : public TreeHeadVerifier {
 public:
  CryptoVerifier(crypto::PublicKey key, Bytes cert_der)
      : key_(std::move(key)), cert_der_(std::move(cert_der)) {}

  Status Verify(ByteSpan message, ByteSpan signature) const override {
    Status s = key_.Verify(crypto::SignatureAlgorithm::kEs384, message, signature);
    if (!s.ok()) {
      return Status::Unauthenticated("tree head signature does not verify under the service key");
    }
    return s;
  }
  const Bytes& certificate_der() const override { return cert_der_; }

 private:
  crypto::PublicKey key_;
  Bytes cert_der_;
};

}  // namespace

Result<std::shared_ptr<TreeHeadSigner>> TreeHeadSigner::FromPem(std::string_view private_key_pem,
                                                                std::string_view certificate_pem) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(private_key_pem);
  if (!key.ok()) {
    return Status::InvalidArgument("service private key is not a valid PEM private key");
  }
  if (key->type() != crypto::KeyType::kEcP384) {
    return Status::InvalidArgument("service private key is not a P-384 key");
  }
  CR_ASSIGN_OR_RETURN(crypto::Certificate cert, ParseCertificate(AsBytes(certificate_pem)));
  CR_ASSIGN_OR_RETURN(crypto::PublicKey cert_key, cert.public_key());
  CR_ASSIGN_OR_RETURN(Bytes cert_key_der, cert_key.ToDer());
  CR_ASSIGN_OR_RETURN(Bytes own_key_der, key->public_key().ToDer());
  if (cert_key_der != own_key_der) {
    return Status::InvalidArgument(
        "service certificate's public key is not the service private key's");
  }
  return std::shared_ptr<TreeHeadSigner>(
      std::make_shared<CryptoSigner>(std::move(key).value(), cert.der()));
}

Result<std::shared_ptr<TreeHeadVerifier>> TreeHeadVerifier::FromCertificate(ByteSpan der_or_pem) {
  CR_ASSIGN_OR_RETURN(crypto::Certificate cert, ParseCertificate(der_or_pem));
  CR_ASSIGN_OR_RETURN(crypto::PublicKey key, cert.public_key());
  if (key.type() != crypto::KeyType::kEcP384) {
    return Status::InvalidArgument("service certificate's key is not a P-384 key");
  }
  return std::shared_ptr<TreeHeadVerifier>(std::make_shared<CryptoVerifier>(key, cert.der()));
}

}  // namespace cleanroom::ledger
