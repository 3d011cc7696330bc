#include "ledger/tests/test_keys.h"

#include <cstdlib>

#include "crypto/signature.h"
#include "crypto/x509.h"

namespace cleanroom::ledger::testing {

ServiceKeyPem GenerateServiceKeyPem(const std::string& common_name) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP384);
  if (!key.ok()) std::abort();
  auto cert = crypto::CreateSelfSignedCertificate(*key, common_name);
  auto key_pem = key->ToPem();
  if (!cert.ok() || !key_pem.ok()) std::abort();
  return {*key_pem, cert->ToPem()};
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
