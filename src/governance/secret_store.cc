#include "governance/secret_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"
#include "base/logging.h"
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
  CR_ASSIGN_OR_RETURN(Bytes key, DeriveServiceKey(service_key, "cleanroom-governance-secrets-v1",
                                                  "dataset key sealing, AES-256-GCM"));
  return SecretStore(directory, std::move(key));
}

Result<Bytes> DeriveServiceKey(const crypto::PrivateKey& service_key, std::string_view salt,
                               std::string_view info) {
  CR_ASSIGN_OR_RETURN(Bytes ikm, service_key.ToRaw());
  Bytes prk = crypto::HkdfExtract(crypto::HashAlgorithm::kSha256, AsBytes(salt), ikm);
  SecureWipe(ikm);
  auto key = crypto::HkdfExpand(crypto::HashAlgorithm::kSha256, prk, AsBytes(info), 32);
  SecureWipe(prk);
  return key;
}

SecretStore::~SecretStore() { SecureWipe(sealing_key_); }

std::string SecretStore::FileName(const Binding& binding) {
  return crypto::Sha256Hex(AsBytes(binding.Text())) + ".sealed";
}

Result<std::string> SecretStore::SealPending(const Binding& binding, ByteSpan key) const {
  CR_ASSIGN_OR_RETURN(crypto::Aead aead,
                      crypto::Aead::Create(crypto::AeadAlgorithm::kAes256Gcm, sealing_key_));
  CR_ASSIGN_OR_RETURN(Bytes nonce, crypto::RandomBytes(crypto::kAeadNonceSize));
  CR_ASSIGN_OR_RETURN(Bytes suffix, crypto::RandomBytes(8));
  std::string aad = binding.Text();
  CR_ASSIGN_OR_RETURN(Bytes sealed, aead.Seal(nonce, AsBytes(aad), key));
  std::string file(kMagic, kMagicSize);
  file.append(AsStringView(nonce));
  file.append(AsStringView(sealed));
  std::string pending = FileName(binding) + ".pending-" + HexEncode(suffix);
  Status written = WriteFileAtomic(directory_ + "/" + pending, file, 0600);
  if (!written.ok()) {
    LogError("sealing a dataset key: " + written.ToString());
    return Status::Unavailable("the service cannot store sealed keys now");
  }
  return pending;
}

Status SecretStore::Publish(const std::string& pending, const std::string& file_name) const {
  if (!IsPlainName(pending) || !IsPlainName(file_name)) {
    return Status::InvalidArgument("secret file name is not plain");
  }
  if (::rename((directory_ + "/" + pending).c_str(), (directory_ + "/" + file_name).c_str()) != 0) {
    LogError("publishing a sealed dataset key: " + ErrnoText(errno));
    return Status::Unavailable("the service cannot store sealed keys now");
  }
  int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::OK();
}

Result<Bytes> SecretStore::Unseal(const std::string& file_name, const Binding& binding) const {
  if (!IsPlainName(file_name)) return Status::InvalidArgument("secret file name is not plain");
  auto read = ReadFileToString(directory_ + "/" + file_name);
  if (!read.ok()) {
    LogError("reading a sealed dataset key: " + read.status().ToString());
    return Status::DataLoss("the sealed key of this dataset version cannot be read");
  }
  std::string file = std::move(read).value();
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
