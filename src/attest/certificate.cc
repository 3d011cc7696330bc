#include "attest/certificate.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/rfc3339.h"
#include "crypto/hash.h"

namespace cleanroom::attest {
namespace {

std::string CommonName(const X509_NAME* name) {
  if (name == nullptr) return "";
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::string AsnTimeText(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return "(unreadable time)";
  return FormatRfc3339(timegm(&tm));
}

bool LooksLikePem(ByteSpan data) {
  return AsStringView(data).find("-----BEGIN") != std::string_view::npos;
}

}  // namespace

Result<Certificate> Certificate::FromDer(ByteSpan der, std::string_view what) {
  const unsigned char* p = der.data();
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x509 || p != der.data() + der.size()) {
    return Status::InvalidArgument(std::string(what) + ": not a DER X.509 certificate");
  }
  return Certificate(std::move(x509));
}

Result<std::vector<Certificate>> Certificate::ParseAll(ByteSpan data, std::string_view what) {
  std::vector<Certificate> out;
  if (!LooksLikePem(data)) {
    CR_ASSIGN_OR_RETURN(Certificate cert, FromDer(data, what));
    out.push_back(std::move(cert));
    return out;
  }
  BIO* bio = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
  if (bio == nullptr) return Status::Internal("cannot allocate a memory BIO");
  while (X509* x509 = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    out.push_back(Certificate(X509Ptr(x509)));
  }
  BIO_free(bio);
  ERR_clear_error();  // The read that ends the loop leaves a "no start line" error queued.
  if (out.empty()) {
    return Status::InvalidArgument(std::string(what) + ": no PEM certificate could be read");
  }
  return out;
}

Certificate::Certificate(const Certificate& other) : x509_(nullptr) { *this = other; }

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    if (other.x509_) X509_up_ref(other.x509_.get());
    x509_.reset(other.x509_.get());
  }
  return *this;
}

Bytes Certificate::Der() const {
  unsigned char* der = nullptr;
  int length = i2d_X509(x509_.get(), &der);
  if (length <= 0) return {};
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Bytes Certificate::Sha256Fingerprint() const {
  return crypto::Hash(crypto::HashAlgorithm::kSha256, Der());
}

Bytes Certificate::PublicKeySha256() const {
  unsigned char* der = nullptr;
  int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509_.get()), &der);
  if (length <= 0) return {};
  Bytes spki(der, der + length);
  OPENSSL_free(der);
  return crypto::Hash(crypto::HashAlgorithm::kSha256, spki);
}

std::string Certificate::SubjectCommonName() const {
  return CommonName(X509_get_subject_name(x509_.get()));
}

std::string Certificate::IssuerCommonName() const {
  return CommonName(X509_get_issuer_name(x509_.get()));
}

bool Certificate::IsIssuerNameOf(const Certificate& child) const {
  return X509_NAME_cmp(X509_get_subject_name(x509_.get()),
                       X509_get_issuer_name(child.x509_.get())) == 0;
}

bool Certificate::IsSignedBy(const Certificate& issuer) const {
  EVP_PKEY* key = issuer.PublicKey();
  if (key == nullptr) return false;
  bool ok = X509_verify(x509_.get(), key) == 1;
  ERR_clear_error();
  return ok;
}

Certificate::Validity Certificate::ValidityAt(std::time_t at) const {
  std::time_t when = at;
  // X509_cmp_time: -1 when the certificate time is before `when`, 1 after, 0 on error.
  if (X509_cmp_time(X509_get0_notBefore(x509_.get()), &when) >= 0) return Validity::kNotYetValid;
  if (X509_cmp_time(X509_get0_notAfter(x509_.get()), &when) <= 0) return Validity::kExpired;
  return Validity::kValid;
}

std::string Certificate::NotBefore() const { return AsnTimeText(X509_get0_notBefore(x509_.get())); }
std::string Certificate::NotAfter() const { return AsnTimeText(X509_get0_notAfter(x509_.get())); }

std::optional<Bytes> Certificate::ExtensionValue(std::string_view oid) const {
  int count = X509_get_ext_count(x509_.get());
  for (int i = 0; i < count; ++i) {
    X509_EXTENSION* extension = X509_get_ext(x509_.get(), i);
    char text[128];
    int length = OBJ_obj2txt(text, sizeof(text), X509_EXTENSION_get_object(extension), 1);
    if (length <= 0 || std::string_view(text, static_cast<size_t>(length)) != oid) continue;
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(extension);
    const unsigned char* bytes = ASN1_STRING_get0_data(data);
    return Bytes(bytes, bytes + ASN1_STRING_length(data));
  }
  return std::nullopt;
}

EVP_PKEY* Certificate::PublicKey() const {
  EVP_PKEY* key = X509_get0_pubkey(x509_.get());
  ERR_clear_error();
  return key;
}

}  // namespace cleanroom::attest
