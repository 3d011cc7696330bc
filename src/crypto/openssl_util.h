#pragma once
// Internal to the crypto module: OpenSSL error translation and owning handles. Not a public API.

#include <openssl/evp.h>

#include <memory>
#include <string_view>

#include "base/status.h"

namespace cleanroom::crypto::internal {

// A Status of `code` whose message is "<what>: <OpenSSL reason>" for the earliest queued OpenSSL
// error (library reason strings only: they never contain key material). Clears the error queue.
Status OpenSslError(std::string_view what, StatusCode code = StatusCode::kInternal);
// Discards queued OpenSSL errors (after an expected failure, e.g. a bad signature).
void ClearOpenSslErrors();

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// The shared, reference-counted holder PublicKey / PrivateKey use.
std::shared_ptr<EVP_PKEY> SharePkey(EVP_PKEY* key);

}  // namespace cleanroom::crypto::internal
