#pragma once

// A self-made imitation of the AMD chain (ARK-Milan -> SEV-Milan -> SEV-VCEK, all ECDSA P-384)
// with the AMD extensions copied from a real VCEK: everything matches except that the root is
// not AMD's. Used to prove that only pinned roots are trusted.
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <string>

#include "attest/certificate.h"
#include "attest/openssl_handles.h"

namespace cleanroom::attest::testing {

struct FakeChain {
  PkeyPtr vcek_key;
  Certificate vcek;
  Certificate ask;
  Certificate ark;
};

inline PkeyPtr NewP384Key() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")); }

inline Certificate MakeCert(const std::string& subject_cn, EVP_PKEY* subject_key,
                            const std::string& issuer_cn, EVP_PKEY* issuer_key,
                            const Certificate* copy_extensions_from) {
  X509Ptr x509(X509_new());
  X509_set_version(x509.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), -86400L * 365 * 5);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 86400L * 365 * 20);
  auto set_cn = [](X509_NAME* name, const std::string& cn) {
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  };
  set_cn(X509_get_subject_name(x509.get()), subject_cn);
  X509_NAME* issuer = X509_NAME_new();
  set_cn(issuer, issuer_cn);
  X509_set_issuer_name(x509.get(), issuer);
  X509_NAME_free(issuer);
  X509_set_pubkey(x509.get(), subject_key);
  if (copy_extensions_from != nullptr) {
    X509* source = copy_extensions_from->get();
    for (int i = 0; i < X509_get_ext_count(source); ++i) {
      X509_add_ext(x509.get(), X509_get_ext(source, i), -1);
    }
  }
  X509_sign(x509.get(), issuer_key, EVP_sha384());
  unsigned char* der = nullptr;
  int length = i2d_X509(x509.get(), &der);
  Bytes bytes(der, der + length);
  OPENSSL_free(der);
  return *Certificate::FromDer(bytes, "fake certificate");
}

// `real_vcek` lends its AMD extensions (SPLs, hwID) to the fake VCEK.
inline FakeChain MakeFakeMilanChain(const Certificate& real_vcek) {
  PkeyPtr ark_key = NewP384Key(), ask_key = NewP384Key();
  FakeChain chain;
  chain.vcek_key = NewP384Key();
  chain.ark = MakeCert("ARK-Milan", ark_key.get(), "ARK-Milan", ark_key.get(), nullptr);
  chain.ask = MakeCert("SEV-Milan", ask_key.get(), "ARK-Milan", ark_key.get(), nullptr);
  chain.vcek = MakeCert("SEV-VCEK", chain.vcek_key.get(), "SEV-Milan", ask_key.get(), &real_vcek);
  return chain;
}

}  // namespace cleanroom::attest::testing
