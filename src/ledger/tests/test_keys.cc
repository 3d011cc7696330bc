#include "ledger/tests/test_keys.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <stdexcept>

namespace cleanroom::ledger::testing {
namespace {

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

ServiceKeyPem GenerateServiceKeyPem(const std::string& common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-384");
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) std::abort();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * 365);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (X509_sign(cert, key, EVP_sha384()) == 0) std::abort();
  BIO* key_bio = BIO_new(BIO_s_mem());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_X509(cert_bio, cert);
  ServiceKeyPem out{BioToString(key_bio), BioToString(cert_bio)};
  BIO_free(key_bio);
  BIO_free(cert_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

std::shared_ptr<TreeHeadSigner> NewTestSigner() {
  ServiceKeyPem pem = GenerateServiceKeyPem();
  auto signer = TreeHeadSigner::FromPem(pem.key_pem, pem.cert_pem);
  if (!signer.ok()) std::abort();
  return *signer;
}

std::string MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base != nullptr ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) std::abort();
  return templ;
}

}  // namespace cleanroom::ledger::testing
