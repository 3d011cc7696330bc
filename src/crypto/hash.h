#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::crypto {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

enum class HashAlgorithm { kSha256, kSha384, kSha512 };

// Output size in bytes of `algorithm` (32, 48 or 64).
size_t HashSize(HashAlgorithm algorithm);

// One-shot digests. Never fail (an OpenSSL failure here is a broken installation and aborts).
Sha256Digest Sha256(ByteSpan data);
Bytes Hash(HashAlgorithm algorithm, ByteSpan data);

// Lower-case hex of SHA-256(data), the form ids take in documents (member ids, content hashes).
std::string Sha256Hex(ByteSpan data);

// Incremental SHA-256 for streams. Not thread-safe; movable.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  void Update(ByteSpan data);
  // Returns the digest; the hasher is reset and may be reused.
  Sha256Digest Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// HMAC (RFC 2104) with the given hash.
Bytes Hmac(HashAlgorithm algorithm, ByteSpan key, ByteSpan data);

// HKDF (RFC 5869). Extract returns the PRK (HashSize bytes); Expand returns `length` bytes and is
// InvalidArgument when length > 255 * HashSize.
Bytes HkdfExtract(HashAlgorithm algorithm, ByteSpan salt, ByteSpan ikm);
Result<Bytes> HkdfExpand(HashAlgorithm algorithm, ByteSpan prk, ByteSpan info, size_t length);

}  // namespace cleanroom::crypto
