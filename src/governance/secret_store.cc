#include "governance/secret_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace cleanroom::governance {
namespace {

constexpr char kMagic[] = "CRSEAL01";  // 8 bytes, then a 12-byte nonce, then ciphertext || tag
constexpr size_t kMagicSize = 8;

bool IsPlainName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

}  // namespace

std::string SecretStore::Binding::Text() const {
  return "cleanroom-dataset-key-v1\n" + collaboration + "\n" + dataset + "\n" +
         std::to_string(version) + "\n" + key_id;
}

Result<SecretStore> SecretStore::Open(const std::string& directory,
                                      const crypto::PrivateKey& service_key) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create " + directory + ": " + ErrnoText(errno));
  }
  CR_ASSIGN_OR_RETURN(Bytes ikm, service_key.ToRaw());
  Bytes prk = crypto::HkdfExtract(crypto::HashAlgorithm::kSha256,
                                  AsBytes("cleanroom-governance-secrets-v1"), ikm);
  SecureWipe(ikm);
  auto key = crypto::HkdfExpand(crypto::HashAlgorithm::kSha256, prk,
                                AsBytes("dataset key sealing, AES-256-GCM"), 32);
  SecureWipe(prk);
  if (!key.ok()) return key.status();
  return SecretStore(directory, std::move(key).value());
}

SecretStore::~SecretStore() { SecureWipe(sealing_key_); }

Status SecretStore::Seal(const std::string& file_name, const Binding& binding,
                         ByteSpan key) const {
  if (!IsPlainName(file_name)) return Status::InvalidArgument("secret file name is not plain");
  CR_ASSIGN_OR_RETURN(crypto::Aead aead,
                      crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, sealing_key_));
  CR_ASSIGN_OR_RETURN(Bytes nonce, crypto::RandomBytes(crypto::kAeadNonceSize));
  std::string aad = binding.Text();
  CR_ASSIGN_OR_RETURN(Bytes sealed, aead.Seal(nonce, AsBytes(aad), key));
  std::string file(kMagic, kMagicSize);
  file.append(AsStringView(nonce));
  file.append(AsStringView(sealed));
  return WriteFileAtomic(directory_ + "/" + file_name, file, 0600);
}

Result<Bytes> SecretStore::Unseal(const std::string& file_name, const Binding& binding) const {
  if (!IsPlainName(file_name)) return Status::InvalidArgument("secret file name is not plain");
  CR_ASSIGN_OR_RETURN(std::string file, ReadFileToString(directory_ + "/" + file_name));
  if (file.size() < kMagicSize + crypto::kAeadNonceSize + crypto::kAeadTagSize ||
      file.compare(0, kMagicSize, kMagic) != 0) {
    return Status::DataLoss("sealed secret " + file_name + ": not a sealed key file");
  }
  ByteSpan all = AsBytes(file);
  CR_ASSIGN_OR_RETURN(crypto::Aead aead,
                      crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, sealing_key_));
  std::string aad = binding.Text();
  auto key = aead.Open(all.subspan(kMagicSize, crypto::kAeadNonceSize), AsBytes(aad),
                       all.subspan(kMagicSize + crypto::kAeadNonceSize));
  if (!key.ok()) {
    return Status::DataLoss("sealed secret " + file_name +
                            ": does not open (modified, or bound to another dataset)");
  }
  return key;
}

void SecretStore::Remove(const std::string& file_name) const {
  if (IsPlainName(file_name)) ::unlink((directory_ + "/" + file_name).c_str());
}

}  // namespace cleanroom::governance
