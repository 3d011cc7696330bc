#include "crypto/identity.h"

#include <sys/stat.h>

#include <filesystem>

#include "base/file.h"
#include "base/file_mode.h"

namespace cleanroom::crypto {
namespace {

std::string PathIn(const std::string& directory, std::string_view file) {
  return (std::filesystem::path(directory) / std::string(file)).string();
}

Result<std::string> ReadNamed(const std::string& directory, std::string_view file) {
  std::string path = PathIn(directory, file);
  auto text = ReadFileToString(path);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("identity: " + path + " does not exist");
    }
    return text.status();
  }
  // A copy cut short (a partial scp, a full disk) would otherwise fail as an "unsupported" or
  // "bad" PEM; say what it is. Only the file's name is quoted, never its text.
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("identity: " + path + " is empty");
  }
  size_t begin = text->find("-----BEGIN ");
  if (begin != std::string::npos && text->find("-----END ", begin) == std::string::npos) {
    SecureWipe(text->data(), text->size());
    return Status::InvalidArgument("identity: " + path +
                                   " is truncated (it ends before its -----END line)");
  }
  return text;
}

Status WriteSecret(const std::string& path, std::string& pem) {
  Status s = WriteFileAtomic(path, pem, 0600);
  SecureWipe(pem.data(), pem.size());
  return s;
}

// `mismatch` says which two files disagree.
Status SameKey(const PublicKey& a, const PublicKey& b, const std::string& mismatch) {
  CR_ASSIGN_OR_RETURN(Bytes da, a.ToDer());
  CR_ASSIGN_OR_RETURN(Bytes db, b.ToDer());
  if (da != db) return Status::InvalidArgument("identity: " + mismatch);
  return Status::OK();
}

}  // namespace

std::string MemberIdOf(const Certificate& certificate) { return certificate.Sha256Fingerprint(); }

Result<MemberIdentity> GenerateIdentity(std::string_view name, KeyType signing_type) {
  if (signing_type != KeyType::kEcP384 && signing_type != KeyType::kEd25519) {
    return Status::InvalidArgument("identity: signing keys are P-384 or Ed25519");
  }
  CR_ASSIGN_OR_RETURN(PrivateKey signing_key, PrivateKey::Generate(signing_type));
  CR_ASSIGN_OR_RETURN(Certificate certificate,
                      CreateSelfSignedCertificate(signing_key, name, 3650));
  CR_ASSIGN_OR_RETURN(PrivateKey encryption_key, PrivateKey::Generate(KeyType::kX25519));
  MemberPublicIdentity pub{MemberIdOf(certificate), std::string(name), certificate,
                           signing_key.public_key(), encryption_key.public_key()};
  return MemberIdentity{std::move(pub), std::move(signing_key), std::move(encryption_key)};
}

Status WriteIdentity(const std::string& directory, const MemberIdentity& identity,
                     std::optional<std::string_view> passphrase) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  // The folder is the user's choice (keygen --out): its problem is theirs to fix, not internal.
  if (ec) {
    return Status::InvalidArgument("identity: cannot create " + directory + ": " + ec.message());
  }
  ::chmod(directory.c_str(), 0700);
  std::string key_path = PathIn(directory, kIdentityKeyFile);
  if (std::filesystem::exists(key_path)) {
    return Status::AlreadyExists("identity: " + key_path + " exists; refusing to overwrite it");
  }
  CR_ASSIGN_OR_RETURN(std::string enc_pem, identity.encryption_key.ToPem(passphrase));
  CR_RETURN_IF_ERROR(WriteSecret(PathIn(directory, kIdentityEncKeyFile), enc_pem));
  CR_ASSIGN_OR_RETURN(std::string enc_pub, identity.encryption_key.public_key().ToPem());
  CR_RETURN_IF_ERROR(WriteFileAtomic(PathIn(directory, kIdentityEncPubFile), enc_pub, 0644));
  CR_RETURN_IF_ERROR(WriteFileAtomic(PathIn(directory, kIdentityCertFile),
                                     identity.public_identity.certificate.ToPem(), 0644));
  // key.pem last: its presence marks a complete identity directory.
  CR_ASSIGN_OR_RETURN(std::string key_pem, identity.signing_key.ToPem(passphrase));
  return WriteSecret(key_path, key_pem);
}

Result<MemberPublicIdentity> LoadPublicIdentity(const std::string& directory) {
  CR_ASSIGN_OR_RETURN(std::string cert_pem, ReadNamed(directory, kIdentityCertFile));
  auto certificate = Certificate::FromPem(cert_pem);
  if (!certificate.ok())
    return certificate.status().WithContext(PathIn(directory, kIdentityCertFile));
  CR_ASSIGN_OR_RETURN(PublicKey signing_public_key, certificate->public_key());
  auto enc_pub_pem = ReadNamed(directory, kIdentityEncPubFile);
  if (!enc_pub_pem.ok()) {
    if (enc_pub_pem.status().code() == StatusCode::kNotFound) {
      return Status::FailedPrecondition("identity: " + PathIn(directory, kIdentityEncPubFile) +
                                        " is missing (re-run cleanroom keygen)");
    }
    return enc_pub_pem.status();
  }
  auto enc_pub = PublicKey::FromPem(*enc_pub_pem);
  if (!enc_pub.ok()) return enc_pub.status().WithContext(PathIn(directory, kIdentityEncPubFile));
  if (enc_pub->type() != KeyType::kX25519) {
    return Status::InvalidArgument("identity: " + PathIn(directory, kIdentityEncPubFile) +
                                   " is not an X25519 key");
  }
  std::string name = certificate->subject_common_name();
  return MemberPublicIdentity{MemberIdOf(*certificate), std::move(name), *certificate,
                              std::move(signing_public_key), std::move(enc_pub).value()};
}

Result<bool> IdentityIsProtected(const std::string& directory) {
  CR_ASSIGN_OR_RETURN(std::string key_pem, ReadNamed(directory, kIdentityKeyFile));
  bool is_protected = key_pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos;
  SecureWipe(key_pem.data(), key_pem.size());
  return is_protected;
}

Result<MemberIdentity> LoadIdentity(const std::string& directory,
                                    std::optional<std::string_view> passphrase) {
  // Private keys and the folder holding them are the member's alone (keygen writes 0700, 0600).
  for (const std::string& path :
       {directory, PathIn(directory, kIdentityKeyFile), PathIn(directory, kIdentityEncKeyFile)}) {
    Status mode = CheckOwnerOnly(path);
    if (!mode.ok()) return Status::InvalidArgument("identity: " + mode.message());
  }
  CR_ASSIGN_OR_RETURN(std::string key_pem, ReadNamed(directory, kIdentityKeyFile));
  auto signing_key = PrivateKey::FromPem(key_pem, passphrase);
  SecureWipe(key_pem.data(), key_pem.size());
  if (!signing_key.ok())
    return signing_key.status().WithContext(PathIn(directory, kIdentityKeyFile));
  if (signing_key->type() != KeyType::kEcP384 && signing_key->type() != KeyType::kEd25519 &&
      signing_key->type() != KeyType::kEcP256) {
    return Status::InvalidArgument("identity: key.pem is not a signing key");
  }
  auto enc_key_pem = ReadNamed(directory, kIdentityEncKeyFile);
  if (!enc_key_pem.ok()) {
    if (enc_key_pem.status().code() == StatusCode::kNotFound) {
      return Status::FailedPrecondition("identity: " + PathIn(directory, kIdentityEncKeyFile) +
                                        " is missing (re-run cleanroom keygen)");
    }
    return enc_key_pem.status();
  }
  auto encryption_key = PrivateKey::FromPem(*enc_key_pem, passphrase);
  SecureWipe(enc_key_pem->data(), enc_key_pem->size());
  if (!encryption_key.ok()) {
    return encryption_key.status().WithContext(PathIn(directory, kIdentityEncKeyFile));
  }
  CR_ASSIGN_OR_RETURN(MemberPublicIdentity pub, LoadPublicIdentity(directory));
  CR_RETURN_IF_ERROR(SameKey(pub.signing_public_key, signing_key->public_key(),
                             PathIn(directory, kIdentityCertFile) + " does not certify " +
                                 PathIn(directory, kIdentityKeyFile) + "'s key"));
  CR_RETURN_IF_ERROR(
      SameKey(pub.encryption_public_key, encryption_key->public_key(),
              PathIn(directory, kIdentityEncKeyFile) + " is not the private key of " +
                  PathIn(directory, kIdentityEncPubFile) + " (files from two identities?)"));
  return MemberIdentity{std::move(pub), std::move(signing_key).value(),
                        std::move(encryption_key).value()};
}

}  // namespace cleanroom::crypto
