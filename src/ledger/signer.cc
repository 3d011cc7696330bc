// Tree head signing with OpenSSL directly. TODO(ledger): move onto crypto::PrivateKey /
// crypto::Certificate once the crypto module's implementation has landed; the interface in
// signer.h stays as it is.
#include "ledger/signer.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <string>

namespace cleanroom::ledger {
namespace {

constexpr size_t kP384FieldSize = 48;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

bool IsP384(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) return false;
  return std::string_view(group, len) == "secp384r1";
}

Result<X509Ptr> ParseCertificate(ByteSpan der_or_pem) {
  X509* cert = nullptr;
  std::string_view text = AsStringView(der_or_pem);
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    if (bio != nullptr) cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  } else {
    const unsigned char* p = der_or_pem.data();
    cert = d2i_X509(nullptr, &p, static_cast<long>(der_or_pem.size()));
    if (cert != nullptr && p != der_or_pem.data() + der_or_pem.size()) {
      X509_free(cert);
      return Status::InvalidArgument("service certificate has trailing bytes after its DER");
    }
  }
  if (cert == nullptr) return Status::InvalidArgument("service certificate is not a valid X.509 certificate");
  return X509Ptr(cert);
}

Result<Bytes> CertificateDer(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return Status::Internal("cannot encode the service certificate as DER");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509(cert, &p);
  return der;
}

class OpenSslSigner : public TreeHeadSigner {
 public:
  OpenSslSigner(PkeyPtr key, Bytes cert_der) : key_(std::move(key)), cert_der_(std::move(cert_der)) {}

  Result<Bytes> Sign(ByteSpan message) const override {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t der_len = 0;
    Bytes der;
    bool ok = ctx != nullptr &&
              EVP_DigestSignInit(ctx, nullptr, EVP_sha384(), nullptr, key_.get()) == 1 &&
              EVP_DigestSign(ctx, nullptr, &der_len, message.data(), message.size()) == 1;
    if (ok) {
      der.resize(der_len);
      ok = EVP_DigestSign(ctx, der.data(), &der_len, message.data(), message.size()) == 1;
      der.resize(der_len);
    }
    EVP_MD_CTX_free(ctx);
    if (!ok) return Status::Internal("ES384 signing of a tree head failed");
    const unsigned char* p = der.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    if (sig == nullptr) return Status::Internal("ES384 signature is not a valid ECDSA-Sig-Value");
    Bytes raw(2 * kP384FieldSize);
    const BIGNUM* r = ECDSA_SIG_get0_r(sig);
    const BIGNUM* s = ECDSA_SIG_get0_s(sig);
    bool fits = BN_bn2binpad(r, raw.data(), kP384FieldSize) == kP384FieldSize &&
                BN_bn2binpad(s, raw.data() + kP384FieldSize, kP384FieldSize) == kP384FieldSize;
    ECDSA_SIG_free(sig);
    if (!fits) return Status::Internal("ES384 signature value does not fit 48 bytes");
    return raw;
  }

  const Bytes& certificate_der() const override { return cert_der_; }

 private:
  PkeyPtr key_;
  Bytes cert_der_;
};

class OpenSslVerifier : public TreeHeadVerifier {
 public:
  OpenSslVerifier(PkeyPtr key, Bytes cert_der) : key_(std::move(key)), cert_der_(std::move(cert_der)) {}

  Status Verify(ByteSpan message, ByteSpan signature) const override {
    if (signature.size() != 2 * kP384FieldSize) {
      return Status::Unauthenticated("tree head signature has " + std::to_string(signature.size()) +
                                     " bytes, ES384 needs 96");
    }
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(signature.data(), kP384FieldSize, nullptr);
    BIGNUM* s = BN_bin2bn(signature.data() + kP384FieldSize, kP384FieldSize, nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
      ECDSA_SIG_free(sig);
      BN_free(r);
      BN_free(s);
      return Status::Internal("cannot allocate an ECDSA signature");
    }
    unsigned char* der = nullptr;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    if (der_len <= 0) return Status::Internal("cannot encode an ECDSA signature");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    int rc = ctx == nullptr ? -1
             : EVP_DigestVerifyInit(ctx, nullptr, EVP_sha384(), nullptr, key_.get()) != 1
                 ? -1
                 : EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len), message.data(),
                                    message.size());
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    if (rc != 1) return Status::Unauthenticated("tree head signature does not verify under the service key");
    return Status::OK();
  }

  const Bytes& certificate_der() const override { return cert_der_; }

 private:
  PkeyPtr key_;
  Bytes cert_der_;
};

}  // namespace

Result<std::shared_ptr<TreeHeadSigner>> TreeHeadSigner::FromPem(std::string_view private_key_pem,
                                                                std::string_view certificate_pem) {
  BIO* bio = BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size()));
  EVP_PKEY* raw_key = bio == nullptr ? nullptr : PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (raw_key == nullptr) return Status::InvalidArgument("service private key is not a valid PEM private key");
  PkeyPtr key(raw_key);
  if (!IsP384(key.get())) return Status::InvalidArgument("service private key is not a P-384 key");
  CR_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(AsBytes(certificate_pem)));
  EVP_PKEY* cert_key = X509_get0_pubkey(cert.get());
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, key.get()) != 1) {
    return Status::InvalidArgument("service certificate's public key is not the service private key's");
  }
  CR_ASSIGN_OR_RETURN(Bytes der, CertificateDer(cert.get()));
  return std::shared_ptr<TreeHeadSigner>(std::make_shared<OpenSslSigner>(std::move(key), std::move(der)));
}

Result<std::shared_ptr<TreeHeadVerifier>> TreeHeadVerifier::FromCertificate(ByteSpan der_or_pem) {
  CR_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(der_or_pem));
  EVP_PKEY* cert_key = X509_get0_pubkey(cert.get());
  if (cert_key == nullptr || !IsP384(cert_key)) {
    return Status::InvalidArgument("service certificate's key is not a P-384 key");
  }
  EVP_PKEY_up_ref(cert_key);
  PkeyPtr key(cert_key);
  CR_ASSIGN_OR_RETURN(Bytes der, CertificateDer(cert.get()));
  return std::shared_ptr<TreeHeadVerifier>(
      std::make_shared<OpenSslVerifier>(std::move(key), std::move(der)));
}

}  // namespace cleanroom::ledger
