#include "crypto/x509.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "crypto/hash.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace cleanroom::crypto {
namespace {

using internal::OpenSslError;

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

int64_t AsUnixSeconds(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return OpenSslError("certificate extension");
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return OpenSslError("certificate extension");
  return Status::OK();
}

}  // namespace

Result<Certificate> Certificate::FromDer(ByteSpan der) {
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return OpenSslError("certificate DER", StatusCode::kInvalidArgument);
  if (p != der.data() + der.size())
    return Status::InvalidArgument("certificate DER: trailing bytes");
  Certificate cert;
  cert.der_.assign(der.begin(), der.end());
  cert.not_before_ = AsUnixSeconds(X509_get0_notBefore(x.get()));
  cert.not_after_ = AsUnixSeconds(X509_get0_notAfter(x.get()));
  X509_NAME* subject = X509_get_subject_name(x.get());
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) cert.common_name_.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return cert;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return OpenSslError("certificate PEM");
  X509Ptr x(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!x) return OpenSslError("certificate PEM", StatusCode::kInvalidArgument);
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  if (len <= 0) return OpenSslError("certificate DER encoding");
  Bytes bytes(der, der + len);
  OPENSSL_free(der);
  return FromDer(bytes);
}

std::string Certificate::ToPem() const {
  std::string b64 = Base64Encode(der_);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64);
    out += '\n';
  }
  out += "-----END CERTIFICATE-----\n";
  return out;
}

std::string Certificate::Sha256Fingerprint() const { return Sha256Hex(der_); }

std::string Certificate::subject_common_name() const { return common_name_; }

Result<PublicKey> Certificate::public_key() const {
  const unsigned char* p = der_.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der_.size())));
  if (!x) return OpenSslError("certificate DER", StatusCode::kInvalidArgument);
  EVP_PKEY* key = X509_get0_pubkey(x.get());
  if (key == nullptr) return OpenSslError("certificate public key", StatusCode::kInvalidArgument);
  return PublicKey::FromOpenSsl(key);
}

Status Certificate::VerifySignature(const PublicKey& issuer_key) const {
  const unsigned char* p = der_.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der_.size())));
  if (!x) return OpenSslError("certificate DER", StatusCode::kInvalidArgument);
  int rc = X509_verify(x.get(), issuer_key.raw_key());
  internal::ClearOpenSslErrors();
  if (rc != 1) return Status::Unauthenticated("certificate signature does not verify");
  return Status::OK();
}

Result<Certificate> CreateSelfSignedCertificate(const PrivateKey& key, std::string_view common_name,
                                                int validity_days) {
  if (common_name.empty()) return Status::InvalidArgument("certificate: empty common name");
  if (validity_days <= 0) return Status::InvalidArgument("certificate: validity must be positive");
  CR_ASSIGN_OR_RETURN(SignatureAlgorithm algorithm, DefaultSignatureAlgorithm(key.type()));
  X509Ptr x(X509_new());
  if (!x) return OpenSslError("certificate allocation");
  CR_ASSIGN_OR_RETURN(Bytes serial_bytes, RandomBytes(16));
  serial_bytes[0] &= 0x7f;  // A positive serial.
  serial_bytes[0] |= 0x01;  // Never zero and never shortened.
  BIGNUM* serial_bn =
      BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr);
  bool ok = serial_bn != nullptr && X509_set_version(x.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(x.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(x.get()), 0) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400L * validity_days) != nullptr;
  BN_free(serial_bn);
  if (!ok) return OpenSslError("certificate fields");
  X509_NAME* name = X509_get_subject_name(x.get());
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1 ||
      X509_set_issuer_name(x.get(), name) != 1 || X509_set_pubkey(x.get(), key.raw_key()) != 1) {
    return OpenSslError("certificate subject", StatusCode::kInvalidArgument);
  }
  CR_RETURN_IF_ERROR(AddExtension(x.get(), NID_basic_constraints, "critical,CA:FALSE"));
  CR_RETURN_IF_ERROR(AddExtension(x.get(), NID_key_usage, "critical,digitalSignature"));
  CR_RETURN_IF_ERROR(AddExtension(x.get(), NID_subject_key_identifier, "hash"));
  const EVP_MD* md = algorithm == SignatureAlgorithm::kEs256   ? EVP_sha256()
                     : algorithm == SignatureAlgorithm::kEs384 ? EVP_sha384()
                     : algorithm == SignatureAlgorithm::kEs512 ? EVP_sha512()
                                                               : nullptr;
  if (X509_sign(x.get(), key.raw_key(), md) <= 0) return OpenSslError("certificate signing");
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  if (len <= 0) return OpenSslError("certificate DER encoding");
  Bytes bytes(der, der + len);
  OPENSSL_free(der);
  return Certificate::FromDer(bytes);
}

}  // namespace cleanroom::crypto
