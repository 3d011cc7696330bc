#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/aead.h"
#include "crypto/hash.h"

namespace cleanroom::crypto::testing {
class KnownAnswerAccess;  // Defined only by the crypto tests (src/crypto/tests).
}  // namespace cleanroom::crypto::testing

// The encrypted dataset container (docs/formats/encrypted-dataset.md): a header, then chunks of
// plaintext sealed with AES-256-GCM, nonce = prefix || chunk index, associated data binding the
// header hash, the chunk index and a final-chunk flag. Any chunk can be read on its own.
namespace cleanroom::crypto::container {

inline constexpr size_t kDataKeySize = 32;
inline constexpr size_t kKeyIdSize = 16;
inline constexpr size_t kNoncePrefixSize = 4;
inline constexpr size_t kTagSize = 16;
inline constexpr uint16_t kFormatVersion = 1;
inline constexpr uint32_t kMinChunkSize = 1024;
inline constexpr uint32_t kMaxChunkSize = 64u << 20;
inline constexpr uint32_t kDefaultChunkSize = 256u << 10;
inline constexpr size_t kMaxDatasetIdSize = 1024;

// A data encryption key (DEK): 32 random bytes. Its id is derived from it (the first 16 bytes of
// HMAC-SHA256(key, "cleanroom.container.key-id.v1")), so a container names the key it needs
// without revealing it. Wiped on destruction; copying is explicit (Clone).
class DataKey {
 public:
  static Result<DataKey> Generate();
  // InvalidArgument unless exactly 32 bytes.
  static Result<DataKey> FromBytes(ByteSpan key);
  // The .dek file text (docs/formats/encrypted-dataset.md):
  // {"format":"cleanroom-dek","version":1,"alg":"A256GCM","key_id":"<hex>","key":"<base64>"}.
  // The result holds key material: the caller wipes it after writing.
  std::string Serialize() const;
  // Parses a .dek file; checks that key_id matches the key. Errors never quote the key.
  static Result<DataKey> Parse(std::string_view text);
  // Reads and parses the .dek file at `path` (errors prefixed with the path). InvalidArgument
  // when group or others may read it (a data key is a secret: `encrypt` writes it 0600).
  static Result<DataKey> ReadFile(const std::string& path);

  DataKey(DataKey&&) noexcept;
  DataKey& operator=(DataKey&&) noexcept;
  ~DataKey();
  DataKey Clone() const;

  ByteSpan bytes() const { return ByteSpan(key_.data(), key_.size()); }
  const std::array<uint8_t, kKeyIdSize>& key_id() const { return key_id_; }

 private:
  DataKey() = default;
  std::array<uint8_t, kDataKeySize> key_{};
  std::array<uint8_t, kKeyIdSize> key_id_{};
};

// The parsed header.
struct Header {
  uint16_t version = kFormatVersion;
  std::string dataset_id;
  std::array<uint8_t, kKeyIdSize> key_id{};
  uint32_t chunk_size = kDefaultChunkSize;
  std::array<uint8_t, kNoncePrefixSize> nonce_prefix{};
  Sha256Digest header_hash{};  // SHA-256 of the header bytes before it.
  size_t encoded_size = 0;     // Bytes of the header in the file.
};

// Serializes a header and computes header_hash and encoded_size. InvalidArgument when a field
// is out of range.
Result<Bytes> EncodeHeader(Header& header);
// Parses the header at the start of `data` (which may continue with chunks). DataLoss naming
// the field for a bad magic, unknown version, out-of-range field, truncated header or a header
// hash that does not match; never reads past `data`.
Result<Header> ParseHeader(ByteSpan data);
// The header's maximum size, enough to parse it from a prefix of a file.
size_t MaxHeaderSize();

// Sequential input: reads up to `size` bytes, returns how many (0 at the end).
using ReadFn = std::function<Result<size_t>(uint8_t* buffer, size_t size)>;
// Sequential output.
using WriteFn = std::function<Status(ByteSpan data)>;
// Called after each chunk with the plaintext bytes processed so far.
using ProgressFn = std::function<void(uint64_t bytes_done)>;

// The digest the container code computes over a stream (plaintext or container): plain SHA-256
// (FIPS 180-4), or sha256-tree-v1 (crypto/sha256_tree.h; docs/formats/encrypted-dataset.md,
// "Content hashes"), whose leaves are hashed four at a time: about 3.5 GB/s on one core against
// 2 for SHA-256, which lets a single core encrypt and hash at over 1.5 GB/s.
enum class ContentHashKind { kSha256, kSha256Tree };

struct EncryptOptions {
  std::string dataset_id;
  uint32_t chunk_size = kDefaultChunkSize;
  ProgressFn progress;
  // SHA-256 of the plaintext into EncryptSummary::plaintext_sha256. SHA-256 (about 2 GB/s per
  // core with SHA-NI) costs more than AES-256-GCM (about 5 GB/s), so when the process may use
  // two CPUs and the input has more than one chunk it runs on a helper thread beside the cipher.
  // Turn it off when the caller does not need it (it is then left zero).
  bool hash_plaintext = true;
  // SHA-256 of the container as written (header and chunks) into
  // EncryptSummary::container_sha256: the dataset document's contentHash. Computed like the
  // plaintext's, on its own helper thread when that pays off.
  bool hash_container = false;
  // What both hashes above are. The dataset document's contentHash is kSha256Tree.
  ContentHashKind hash_kind = ContentHashKind::kSha256;
  // There is no option for the nonce prefix: it is drawn at random for every container, since two
  // containers under one key with one prefix would reuse every AES-GCM nonce.
};

// What an encryption produced; plaintext_sha256 goes into the dataset document.
struct EncryptSummary {
  Header header;
  uint64_t plaintext_size = 0;
  uint64_t chunk_count = 0;
  uint64_t container_size = 0;
  // Both of EncryptOptions::hash_kind.
  Sha256Digest plaintext_sha256{};
  Sha256Digest container_sha256{};  // With EncryptOptions::hash_container; zero otherwise.
};

// Encrypts everything `read` yields into `write`, holding at most six chunks in memory (three
// plaintext, three sealed; three in all with neither hash). `write` must be done with its span
// when it returns. `read` and `write` are called on the caller's thread only.
Result<EncryptSummary> EncryptStream(const DataKey& key, const EncryptOptions& options,
                                     const ReadFn& read, const WriteFn& write);
// Encrypts the file `in_path` to `out_path`, atomically (nothing is left at out_path on error).
Result<EncryptSummary> EncryptFile(const DataKey& key, const EncryptOptions& options,
                                   const std::string& in_path, const std::string& out_path);
// Encrypts a buffer (small inputs, tests).
Result<Bytes> EncryptBuffer(const DataKey& key, const EncryptOptions& options, ByteSpan plaintext,
                            EncryptSummary* summary = nullptr);

// Encryption under a chosen nonce prefix, for the format's known-answer test (a container built
// by hand from the format document must equal ours byte for byte). Private: only the tests'
// friend reaches it, so no product caller can force a nonce.
class FixedNoncePrefix {
 private:
  friend class ::cleanroom::crypto::testing::KnownAnswerAccess;
  static Result<Bytes> EncryptBuffer(const DataKey& key, const EncryptOptions& options,
                                     const std::array<uint8_t, kNoncePrefixSize>& nonce_prefix,
                                     ByteSpan plaintext, EncryptSummary* summary);
};

// Random-access input for the reader.
class RandomAccessInput {
 public:
  virtual ~RandomAccessInput() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly `size` bytes at `offset`; DataLoss when the input is shorter.
  virtual Status ReadAt(uint64_t offset, uint8_t* out, size_t size) const = 0;
};
// A file opened for positional reads (pread). NotFound naming the path.
Result<std::unique_ptr<RandomAccessInput>> OpenFileInput(const std::string& path);
// A view of memory; `data` must outlive the input.
std::unique_ptr<RandomAccessInput> MemoryInput(ByteSpan data);

// Reads a container with random access. Every chunk is authenticated before its plaintext is
// returned; a failure is DataLoss naming the chunk ("chunk 7 of 12: ..."). Holds one sealed
// chunk and at most three plaintext chunks in memory (DecryptAll). Not thread-safe (one reader
// per thread; readers may share a file).
class Reader {
 public:
  // Parses and checks the header and the container's length. DataLoss for a corrupt header or
  // a length no chunk layout explains.
  static Result<std::unique_ptr<Reader>> Open(std::unique_ptr<RandomAccessInput> input,
                                              const DataKey& key);
  ~Reader();

  const Header& header() const { return header_; }
  uint64_t chunk_count() const { return chunk_count_; }
  // Plaintext size implied by the container's length (authenticated once the last chunk is).
  uint64_t plaintext_size() const { return plaintext_size_; }

  // Decrypts chunk `index` into `out` (resized). OutOfRange-like InvalidArgument for an index
  // >= chunk_count(). On DataLoss `out` is cleared.
  Status ReadChunk(uint64_t index, Bytes& out);
  Result<Bytes> ReadChunk(uint64_t index);
  // Decrypts chunk `index` straight into `out`, which must be exactly ChunkPlaintextSize(index)
  // bytes (no intermediate plaintext copy). On DataLoss `out` is wiped.
  Status ReadChunkInto(uint64_t index, std::span<uint8_t> out);
  // The plaintext length of chunk `index` (chunk_size, or less for the last); 0 out of range.
  size_t ChunkPlaintextSize(uint64_t index) const;
  // Plaintext bytes [offset, offset + length), decrypting only the chunks that cover them.
  Result<Bytes> ReadRange(uint64_t offset, size_t length);
  // Decrypts every chunk in order and hands each plaintext to `sink` (the span is valid during
  // the call only; the sink must not modify it). Stops at the first error. Returns the
  // plaintext's SHA-256, computed on a helper thread beside the decryption when the process may
  // use two CPUs. `sink` and `progress` are called on the caller's thread only. `kind` chooses
  // the digest (plain SHA-256 or sha256-tree-v1).
  Result<Sha256Digest> DecryptAll(const std::function<Status(uint64_t index, ByteSpan)>& sink,
                                  const ProgressFn& progress = nullptr,
                                  ContentHashKind kind = ContentHashKind::kSha256);
  // As DecryptAll without the SHA-256: the chunks are authenticated all the same (the fast path
  // for loading into the engine).
  Status DecryptEach(const std::function<Status(uint64_t index, ByteSpan)>& sink,
                     const ProgressFn& progress = nullptr);
  // The whole plaintext in memory.
  Result<Bytes> DecryptToBuffer();

  // Number of chunks decrypted so far (to check that random reads cost one chunk).
  uint64_t chunks_decrypted() const { return chunks_decrypted_; }

 private:
  Reader() = default;
  Status DecryptChunkAt(uint64_t index, Bytes& out);
  Status DecryptChunkInto(uint64_t index, uint8_t* out);
  Status DecryptInOrder(const std::function<Status(uint64_t index, ByteSpan)>& sink,
                        const ProgressFn& progress, Sha256Digest* digest, ContentHashKind kind);
  std::unique_ptr<RandomAccessInput> input_;
  Header header_;
  std::array<uint8_t, kKeyIdSize> key_id_{};
  std::unique_ptr<Aead> aead_;
  uint64_t chunk_count_ = 0;
  uint64_t plaintext_size_ = 0;
  uint64_t chunks_decrypted_ = 0;
  Bytes sealed_;  // Reused buffer of one sealed chunk.
  Bytes chunk_;   // Reused plaintext buffer of ReadRange.
};

struct DecryptSummary {
  uint64_t plaintext_size = 0;
  uint64_t chunk_count = 0;
  Sha256Digest plaintext_sha256{};  // Of DecryptFile's `kind`.
  std::string dataset_id;
};

// Decrypts `in_path` to `out_path` atomically: on any error (wrong key, tampering) nothing is
// left at out_path.
Result<DecryptSummary> DecryptFile(const DataKey& key, const std::string& in_path,
                                   const std::string& out_path,
                                   const ProgressFn& progress = nullptr,
                                   ContentHashKind kind = ContentHashKind::kSha256);
// Decrypts a container held in memory.
Result<Bytes> DecryptBuffer(const DataKey& key, ByteSpan container);

}  // namespace cleanroom::crypto::container
