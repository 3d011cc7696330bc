#pragma once
// Internal to the container code: the per-chunk nonce and associated data.

#include <array>
#include <cstring>

#include "crypto/container.h"

namespace cleanroom::crypto::container::internal {

inline constexpr size_t kChunkAadSize = kSha256Size + 8 + 1;

// nonce = nonce_prefix (4 bytes) || chunk index (8 bytes, big-endian).
inline std::array<uint8_t, kAeadNonceSize> ChunkNonce(const Header& header, uint64_t index) {
  std::array<uint8_t, kAeadNonceSize> nonce{};
  std::memcpy(nonce.data(), header.nonce_prefix.data(), kNoncePrefixSize);
  PutU64BE(nonce.data() + kNoncePrefixSize, index);
  return nonce;
}

// aad = header_hash (32) || chunk index (8, big-endian) || final flag (1: 0x01 last, else 0x00).
inline std::array<uint8_t, kChunkAadSize> ChunkAad(const Header& header, uint64_t index,
                                                   bool final_chunk) {
  std::array<uint8_t, kChunkAadSize> aad{};
  std::memcpy(aad.data(), header.header_hash.data(), kSha256Size);
  PutU64BE(aad.data() + kSha256Size, index);
  aad[kSha256Size + 8] = final_chunk ? 1 : 0;
  return aad;
}

}  // namespace cleanroom::crypto::container::internal
