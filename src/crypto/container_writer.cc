// Streaming encryption into the container format.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>

#include "base/file.h"
#include "crypto/background_sha256.h"
#include "crypto/container.h"
#include "crypto/container_chunk.h"
#include "crypto/random.h"

namespace cleanroom::crypto::container {
namespace {

// Fills `buffer` with up to `size` bytes, looping over short reads. Returns the count (less than
// `size` only at the end of the input).
Result<size_t> ReadFull(const ReadFn& read, uint8_t* buffer, size_t size) {
  size_t got = 0;
  while (got < size) {
    CR_ASSIGN_OR_RETURN(size_t n, read(buffer + got, size - got));
    if (n == 0) break;
    got += n;
  }
  return got;
}

using NoncePrefix = std::array<uint8_t, kNoncePrefixSize>;

Result<EncryptSummary> EncryptStreamUnder(const DataKey& key, const EncryptOptions& options,
                                          const NoncePrefix& nonce_prefix, const ReadFn& read,
                                          const WriteFn& write);

// A buffer encrypted under `nonce_prefix` (random, but for the known-answer test).
Result<Bytes> EncryptBufferUnder(const DataKey& key, const EncryptOptions& options,
                                 const NoncePrefix& nonce_prefix, ByteSpan plaintext,
                                 EncryptSummary* summary) {
  size_t offset = 0;
  ReadFn read = [&](uint8_t* buffer, size_t size) -> Result<size_t> {
    size_t n = std::min(size, plaintext.size() - offset);
    std::copy(plaintext.begin() + offset, plaintext.begin() + offset + n, buffer);
    offset += n;
    return n;
  };
  Bytes out;
  WriteFn write = [&out](ByteSpan data) {
    out.insert(out.end(), data.begin(), data.end());
    return Status::OK();
  };
  CR_ASSIGN_OR_RETURN(EncryptSummary s,
                      EncryptStreamUnder(key, options, nonce_prefix, read, write));
  if (summary != nullptr) *summary = s;
  return out;
}

Result<NoncePrefix> RandomNoncePrefix() {
  NoncePrefix prefix{};
  CR_RETURN_IF_ERROR(RandomBytes(prefix.data(), prefix.size()));
  return prefix;
}

Result<EncryptSummary> EncryptStreamUnder(const DataKey& key, const EncryptOptions& options,
                                          const NoncePrefix& nonce_prefix, const ReadFn& read,
                                          const WriteFn& write) {
  EncryptSummary summary;
  Header& header = summary.header;
  header.dataset_id = options.dataset_id;
  header.key_id = key.key_id();
  header.chunk_size = options.chunk_size;
  header.nonce_prefix = nonce_prefix;
  CR_ASSIGN_OR_RETURN(Bytes header_bytes, EncodeHeader(header));
  CR_ASSIGN_OR_RETURN(Aead aead, Aead::Create(AeadAlgorithm::kAes256Gcm, key.bytes()));
  CR_RETURN_IF_ERROR(write(header_bytes));
  summary.container_size = header_bytes.size();

  // Plaintext chunks rotate through a ring: the next chunk is read before the current one is
  // sealed (to know whether the current one is the last), and the hash helper may lag one chunk
  // behind. Chunks are sealed out of place, so the helper can hash a chunk on another core while
  // it is being encrypted; sealed chunks rotate through a ring of their own when the container
  // is hashed too.
  namespace pipeline = crypto::internal;
  const size_t chunk_size = header.chunk_size;
  const size_t slots = options.hash_plaintext ? pipeline::kHashRingSize : 2;
  const size_t sealed_slots = options.hash_container ? pipeline::kHashRingSize : 1;
  std::array<Bytes, pipeline::kHashRingSize> ring;
  std::array<Bytes, pipeline::kHashRingSize> sealed_ring;
  for (size_t i = 0; i < slots; ++i) ring[i].resize(chunk_size);
  for (size_t i = 0; i < sealed_slots; ++i) sealed_ring[i].resize(chunk_size + kTagSize);
  std::optional<pipeline::BackgroundSha256> hasher;            // Plaintext chunks.
  std::optional<pipeline::BackgroundSha256> container_hasher;  // Header (ticket 1), then chunks.
  Status status = Status::OK();
  auto got = ReadFull(read, ring[0].data(), chunk_size);
  if (!got.ok()) return got.status();
  size_t current_len = *got;
  for (uint64_t index = 0;; ++index) {
    const Bytes& current = ring[index % slots];
    Bytes& next = ring[(index + 1) % slots];
    size_t next_len = 0;
    if (current_len == chunk_size) {
      // `next` last held chunk index + 1 - slots (ticket index + 2 - slots): it must be hashed
      // before it is overwritten.
      if (hasher) hasher->WaitHashed(static_cast<int64_t>(index + 2) - static_cast<int64_t>(slots));
      auto n = ReadFull(read, next.data(), chunk_size);
      if (!n.ok()) {
        status = n.status();
        break;
      }
      next_len = *n;
    }
    bool final_chunk = next_len == 0;
    // A helper thread only pays off when there is a second chunk and a second CPU.
    const bool use_thread = !final_chunk && pipeline::HashThreadWorthwhile();
    const bool tree = options.hash_kind == ContentHashKind::kSha256Tree;
    if (options.hash_plaintext) {
      if (!hasher) hasher.emplace(use_thread, tree);
      hasher->Submit(ByteSpan(current.data(), current_len));
    }
    if (options.hash_container && !container_hasher) {
      container_hasher.emplace(use_thread, tree);
      container_hasher->Submit(header_bytes);
    }
    Bytes& sealed = sealed_ring[index % sealed_slots];
    // `sealed` last held chunk index - sealed_slots (ticket index + 2 - sealed_slots).
    if (container_hasher) {
      container_hasher->WaitHashed(static_cast<int64_t>(index + 2) -
                                   static_cast<int64_t>(sealed_slots));
    }
    auto nonce = internal::ChunkNonce(header, index);
    auto aad = internal::ChunkAad(header, index, final_chunk);
    status = aead.SealInto(nonce, aad, ByteSpan(current.data(), current_len), sealed.data(),
                           sealed.data() + current_len);
    if (!status.ok()) break;
    const ByteSpan stored(sealed.data(), current_len + kTagSize);
    if (container_hasher) container_hasher->Submit(stored);
    status = write(stored);
    if (!status.ok()) break;
    summary.plaintext_size += current_len;
    summary.container_size += current_len + kTagSize;
    summary.chunk_count = index + 1;
    if (options.progress) options.progress(summary.plaintext_size);
    if (final_chunk) break;
    current_len = next_len;
  }
  if (hasher) {
    if (status.ok()) summary.plaintext_sha256 = hasher->Finish();
    hasher.reset();  // Joins the helper before the buffers it reads are wiped.
  }
  if (container_hasher) {
    if (status.ok()) summary.container_sha256 = container_hasher->Finish();
    container_hasher.reset();  // Joins the helper before the buffers it reads are freed.
  }
  for (Bytes& buffer : ring) SecureWipe(buffer);  // They held plaintext.
  CR_RETURN_IF_ERROR(status);
  return summary;
}

}  // namespace

Result<EncryptSummary> EncryptStream(const DataKey& key, const EncryptOptions& options,
                                     const ReadFn& read, const WriteFn& write) {
  CR_ASSIGN_OR_RETURN(NoncePrefix prefix, RandomNoncePrefix());
  return EncryptStreamUnder(key, options, prefix, read, write);
}

Result<EncryptSummary> EncryptFile(const DataKey& key, const EncryptOptions& options,
                                   const std::string& in_path, const std::string& out_path) {
  int fd = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("encrypt: " + in_path + " does not exist");
    return Status::InvalidArgument("encrypt: cannot open " + in_path + ": " + ErrnoText(err));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  ReadFn read = [fd, &in_path](uint8_t* buffer, size_t size) -> Result<size_t> {
    while (true) {
      ssize_t n = ::read(fd, buffer, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) {
        return Status::Internal("encrypt: reading " + in_path + ": " + ErrnoText(errno));
      }
    }
  };
  AtomicFileWriter writer;
  Status opened = writer.Open(out_path, 0644);
  if (!opened.ok()) {
    ::close(fd);
    return opened;
  }
  WriteFn write = [&writer](ByteSpan data) { return writer.Append(data); };
  auto summary = EncryptStream(key, options, read, write);
  ::close(fd);
  if (!summary.ok()) return summary.status();  // The writer removes its temporary file.
  CR_RETURN_IF_ERROR(writer.Commit());
  return summary;
}

Result<Bytes> EncryptBuffer(const DataKey& key, const EncryptOptions& options, ByteSpan plaintext,
                            EncryptSummary* summary) {
  CR_ASSIGN_OR_RETURN(NoncePrefix prefix, RandomNoncePrefix());
  return EncryptBufferUnder(key, options, prefix, plaintext, summary);
}

Result<Bytes> FixedNoncePrefix::EncryptBuffer(const DataKey& key, const EncryptOptions& options,
                                              const NoncePrefix& nonce_prefix, ByteSpan plaintext,
                                              EncryptSummary* summary) {
  return EncryptBufferUnder(key, options, nonce_prefix, plaintext, summary);
}

}  // namespace cleanroom::crypto::container
