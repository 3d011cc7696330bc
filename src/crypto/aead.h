#pragma once

#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::crypto {

enum class AeadAlgorithm { kAes128Gcm, kAes256Gcm, kChaCha20Poly1305 };

inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadNonceSize = 12;

// Key size in bytes: 16 for AES-128-GCM, 32 otherwise.
size_t AeadKeySize(AeadAlgorithm algorithm);
const char* AeadName(AeadAlgorithm algorithm);

// An AEAD with a fixed key, reusable for many messages (the key schedule runs once). The key is
// copied into OpenSSL's context and wiped there on destruction. Not thread-safe: use one object
// per thread. Nonces are 12 bytes; tags 16 bytes, appended to the ciphertext.
class Aead {
 public:
  // InvalidArgument when the key has the wrong size.
  static Result<Aead> Create(AeadAlgorithm algorithm, ByteSpan key);

  Aead(Aead&&) noexcept;
  Aead& operator=(Aead&&) noexcept;
  ~Aead();

  AeadAlgorithm algorithm() const { return algorithm_; }

  // Returns ciphertext || tag.
  Result<Bytes> Seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext);
  // `ciphertext` is ciphertext || tag. DataLoss when authentication fails (wrong key, wrong
  // nonce or aad, or modified data); the output is never released in that case.
  Result<Bytes> Open(ByteSpan nonce, ByteSpan aad, ByteSpan ciphertext);

  // Zero-copy forms for bulk data. `out` must hold `in.size()` bytes and may equal `in.data()`
  // (in place). SealInto writes the 16-byte tag to `tag`. OpenInto checks `tag`; on DataLoss the
  // contents of `out` are unspecified and must not be used (the caller wipes or discards them).
  Status SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan in, uint8_t* out, uint8_t* tag);
  Status OpenInto(ByteSpan nonce, ByteSpan aad, ByteSpan in, ByteSpan tag, uint8_t* out);

 private:
  struct State;
  Aead(AeadAlgorithm algorithm, std::unique_ptr<State> state);
  AeadAlgorithm algorithm_;
  std::unique_ptr<State> state_;
};

}  // namespace cleanroom::crypto
