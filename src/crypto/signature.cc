#include "crypto/signature.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <cstring>

#include "crypto/openssl_util.h"

namespace cleanroom::crypto {
namespace {

using internal::OpenSslError;
using internal::PkeyPtr;
using internal::SharePkey;

const char* CurveGroupName(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return "P-256";
    case KeyType::kEcP384:
      return "P-384";
    case KeyType::kEcP521:
      return "P-521";
    default:
      return nullptr;
  }
}

int CurveNid(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return NID_X9_62_prime256v1;
    case KeyType::kEcP384:
      return NID_secp384r1;
    case KeyType::kEcP521:
      return NID_secp521r1;
    default:
      return NID_undef;
  }
}

int RawPkeyId(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return EVP_PKEY_ED25519;
    case KeyType::kEd448:
      return EVP_PKEY_ED448;
    case KeyType::kX25519:
      return EVP_PKEY_X25519;
    default:
      return NID_undef;
  }
}

bool IsEc(KeyType type) { return EcFieldSize(type) != 0; }

Result<KeyType> TypeOf(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    case EVP_PKEY_ED448:
      return KeyType::kEd448;
    case EVP_PKEY_X25519:
      return KeyType::kX25519;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) {
        return OpenSslError("EC key without a named curve", StatusCode::kInvalidArgument);
      }
      int nid = OBJ_txt2nid(group);
      if (nid == NID_undef) nid = EC_curve_nist2nid(group);
      if (nid == NID_X9_62_prime256v1) return KeyType::kEcP256;
      if (nid == NID_secp384r1) return KeyType::kEcP384;
      if (nid == NID_secp521r1) return KeyType::kEcP521;
      return Status::InvalidArgument("unsupported EC curve");
    }
    default:
      return Status::InvalidArgument(
          "unsupported key type (want P-256/384/521, Ed25519, Ed448 or X25519)");
  }
}

// The public half of any key, as a fresh EVP_PKEY (round trip through SubjectPublicKeyInfo).
Result<PkeyPtr> PublicPart(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return OpenSslError("cannot extract the public key");
  const unsigned char* p = der;
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  if (!pub) return OpenSslError("cannot extract the public key");
  return pub;
}

Result<Bytes> BioContents(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr) return Status::Internal("empty BIO");
  return Bytes(mem->data, mem->data + mem->length);
}

const EVP_MD* DigestOf(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kEs256:
      return EVP_sha256();
    case SignatureAlgorithm::kEs384:
      return EVP_sha384();
    case SignatureAlgorithm::kEs512:
      return EVP_sha512();
    case SignatureAlgorithm::kEdDsa:
      return nullptr;
  }
  return nullptr;
}

Status CheckFits(SignatureAlgorithm algorithm, KeyType type) {
  bool eddsa = algorithm == SignatureAlgorithm::kEdDsa;
  bool ok = eddsa ? (type == KeyType::kEd25519 || type == KeyType::kEd448) : IsEc(type);
  if (!ok) {
    return Status::InvalidArgument(std::string("algorithm ") +
                                   std::string(SignatureAlgorithmName(algorithm)) +
                                   " does not fit a " + std::string(KeyTypeName(type)) + " key");
  }
  return Status::OK();
}

int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
  if (user == nullptr) return -1;
  auto* pass = static_cast<std::string_view*>(user);
  if (pass->size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return "P-256";
    case KeyType::kEcP384:
      return "P-384";
    case KeyType::kEcP521:
      return "P-521";
    case KeyType::kEd25519:
      return "Ed25519";
    case KeyType::kEd448:
      return "Ed448";
    case KeyType::kX25519:
      return "X25519";
  }
  return "unknown";
}

std::string_view SignatureAlgorithmName(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kEs256:
      return "ES256";
    case SignatureAlgorithm::kEs384:
      return "ES384";
    case SignatureAlgorithm::kEs512:
      return "ES512";
    case SignatureAlgorithm::kEdDsa:
      return "EdDSA";
  }
  return "unknown";
}

Result<SignatureAlgorithm> DefaultSignatureAlgorithm(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return SignatureAlgorithm::kEs256;
    case KeyType::kEcP384:
      return SignatureAlgorithm::kEs384;
    case KeyType::kEcP521:
      return SignatureAlgorithm::kEs512;
    case KeyType::kEd25519:
    case KeyType::kEd448:
      return SignatureAlgorithm::kEdDsa;
    case KeyType::kX25519:
      break;
  }
  return Status::InvalidArgument("X25519 keys cannot sign");
}

size_t EcFieldSize(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return 32;
    case KeyType::kEcP384:
      return 48;
    case KeyType::kEcP521:
      return 66;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------- PublicKey

Result<PublicKey> PublicKey::FromOpenSsl(evp_pkey_st* key) {
  if (key == nullptr) return Status::InvalidArgument("null key");
  CR_ASSIGN_OR_RETURN(KeyType type, TypeOf(key));
  CR_ASSIGN_OR_RETURN(PkeyPtr pub, PublicPart(key));
  return PublicKey(type, SharePkey(pub.release()));
}

Result<PublicKey> PublicKey::FromDer(ByteSpan der) {
  const unsigned char* p = der.data();
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return OpenSslError("public key DER", StatusCode::kInvalidArgument);
  if (p != der.data() + der.size()) {
    return Status::InvalidArgument("public key DER: trailing bytes");
  }
  CR_ASSIGN_OR_RETURN(KeyType type, TypeOf(key.get()));
  return PublicKey(type, SharePkey(key.release()));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return OpenSslError("public key PEM");
  PkeyPtr key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (!key) return OpenSslError("public key PEM", StatusCode::kInvalidArgument);
  CR_ASSIGN_OR_RETURN(KeyType type, TypeOf(key.get()));
  return PublicKey(type, SharePkey(key.release()));
}

Result<PublicKey> PublicKey::FromEcPoint(KeyType curve, ByteSpan point) {
  if (!IsEc(curve)) return Status::InvalidArgument("FromEcPoint: not an EC curve");
  OSSL_PARAM params[3];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                               const_cast<char*>(CurveGroupName(curve)), 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                const_cast<uint8_t*>(point.data()), point.size());
  params[2] = OSSL_PARAM_construct_end();
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return OpenSslError("EC public key: invalid point", StatusCode::kInvalidArgument);
  }
  return PublicKey(curve, SharePkey(raw));
}

Result<PublicKey> PublicKey::FromEcCoordinates(KeyType curve, ByteSpan x, ByteSpan y) {
  size_t n = EcFieldSize(curve);
  if (n == 0) return Status::InvalidArgument("FromEcCoordinates: not an EC curve");
  if (x.size() > n || y.size() > n) {
    return Status::InvalidArgument("EC public key: coordinate longer than the field size");
  }
  Bytes point(1 + 2 * n, 0);
  point[0] = 0x04;
  std::memcpy(point.data() + 1 + (n - x.size()), x.data(), x.size());
  std::memcpy(point.data() + 1 + n + (n - y.size()), y.data(), y.size());
  return FromEcPoint(curve, point);
}

Result<PublicKey> PublicKey::FromRaw(KeyType type, ByteSpan raw) {
  int id = RawPkeyId(type);
  if (id == NID_undef) return Status::InvalidArgument("FromRaw: use FromEcPoint for EC keys");
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(id, nullptr, raw.data(), raw.size());
  if (key == nullptr) {
    return OpenSslError(std::string(KeyTypeName(type)) + " public key",
                        StatusCode::kInvalidArgument);
  }
  return PublicKey(type, SharePkey(key));
}

Result<Bytes> PublicKey::ToDer() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) return OpenSslError("public key DER encoding");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::string> PublicKey::ToPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio, key_.get()) != 1) {
    BIO_free(bio);
    return OpenSslError("public key PEM encoding");
  }
  auto contents = BioContents(bio);
  BIO_free(bio);
  if (!contents.ok()) return contents.status();
  return std::string(contents->begin(), contents->end());
}

Result<Bytes> PublicKey::ToRaw() const {
  if (type_ == KeyType::kEd25519 || type_ == KeyType::kEd448 || type_ == KeyType::kX25519) {
    size_t len = 0;
    if (EVP_PKEY_get_raw_public_key(key_.get(), nullptr, &len) != 1) {
      return OpenSslError("raw public key");
    }
    Bytes out(len);
    if (EVP_PKEY_get_raw_public_key(key_.get(), out.data(), &len) != 1) {
      return OpenSslError("raw public key");
    }
    out.resize(len);
    return out;
  }
  unsigned char* buf = nullptr;
  size_t len = EVP_PKEY_get1_encoded_public_key(key_.get(), &buf);
  if (len == 0) return OpenSslError("EC public point");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Status PublicKey::Verify(SignatureAlgorithm algorithm, ByteSpan message, ByteSpan signature) const {
  CR_RETURN_IF_ERROR(CheckFits(algorithm, type_));
  Bytes der;
  ByteSpan sig = signature;
  if (algorithm != SignatureAlgorithm::kEdDsa) {
    if (signature.size() != 2 * EcFieldSize(type_)) {
      return Status::Unauthenticated("signature has the wrong length for the key's curve");
    }
    CR_ASSIGN_OR_RETURN(der, EcdsaRawToDer(signature));
    sig = der;
  }
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("verify: context allocation");
  const EVP_MD* md = DigestOf(algorithm);
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md ? EVP_MD_get0_name(md) : nullptr, nullptr,
                              nullptr, key_.get(), nullptr) != 1) {
    return OpenSslError("verify: setup");
  }
  int rc = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size());
  internal::ClearOpenSslErrors();
  if (rc != 1) return Status::Unauthenticated("signature does not verify");
  return Status::OK();
}

// ---------------------------------------------------------------- PrivateKey

Result<PrivateKey> PrivateKey::FromOpenSsl(evp_pkey_st* key) {
  if (key == nullptr) return Status::InvalidArgument("null key");
  CR_ASSIGN_OR_RETURN(KeyType type, TypeOf(key));
  CR_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromOpenSsl(key));
  EVP_PKEY_up_ref(key);
  return PrivateKey(type, SharePkey(key), std::move(pub));
}

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* key = nullptr;
  if (IsEc(type)) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", CurveGroupName(type));
  } else {
    const char* name = type == KeyType::kEd25519 ? "ED25519"
                       : type == KeyType::kEd448 ? "ED448"
                                                 : "X25519";
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, name);
  }
  if (key == nullptr) return OpenSslError("key generation");
  auto result = FromOpenSsl(key);
  EVP_PKEY_free(key);
  return result;
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem,
                                       std::optional<std::string_view> passphrase) {
  bool encrypted = pem.find("ENCRYPTED") != std::string_view::npos;
  if (encrypted && !passphrase) {
    return Status::Unauthenticated("private key is encrypted: a passphrase is needed");
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return OpenSslError("private key PEM");
  std::string_view pass = passphrase.value_or(std::string_view());
  PkeyPtr key(
      PEM_read_bio_PrivateKey(bio, nullptr, PassphraseCallback, passphrase ? &pass : nullptr));
  BIO_free(bio);
  if (!key) {
    if (encrypted) {
      internal::ClearOpenSslErrors();
      return Status::Unauthenticated("private key: wrong passphrase or corrupt encrypted key");
    }
    return OpenSslError("private key PEM", StatusCode::kInvalidArgument);
  }
  return FromOpenSsl(key.get());
}

Result<PrivateKey> PrivateKey::FromEcScalar(KeyType curve, ByteSpan d) {
  size_t n = EcFieldSize(curve);
  if (n == 0) return Status::InvalidArgument("FromEcScalar: not an EC curve");
  if (d.size() > n) return Status::InvalidArgument("EC private key longer than the field size");
  // The public point is computed here: EVP_PKEY_fromdata does not derive it from the scalar.
  EC_GROUP* group = EC_GROUP_new_by_curve_name(CurveNid(curve));
  BIGNUM* scalar = BN_bin2bn(d.data(), static_cast<int>(d.size()), nullptr);
  EC_POINT* point = group ? EC_POINT_new(group) : nullptr;
  Bytes pub(1 + 2 * n);
  Status status = Status::OK();
  if (group == nullptr || scalar == nullptr || point == nullptr) {
    status = OpenSslError("EC private key: allocation");
  } else if (BN_is_zero(scalar) || BN_cmp(scalar, EC_GROUP_get0_order(group)) >= 0) {
    status = Status::InvalidArgument("EC private key out of range");
  } else if (EC_POINT_mul(group, point, scalar, nullptr, nullptr, nullptr) != 1 ||
             EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(),
                                nullptr) != pub.size()) {
    status = OpenSslError("EC private key: public point");
  }
  EVP_PKEY* raw = nullptr;
  if (status.ok()) {
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM* params = nullptr;
    internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (bld == nullptr || !ctx ||
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, CurveGroupName(curve),
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, scalar) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()) !=
            1 ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == nullptr ||
        EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params) != 1) {
      status = OpenSslError("EC private key", StatusCode::kInvalidArgument);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
  }
  EC_POINT_free(point);
  BN_clear_free(scalar);
  EC_GROUP_free(group);
  CR_RETURN_IF_ERROR(status);
  PkeyPtr owned(raw);
  return FromOpenSsl(owned.get());
}

Result<PrivateKey> PrivateKey::FromRaw(KeyType type, ByteSpan raw) {
  int id = RawPkeyId(type);
  if (id == NID_undef) return Status::InvalidArgument("FromRaw: use FromEcScalar for EC keys");
  PkeyPtr key(EVP_PKEY_new_raw_private_key(id, nullptr, raw.data(), raw.size()));
  if (!key) {
    return OpenSslError(std::string(KeyTypeName(type)) + " private key",
                        StatusCode::kInvalidArgument);
  }
  return FromOpenSsl(key.get());
}

Result<std::string> PrivateKey::ToPem(std::optional<std::string_view> passphrase) const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return OpenSslError("private key PEM encoding");
  int ok = 0;
  if (passphrase) {
    // PBES2 with scrypt (N=2^14, r=8, p=1, OpenSSL's `pkcs8 -scrypt` choice, inside the 32 MiB
    // its decoder allows) and AES-256-CBC: PBKDF2's default of 2048 iterations is too cheap to
    // guess against.
    X509_ALGOR* pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), nullptr, 0, nullptr, 16384, 8, 1);
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key_.get());
    X509_SIG* sealed = nullptr;
    if (pbe != nullptr && info != nullptr) {
      sealed = PKCS8_set0_pbe(passphrase->data(), static_cast<int>(passphrase->size()), info, pbe);
    }
    if (sealed == nullptr) X509_ALGOR_free(pbe);  // Owned by `sealed` once it exists.
    PKCS8_PRIV_KEY_INFO_free(info);               // Cleared as it is freed.
    ok = sealed != nullptr ? PEM_write_bio_PKCS8(bio, sealed) : 0;
    X509_SIG_free(sealed);
  } else {
    ok = PEM_write_bio_PKCS8PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  }
  if (ok != 1) {
    BIO_free(bio);
    return OpenSslError("private key PEM encoding");
  }
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  std::string out(mem->data, mem->length);
  BIO_free(bio);  // Frees the buffer with OPENSSL_clear_free.
  return out;
}

Result<Bytes> PrivateKey::ToRaw() const {
  if (IsEc(type_)) {
    BIGNUM* d = nullptr;
    if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
      return OpenSslError("EC private scalar");
    }
    Bytes out(EcFieldSize(type_));
    int rc = BN_bn2binpad(d, out.data(), static_cast<int>(out.size()));
    BN_clear_free(d);
    if (rc < 0) return Status::Internal("EC private scalar does not fit");
    return out;
  }
  size_t len = 0;
  if (EVP_PKEY_get_raw_private_key(key_.get(), nullptr, &len) != 1) {
    return OpenSslError("raw private key");
  }
  Bytes out(len);
  if (EVP_PKEY_get_raw_private_key(key_.get(), out.data(), &len) != 1) {
    SecureWipe(out);
    return OpenSslError("raw private key");
  }
  return out;
}

Result<Bytes> PrivateKey::Sign(SignatureAlgorithm algorithm, ByteSpan message) const {
  CR_RETURN_IF_ERROR(CheckFits(algorithm, type_));
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("sign: context allocation");
  const EVP_MD* md = DigestOf(algorithm);
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, md ? EVP_MD_get0_name(md) : nullptr, nullptr,
                            nullptr, key_.get(), nullptr) != 1) {
    return OpenSslError("sign: setup");
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return OpenSslError("sign");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return OpenSslError("sign");
  }
  sig.resize(len);
  if (algorithm == SignatureAlgorithm::kEdDsa) return sig;
  return EcdsaDerToRaw(sig, EcFieldSize(type_));
}

Result<Bytes> PrivateKey::Sign(ByteSpan message) const {
  CR_ASSIGN_OR_RETURN(SignatureAlgorithm algorithm, DefaultSignatureAlgorithm(type_));
  return Sign(algorithm, message);
}

// ---------------------------------------------------------------- ECDSA encodings

Result<Bytes> EcdsaDerToRaw(ByteSpan der, size_t field_size) {
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr || p != der.data() + der.size()) {
    ECDSA_SIG_free(sig);
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument("ECDSA signature: malformed DER");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  Bytes out(2 * field_size);
  bool ok = BN_bn2binpad(r, out.data(), static_cast<int>(field_size)) >= 0 &&
            BN_bn2binpad(s, out.data() + field_size, static_cast<int>(field_size)) >= 0;
  ECDSA_SIG_free(sig);
  if (!ok) return Status::InvalidArgument("ECDSA signature: value larger than the field size");
  return out;
}

Result<Bytes> EcdsaRawToDer(ByteSpan raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return Status::InvalidArgument("ECDSA signature: raw form must be r || s of equal lengths");
  }
  size_t half = raw.size() / 2;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    ECDSA_SIG_free(sig);
    BN_free(r);
    BN_free(s);
    return OpenSslError("ECDSA signature encoding");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return OpenSslError("ECDSA signature encoding");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace cleanroom::crypto
