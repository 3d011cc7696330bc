#include "crypto/openssl_util.h"

#include <openssl/err.h>

#include <string>

namespace cleanroom::crypto::internal {

Status OpenSslError(std::string_view what, StatusCode code) {
  unsigned long err = ERR_get_error();
  std::string message(what);
  if (err != 0) {
    const char* reason = ERR_reason_error_string(err);
    message += ": ";
    message += reason != nullptr ? reason : "OpenSSL error " + std::to_string(ERR_GET_REASON(err));
  }
  ERR_clear_error();
  return Status(code, std::move(message));
}

void ClearOpenSslErrors() { ERR_clear_error(); }

std::shared_ptr<EVP_PKEY> SharePkey(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, [](EVP_PKEY* p) { EVP_PKEY_free(p); });
}

}  // namespace cleanroom::crypto::internal
