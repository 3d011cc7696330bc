#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

// OpenSSL's key type, forward-declared so that users of this header need no OpenSSL headers.
struct evp_pkey_st;

namespace cleanroom::crypto {

// The kinds of asymmetric key the project uses. Members sign with P-384 (default) or Ed25519;
// P-256, P-521 and Ed448 exist to verify third-party messages; X25519 and P-256 are HPKE KEM keys.
enum class KeyType { kEcP256, kEcP384, kEcP521, kEd25519, kEd448, kX25519 };

// Signature algorithms, named as COSE / JOSE name them. ECDSA signatures are the fixed-length
// IEEE P1363 form r || s (each the curve's size, big-endian), as COSE and JOSE carry them; use
// EcdsaRawToDer / EcdsaDerToRaw at X.509 or OpenSSL boundaries. EdDSA is pure (no pre-hash).
enum class SignatureAlgorithm {
  kEs256,  // ECDSA with SHA-256
  kEs384,  // ECDSA with SHA-384 (the project's default)
  kEs512,  // ECDSA with SHA-512
  kEdDsa,  // Ed25519 or Ed448 by key type
};

std::string_view KeyTypeName(KeyType type);                             // "P-384", "Ed25519", ...
std::string_view SignatureAlgorithmName(SignatureAlgorithm algorithm);  // "ES384", "EdDSA", ...

// The algorithm a member key of this type signs with: P-256 -> ES256, P-384 -> ES384,
// P-521 -> ES512, Ed25519 / Ed448 -> EdDSA. InvalidArgument for X25519 (not a signing key).
Result<SignatureAlgorithm> DefaultSignatureAlgorithm(KeyType type);

// Size of the coordinate / scalar of an EC curve in bytes (32, 48, 66); 0 for other types.
size_t EcFieldSize(KeyType type);

// A public key. Cheap to copy (shared, immutable). Thread-safe for concurrent Verify calls.
class PublicKey {
 public:
  // SubjectPublicKeyInfo, DER or PEM ("-----BEGIN PUBLIC KEY-----"). InvalidArgument when
  // malformed or of a type not in KeyType.
  static Result<PublicKey> FromDer(ByteSpan der);
  static Result<PublicKey> FromPem(std::string_view pem);
  // An EC point from its affine coordinates (big-endian, each EcFieldSize bytes; shorter input
  // is left-padded). InvalidArgument when the point is not on the curve.
  static Result<PublicKey> FromEcCoordinates(KeyType curve, ByteSpan x, ByteSpan y);
  // An EC point in SEC1 encoding (0x04 || X || Y uncompressed; compressed accepted).
  static Result<PublicKey> FromEcPoint(KeyType curve, ByteSpan point);
  // A raw Ed25519 / Ed448 / X25519 public key (32, 57 or 32 bytes).
  static Result<PublicKey> FromRaw(KeyType type, ByteSpan raw);

  KeyType type() const { return type_; }
  Result<Bytes> ToDer() const;        // SubjectPublicKeyInfo DER.
  Result<std::string> ToPem() const;  // "-----BEGIN PUBLIC KEY-----".
  // Raw form: SEC1 uncompressed point for EC keys, the raw key for Ed25519 / Ed448 / X25519.
  Result<Bytes> ToRaw() const;

  // OK when `signature` is a valid signature of `message` under `algorithm`. Unauthenticated
  // when it is not (including a wrong-length signature); InvalidArgument when the algorithm does
  // not fit the key type (EdDSA on an EC key, ECDSA on an Ed25519 key, anything on X25519).
  // Any hash may be used with any EC curve (COSE allows ES512 on P-256).
  Status Verify(SignatureAlgorithm algorithm, ByteSpan message, ByteSpan signature) const;

  // For the crypto module's own use (HPKE, X.509): the underlying OpenSSL key, never null.
  evp_pkey_st* raw_key() const { return key_.get(); }
  // Takes a reference-counted copy of an OpenSSL key (up-refs it).
  static Result<PublicKey> FromOpenSsl(evp_pkey_st* key);

 private:
  PublicKey(KeyType type, std::shared_ptr<evp_pkey_st> key) : type_(type), key_(std::move(key)) {}
  KeyType type_;
  std::shared_ptr<evp_pkey_st> key_;
};

// A private key (with its public half). Copies share the key; OpenSSL wipes it when the last copy
// goes. Thread-safe for concurrent Sign calls.
class PrivateKey {
 public:
  // A fresh key from the CSPRNG.
  static Result<PrivateKey> Generate(KeyType type);
  // PKCS#8 PEM ("BEGIN PRIVATE KEY" or, with a passphrase, "BEGIN ENCRYPTED PRIVATE KEY"; also
  // the traditional "BEGIN EC PRIVATE KEY"). Unauthenticated when the passphrase is wrong or
  // missing for an encrypted key; InvalidArgument when malformed. Error text never quotes the key.
  static Result<PrivateKey> FromPem(std::string_view pem,
                                    std::optional<std::string_view> passphrase = std::nullopt);
  // An EC private scalar (big-endian; left-padded to EcFieldSize). The public key is computed.
  static Result<PrivateKey> FromEcScalar(KeyType curve, ByteSpan d);
  // A raw Ed25519 / Ed448 seed or X25519 scalar (32, 57, 32 bytes).
  static Result<PrivateKey> FromRaw(KeyType type, ByteSpan raw);

  KeyType type() const { return type_; }
  const PublicKey& public_key() const { return public_key_; }

  // PKCS#8 PEM. With a passphrase the key is encrypted (PBES2: scrypt N=2^14 r=8 p=1 and
  // AES-256-CBC). The returned string holds key material: wipe it after writing.
  Result<std::string> ToPem(std::optional<std::string_view> passphrase = std::nullopt) const;
  // Raw private part: EC scalar (EcFieldSize bytes) or Ed25519 / Ed448 / X25519 raw key. Holds
  // key material: the caller wipes it (SecureWipe).
  Result<Bytes> ToRaw() const;

  // Signs `message` with `algorithm` (ECDSA output is raw r || s). InvalidArgument when the
  // algorithm does not fit the key type.
  Result<Bytes> Sign(SignatureAlgorithm algorithm, ByteSpan message) const;
  // Signs with DefaultSignatureAlgorithm(type()).
  Result<Bytes> Sign(ByteSpan message) const;

  evp_pkey_st* raw_key() const { return key_.get(); }
  static Result<PrivateKey> FromOpenSsl(evp_pkey_st* key);  // Up-refs `key`.

 private:
  PrivateKey(KeyType type, std::shared_ptr<evp_pkey_st> key, PublicKey public_key)
      : type_(type), key_(std::move(key)), public_key_(std::move(public_key)) {}
  KeyType type_;
  std::shared_ptr<evp_pkey_st> key_;
  PublicKey public_key_;
};

// Conversions between the DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs) and raw r || s with
// each half `field_size` bytes. InvalidArgument when malformed or a value does not fit.
Result<Bytes> EcdsaDerToRaw(ByteSpan der, size_t field_size);
Result<Bytes> EcdsaRawToDer(ByteSpan raw);

}  // namespace cleanroom::crypto
