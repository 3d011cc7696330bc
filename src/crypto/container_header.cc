// The container header: layout in docs/formats/encrypted-dataset.md.
#include <cstring>

#include "crypto/container.h"

namespace cleanroom::crypto::container {
namespace {

constexpr uint8_t kMagic[8] = {'C', 'R', 'E', 'N', 'C', 'D', 'S', '\n'};
constexpr uint16_t kAeadAes256Gcm = 1;
// magic(8) version(2) aead(2) chunk_size(4) nonce_prefix(4) key_id(16) dataset_id_len(2).
constexpr size_t kFixedSize = 8 + 2 + 2 + 4 + kNoncePrefixSize + kKeyIdSize + 2;

}  // namespace

size_t MaxHeaderSize() { return kFixedSize + kMaxDatasetIdSize + kSha256Size; }

Result<Bytes> EncodeHeader(Header& header) {
  if (header.version != kFormatVersion) {
    return Status::InvalidArgument("container header: unsupported version");
  }
  if (header.chunk_size < kMinChunkSize || header.chunk_size > kMaxChunkSize) {
    return Status::InvalidArgument("container header: chunk size must be between " +
                                   std::to_string(kMinChunkSize) + " and " +
                                   std::to_string(kMaxChunkSize) + " bytes");
  }
  if (header.dataset_id.size() > kMaxDatasetIdSize) {
    return Status::InvalidArgument("container header: dataset id longer than " +
                                   std::to_string(kMaxDatasetIdSize) + " bytes");
  }
  Bytes out(kFixedSize + header.dataset_id.size());
  uint8_t* p = out.data();
  std::memcpy(p, kMagic, 8);
  p[8] = static_cast<uint8_t>(header.version >> 8);
  p[9] = static_cast<uint8_t>(header.version);
  p[10] = 0;
  p[11] = kAeadAes256Gcm;
  PutU32BE(p + 12, header.chunk_size);
  std::memcpy(p + 16, header.nonce_prefix.data(), kNoncePrefixSize);
  std::memcpy(p + 20, header.key_id.data(), kKeyIdSize);
  p[36] = static_cast<uint8_t>(header.dataset_id.size() >> 8);
  p[37] = static_cast<uint8_t>(header.dataset_id.size());
  std::memcpy(p + kFixedSize, header.dataset_id.data(), header.dataset_id.size());
  header.header_hash = Sha256(out);
  out.insert(out.end(), header.header_hash.begin(), header.header_hash.end());
  header.encoded_size = out.size();
  return out;
}

Result<Header> ParseHeader(ByteSpan data) {
  if (data.size() < kFixedSize) return Status::DataLoss("container header: truncated");
  const uint8_t* p = data.data();
  if (std::memcmp(p, kMagic, 8) != 0) {
    return Status::DataLoss("container header: bad magic (not an encrypted dataset)");
  }
  Header h;
  h.version = static_cast<uint16_t>(p[8] << 8 | p[9]);
  if (h.version != kFormatVersion) {
    return Status::DataLoss("container header: unsupported version " + std::to_string(h.version));
  }
  uint16_t aead = static_cast<uint16_t>(p[10] << 8 | p[11]);
  if (aead != kAeadAes256Gcm) {
    return Status::DataLoss("container header: unknown AEAD id " + std::to_string(aead));
  }
  h.chunk_size = GetU32BE(p + 12);
  if (h.chunk_size < kMinChunkSize || h.chunk_size > kMaxChunkSize) {
    return Status::DataLoss("container header: chunk size out of range");
  }
  std::memcpy(h.nonce_prefix.data(), p + 16, kNoncePrefixSize);
  std::memcpy(h.key_id.data(), p + 20, kKeyIdSize);
  size_t id_len = static_cast<size_t>(p[36] << 8 | p[37]);
  if (id_len > kMaxDatasetIdSize) return Status::DataLoss("container header: dataset id too long");
  size_t hashed = kFixedSize + id_len;
  if (data.size() < hashed + kSha256Size) return Status::DataLoss("container header: truncated");
  h.dataset_id.assign(reinterpret_cast<const char*>(p + kFixedSize), id_len);
  Sha256Digest expected = Sha256(data.first(hashed));
  std::memcpy(h.header_hash.data(), p + hashed, kSha256Size);
  if (expected != h.header_hash) {
    return Status::DataLoss("container header: header hash does not match (header corrupt)");
  }
  h.encoded_size = hashed + kSha256Size;
  return h;
}

}  // namespace cleanroom::crypto::container
