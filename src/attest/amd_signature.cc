#include "attest/amd_signature.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <algorithm>
#include <cstring>

#include "attest/openssl_handles.h"
#include "attest/snp_report.h"

namespace cleanroom::attest {
namespace {

constexpr size_t kP384Size = 48;

BignumPtr FromLittleEndian(ByteSpan le) {
  return BignumPtr(BN_lebin2bn(le.data(), static_cast<int>(kP384Size), nullptr));
}

bool PaddingIsZero(ByteSpan component) {
  return std::all_of(component.begin() + kP384Size, component.end(),
                     [](uint8_t b) { return b == 0; });
}

}  // namespace

bool IsP384Key(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &length) != 1) {
    ERR_clear_error();
    return false;
  }
  return std::string_view(group, length) == "secp384r1";
}

bool VerifyAmdEcdsaSignature(EVP_PKEY* key, ByteSpan message, ByteSpan r_le, ByteSpan s_le) {
  if (!IsP384Key(key) || r_le.size() != kSnpSignatureComponentSize ||
      s_le.size() != kSnpSignatureComponentSize || !PaddingIsZero(r_le) || !PaddingIsZero(s_le)) {
    return false;
  }
  BignumPtr r = FromLittleEndian(r_le), s = FromLittleEndian(s_le);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
  (void)r.release();  // Now owned by `sig`.
  (void)s.release();
  unsigned char* der = nullptr;
  int der_length = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_length <= 0) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_length), message.data(),
                             message.size()) == 1;
  OPENSSL_free(der);
  ERR_clear_error();
  return ok;
}

Result<AmdEcdsaSignature> SignAmdEcdsa(EVP_PKEY* key, ByteSpan message) {
  if (!IsP384Key(key)) return Status::InvalidArgument("signing key is not an ECDSA P-384 key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t der_length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_length, message.data(), message.size()) != 1) {
    ERR_clear_error();
    return Status::Internal("ECDSA P-384 signing could not start");
  }
  Bytes der(der_length);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_length, message.data(), message.size()) != 1) {
    ERR_clear_error();
    return Status::Internal("ECDSA P-384 signing failed");
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_length)));
  if (!sig) return Status::Internal("ECDSA signature could not be decoded");
  AmdEcdsaSignature out{Bytes(kSnpSignatureComponentSize, 0), Bytes(kSnpSignatureComponentSize, 0)};
  if (BN_bn2lebinpad(ECDSA_SIG_get0_r(sig.get()), out.r.data(), static_cast<int>(kP384Size)) < 0 ||
      BN_bn2lebinpad(ECDSA_SIG_get0_s(sig.get()), out.s.data(), static_cast<int>(kP384Size)) < 0) {
    return Status::Internal("ECDSA signature component does not fit 48 bytes");
  }
  return out;
}

}  // namespace cleanroom::attest
