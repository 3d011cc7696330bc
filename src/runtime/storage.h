#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/container.h"

namespace cleanroom::runtime {

// Where ciphertexts (encrypted datasets, sealed results) live. Objects are named by keys:
// relative paths of [A-Za-z0-9._-] segments separated by '/', never "..". An object is written
// whole or not at all. The operator runs storage and is trusted for availability only: everything
// in it is encrypted, and readers check content hashes. Implementations are thread-safe.
class Storage {
 public:
  virtual ~Storage() = default;

  // The storage's URL, e.g. "file:///srv/cleanroom".
  virtual std::string url() const = 0;
  // Writes the object `key` from what `produce` hands to its writer, atomically: when `produce`
  // (or a write) fails, nothing is left under `key` and an earlier object there is kept.
  virtual Status PutStreaming(
      const std::string& key,
      const std::function<Status(const crypto::container::WriteFn&)>& produce) = 0;
  // The object for positional reads. NotFound naming the key.
  virtual Result<std::unique_ptr<crypto::container::RandomAccessInput>> Open(
      const std::string& key) const = 0;
  // Removes an object; OK when it does not exist.
  virtual Status Remove(const std::string& key) = 0;

  // The whole object readable in memory: a read-only mapping for file storage (no copy), a
  // copy for others. The bytes stay valid while the returned object lives.
  class Mapped {
   public:
    virtual ~Mapped() = default;
    virtual ByteSpan data() const = 0;
  };
  virtual Result<std::unique_ptr<Mapped>> Map(const std::string& key) const;

  Status Put(const std::string& key, ByteSpan data);
  Result<Bytes> Get(const std::string& key) const;
};

// InvalidArgument unless `key` is a well-formed object key (see Storage).
Status CheckStorageKey(std::string_view key);

// The storage of a --storage flag: the flag's URL, or when it is empty the default,
// file://$XDG_DATA_HOME/cleanroom/storage (else $HOME/.local/share/cleanroom/storage; the XDG base
// directories), which does not depend on the working directory. InvalidArgument when neither
// variable holds an absolute path.
Result<std::string> StorageUrlOrDefault(const std::string& flag);
// The default in words, for --help.
inline constexpr char kDefaultStorageText[] =
    "default: file://$XDG_DATA_HOME/cleanroom/storage, else ~/.local/share/cleanroom/storage";

// Opens a storage by URL. "file://DIR" (DIR absolute or relative to the working directory;
// created if missing) is the embedded kind; a bare path counts as file://; an empty URL is the
// default (StorageUrlOrDefault). InvalidArgument for any other scheme.
Result<std::unique_ptr<Storage>> OpenStorage(const std::string& url);

}  // namespace cleanroom::runtime
