#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/signature.h"
#include "crypto/x509.h"

namespace cleanroom::crypto {

// File names inside a member's directory, as `cleanroom keygen` writes them.
inline constexpr std::string_view kIdentityKeyFile = "key.pem";         // signing key, PKCS#8, 0600
inline constexpr std::string_view kIdentityCertFile = "cert.pem";       // self-signed certificate
inline constexpr std::string_view kIdentityEncKeyFile = "enc_key.pem";  // X25519 key, PKCS#8, 0600
inline constexpr std::string_view kIdentityEncPubFile = "enc_pub.pem";  // X25519 public key (SPKI)

// The member id of a certificate: lower-case hex SHA-256 of its DER (64 characters).
std::string MemberIdOf(const Certificate& certificate);

// What others know of a member: certificate (its signing public key) and the X25519 public key
// results are sealed to (HPKE, DHKEM(X25519, HKDF-SHA256)).
struct MemberPublicIdentity {
  std::string member_id;
  std::string name;  // The certificate's commonName.
  Certificate certificate;
  PublicKey signing_public_key;
  PublicKey encryption_public_key;
};

// A member's own identity with its private keys.
struct MemberIdentity {
  MemberPublicIdentity public_identity;
  PrivateKey signing_key;     // P-384 (default) or Ed25519.
  PrivateKey encryption_key;  // X25519.

  const std::string& member_id() const { return public_identity.member_id; }
};

// A fresh identity: a signing key of `signing_type` (kEcP384 or kEd25519), a self-signed
// certificate with CN=`name`, and an X25519 encryption key pair.
Result<MemberIdentity> GenerateIdentity(std::string_view name,
                                        KeyType signing_type = KeyType::kEcP384);

// Writes the four files into `directory` (created if missing, mode 0700). Private keys are
// written 0600 and, with a passphrase, encrypted PKCS#8 (PBES2: scrypt, AES-256-CBC). AlreadyExists
// when key.pem is there already (an identity is never silently overwritten).
Status WriteIdentity(const std::string& directory, const MemberIdentity& identity,
                     std::optional<std::string_view> passphrase = std::nullopt);

// Whether key.pem in `directory` is encrypted under a passphrase. NotFound when it is missing.
Result<bool> IdentityIsProtected(const std::string& directory);

// Loads a member's identity from `directory`. InvalidArgument when the folder, key.pem or
// enc_key.pem may be used by group or others (keygen makes them 0700 and 0600). Checks that the
// certificate's public key is the signing key's public key (InvalidArgument otherwise). enc_key.pem
// may be missing in directories from older keygen runs: then FailedPrecondition naming the file.
// NotFound when key.pem or cert.pem is missing; Unauthenticated for a wrong passphrase.
Result<MemberIdentity> LoadIdentity(const std::string& directory,
                                    std::optional<std::string_view> passphrase = std::nullopt);

// Loads only the public part (cert.pem and enc_pub.pem) of a member's directory.
Result<MemberPublicIdentity> LoadPublicIdentity(const std::string& directory);

}  // namespace cleanroom::crypto
