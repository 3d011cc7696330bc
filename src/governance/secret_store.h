#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/signature.h"

namespace cleanroom::governance {

// A 32-byte key derived from the service's private key with HKDF-SHA256 (salt, info): each use
// (sealing dataset keys, challenges) has its own. The caller wipes it.
Result<Bytes> DeriveServiceKey(const crypto::PrivateKey& service_key, std::string_view salt,
                               std::string_view info);

// Dataset keys at rest: each sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the
// service's private key, in its own file under DATA_DIR/secrets, bound (as AEAD associated data)
// to the collaboration, dataset, version and key id it belongs to. A sealed key is never returned
// to members; Unseal is the internal API for the attested key release of the runtime issue.
// Thread-safe (each call builds its own AEAD context).
class SecretStore {
 public:
  // `directory` is created if missing (mode 0700). The sealing key is derived at once and the
  // service key's raw scalar wiped.
  static Result<SecretStore> Open(const std::string& directory,
                                  const crypto::PrivateKey& service_key);
  SecretStore(SecretStore&&) noexcept = default;
  SecretStore& operator=(SecretStore&&) noexcept = default;
  ~SecretStore();

  // What a sealed key is bound to.
  struct Binding {
    std::string collaboration;
    std::string dataset;  // lower-case
    int64_t version = 0;
    std::string key_id;
    std::string Text() const;
  };

  // The file a binding's key is sealed in: named by the service from the binding alone (hex
  // SHA-256 of Binding::Text()), never from anything else a client sends.
  static std::string FileName(const Binding& binding);

  // Seals `key` into a new pending file beside FileName(binding), fsynced before return; returns
  // its name. Publish moves it into place once the write is authorised and ordered; Remove
  // drops it otherwise. Errors never name a server path (the detail goes to the log).
  Result<std::string> SealPending(const Binding& binding, ByteSpan key) const;
  // Renames `pending` to `file_name` (replacing any unreferenced earlier file) and syncs the
  // directory.
  Status Publish(const std::string& pending, const std::string& file_name) const;
  // Reads and opens a sealed file. DataLoss when it was modified or belongs to another binding;
  // NotFound when absent. The caller wipes the returned key after use.
  Result<Bytes> Unseal(const std::string& file_name, const Binding& binding) const;
  // Removes a pending or published file of a write that the state machine then refused.
  void Remove(const std::string& file_name) const;

 private:
  SecretStore(std::string directory, Bytes sealing_key)
      : directory_(std::move(directory)), sealing_key_(std::move(sealing_key)) {}
  std::string directory_;
  Bytes sealing_key_;
};

}  // namespace cleanroom::governance
