#include "crypto/sha256_tree.h"

#include <algorithm>
#include <cstring>

#include "crypto/sha256_lanes.h"

namespace cleanroom::crypto {
namespace {

// Leaves hashed per interleaved pass.
constexpr size_t kBatchLeaves = kSha256MaxLanes;
constexpr size_t kBatchSize = kBatchLeaves * kSha256TreeLeafSize;

}  // namespace

Sha256TreeHasher::Sha256TreeHasher() { root_.Update(AsBytes(kSha256TreeTag)); }
Sha256TreeHasher::~Sha256TreeHasher() { SecureWipe(batch_); }
Sha256TreeHasher::Sha256TreeHasher(Sha256TreeHasher&&) noexcept = default;
Sha256TreeHasher& Sha256TreeHasher::operator=(Sha256TreeHasher&& other) noexcept {
  if (this != &other) {
    SecureWipe(batch_);
    batch_ = std::move(other.batch_);
    filled_ = other.filled_;
    total_ = other.total_;
    root_ = std::move(other.root_);
  }
  return *this;
}

void Sha256TreeHasher::HashLeaves(const uint8_t* data, size_t leaves) {
  ByteSpan spans[kBatchLeaves];
  Sha256Digest digests[kBatchLeaves];
  for (size_t done = 0; done < leaves; done += kBatchLeaves) {
    const size_t n = std::min(kBatchLeaves, leaves - done);
    for (size_t i = 0; i < n; ++i) {
      spans[i] = ByteSpan(data + (done + i) * kSha256TreeLeafSize, kSha256TreeLeafSize);
    }
    Sha256Many(std::span<const ByteSpan>(spans, n), digests);
    for (size_t i = 0; i < n; ++i) root_.Update(digests[i]);
  }
}

void Sha256TreeHasher::Update(ByteSpan data) {
  total_ += data.size();
  while (!data.empty()) {
    if (filled_ == 0 && data.size() >= kBatchSize) {
      // Whole batches at a leaf boundary: hash them where they are.
      const size_t leaves = data.size() / kBatchSize * kBatchLeaves;
      HashLeaves(data.data(), leaves);
      data = data.subspan(leaves * kSha256TreeLeafSize);
      continue;
    }
    if (batch_.empty()) batch_.resize(kBatchSize);
    const size_t n = std::min(data.size(), kBatchSize - filled_);
    std::memcpy(batch_.data() + filled_, data.data(), n);
    filled_ += n;
    data = data.subspan(n);
    if (filled_ == kBatchSize) {
      HashLeaves(batch_.data(), kBatchLeaves);
      filled_ = 0;
    }
  }
}

Sha256Digest Sha256TreeHasher::Finish() {
  // The leaves left: whole ones, then a shorter last one; empty content is one empty leaf.
  const size_t whole = filled_ / kSha256TreeLeafSize;
  const size_t rest = filled_ % kSha256TreeLeafSize;
  ByteSpan spans[kBatchLeaves];
  Sha256Digest digests[kBatchLeaves];
  size_t n = 0;
  for (; n < whole; ++n) {
    spans[n] = ByteSpan(batch_.data() + n * kSha256TreeLeafSize, kSha256TreeLeafSize);
  }
  if (rest > 0 || total_ == 0)
    spans[n++] = ByteSpan(batch_.data() + whole * kSha256TreeLeafSize, rest);
  Sha256Many(std::span<const ByteSpan>(spans, n), digests);
  for (size_t i = 0; i < n; ++i) root_.Update(digests[i]);
  uint8_t length[8];
  PutU64BE(length, total_);
  root_.Update(length);
  Sha256Digest root = root_.Finish();
  SecureWipe(batch_.data(), filled_);
  filled_ = 0;
  total_ = 0;
  root_.Update(AsBytes(kSha256TreeTag));
  return root;
}

Sha256Digest Sha256Tree(ByteSpan data) {
  Sha256TreeHasher hasher;
  hasher.Update(data);
  return hasher.Finish();
}

std::string Sha256TreeHex(ByteSpan data) { return HexEncode(Sha256Tree(data)); }

}  // namespace cleanroom::crypto
