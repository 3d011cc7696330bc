// Random-access and sequential decryption of the container format.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/file.h"
#include "crypto/background_sha256.h"
#include "crypto/container.h"
#include "crypto/container_chunk.h"

namespace cleanroom::crypto::container {
namespace {

class FileInput : public RandomAccessInput {
 public:
  FileInput(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileInput() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, uint8_t* out, size_t size) const override {
    while (size > 0) {
      ssize_t n = ::pread(fd_, out, size, static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Internal("reading " + path_ + ": " + ErrnoText(errno));
      }
      if (n == 0) return Status::DataLoss(path_ + ": file shorter than expected");
      out += n;
      offset += static_cast<uint64_t>(n);
      size -= static_cast<size_t>(n);
    }
    return Status::OK();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

class MemoryInputImpl : public RandomAccessInput {
 public:
  explicit MemoryInputImpl(ByteSpan data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  Status ReadAt(uint64_t offset, uint8_t* out, size_t size) const override {
    if (offset > data_.size() || size > data_.size() - offset) {
      return Status::DataLoss("input shorter than expected");
    }
    if (size > 0) std::memcpy(out, data_.data() + offset, size);  // memcpy(null, ..., 0) is UB.
    return Status::OK();
  }

 private:
  ByteSpan data_;
};

}  // namespace

Result<std::unique_ptr<RandomAccessInput>> OpenFileInput(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + " does not exist");
    return Status::InvalidArgument("cannot open " + path + ": " + ErrnoText(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + " is not a regular file");
  }
  return std::unique_ptr<RandomAccessInput>(
      new FileInput(fd, static_cast<uint64_t>(st.st_size), path));
}

std::unique_ptr<RandomAccessInput> MemoryInput(ByteSpan data) {
  return std::make_unique<MemoryInputImpl>(data);
}

Reader::~Reader() {
  SecureWipe(sealed_);
  SecureWipe(chunk_);
}

Result<std::unique_ptr<Reader>> Reader::Open(std::unique_ptr<RandomAccessInput> input,
                                             const DataKey& key) {
  uint64_t size = input->size();
  Bytes prefix(static_cast<size_t>(std::min<uint64_t>(size, MaxHeaderSize())));
  CR_RETURN_IF_ERROR(input->ReadAt(0, prefix.data(), prefix.size()));
  CR_ASSIGN_OR_RETURN(Header header, ParseHeader(prefix));
  std::unique_ptr<Reader> reader(new Reader());
  const uint64_t body = size - header.encoded_size;
  const uint64_t unit = uint64_t{header.chunk_size} + kTagSize;
  // Every container has at least one chunk (an empty plaintext is one empty final chunk).
  if (body == 0) return Status::DataLoss("chunk 0: missing (container truncated after the header)");
  reader->chunk_count_ = (body + unit - 1) / unit;
  uint64_t last = body - (reader->chunk_count_ - 1) * unit;
  if (last < kTagSize) {
    return Status::DataLoss("chunk " + std::to_string(reader->chunk_count_ - 1) + " of " +
                            std::to_string(reader->chunk_count_) +
                            ": truncated (shorter than its tag)");
  }
  reader->plaintext_size_ =
      (reader->chunk_count_ - 1) * uint64_t{header.chunk_size} + last - kTagSize;
  CR_ASSIGN_OR_RETURN(Aead aead, Aead::Create(AeadAlgorithm::kAes256Gcm, key.bytes()));
  reader->aead_ = std::make_unique<Aead>(std::move(aead));
  reader->key_id_ = key.key_id();
  reader->header_ = std::move(header);
  reader->input_ = std::move(input);
  return reader;
}

size_t Reader::ChunkPlaintextSize(uint64_t index) const {
  if (index >= chunk_count_) return 0;
  return index + 1 == chunk_count_
             ? static_cast<size_t>(plaintext_size_ - index * header_.chunk_size)
             : header_.chunk_size;
}

Status Reader::DecryptChunkAt(uint64_t index, Bytes& out) {
  out.resize(ChunkPlaintextSize(index));
  Status s = DecryptChunkInto(index, out.data());
  if (!s.ok()) out.clear();
  return s;
}

Status Reader::DecryptChunkInto(uint64_t index, uint8_t* out) {
  const uint64_t unit = uint64_t{header_.chunk_size} + kTagSize;
  const bool final_chunk = index + 1 == chunk_count_;
  const size_t plain_len = ChunkPlaintextSize(index);
  const std::string where =
      "chunk " + std::to_string(index) + " of " + std::to_string(chunk_count_);
  sealed_.resize(plain_len + kTagSize);
  Status read = input_->ReadAt(header_.encoded_size + index * unit, sealed_.data(), sealed_.size());
  if (!read.ok()) return read.WithContext(where);
  auto nonce = internal::ChunkNonce(header_, index);
  auto aad = internal::ChunkAad(header_, index, final_chunk);
  Status s = aead_->OpenInto(nonce, aad, ByteSpan(sealed_.data(), plain_len),
                             ByteSpan(sealed_.data() + plain_len, kTagSize), out);
  ++chunks_decrypted_;
  if (!s.ok()) {
    SecureWipe(out, plain_len);
    if (s.code() != StatusCode::kDataLoss) return s.WithContext(where);
    std::string hint = header_.key_id == key_id_
                           ? "the container is truncated, reordered or modified"
                           : "the key's id differs from the header's: wrong key or modified header";
    return Status::DataLoss(where + ": authentication failed (" + hint + ")");
  }
  return Status::OK();
}

Status Reader::ReadChunkInto(uint64_t index, std::span<uint8_t> out) {
  if (index >= chunk_count_) {
    return Status::InvalidArgument("chunk " + std::to_string(index) + " out of range (" +
                                   std::to_string(chunk_count_) + " chunks)");
  }
  if (out.size() != ChunkPlaintextSize(index)) {
    return Status::InvalidArgument("chunk " + std::to_string(index) +
                                   ": the output span is not its size");
  }
  return DecryptChunkInto(index, out.data());
}

Status Reader::ReadChunk(uint64_t index, Bytes& out) {
  if (index >= chunk_count_) {
    return Status::InvalidArgument("chunk " + std::to_string(index) + " out of range (" +
                                   std::to_string(chunk_count_) + " chunks)");
  }
  return DecryptChunkAt(index, out);
}

Result<Bytes> Reader::ReadChunk(uint64_t index) {
  Bytes out;
  CR_RETURN_IF_ERROR(ReadChunk(index, out));
  return out;
}

Result<Bytes> Reader::ReadRange(uint64_t offset, size_t length) {
  if (offset > plaintext_size_ || length > plaintext_size_ - offset) {
    return Status::InvalidArgument("range beyond the plaintext size of " +
                                   std::to_string(plaintext_size_) + " bytes");
  }
  Bytes out;
  out.reserve(length);
  const uint64_t chunk_size = header_.chunk_size;
  for (uint64_t pos = offset; pos < offset + length;) {
    uint64_t index = pos / chunk_size;
    CR_RETURN_IF_ERROR(DecryptChunkAt(index, chunk_));
    size_t from = static_cast<size_t>(pos - index * chunk_size);
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_.size() - from, offset + length - pos));
    out.insert(out.end(), chunk_.begin() + from, chunk_.begin() + from + n);
    pos += n;
  }
  return out;
}

Status Reader::DecryptInOrder(const std::function<Status(uint64_t, ByteSpan)>& sink,
                              const ProgressFn& progress, Sha256Digest* digest,
                              ContentHashKind kind) {
  // With a hash, plaintext chunks rotate through a ring so that a helper thread can hash one
  // while the next is decrypted (and handed to `sink`) on this one.
  const size_t slots = digest != nullptr ? crypto::internal::kHashRingSize : 1;
  std::array<Bytes, crypto::internal::kHashRingSize> ring;
  std::optional<crypto::internal::BackgroundSha256> hasher;
  if (digest != nullptr) {
    hasher.emplace(chunk_count_ > 1 && crypto::internal::HashThreadWorthwhile(),
                   kind == ContentHashKind::kSha256Tree);
  }
  Status status = Status::OK();
  uint64_t done = 0;
  for (uint64_t i = 0; i < chunk_count_; ++i) {
    Bytes& chunk = ring[i % slots];
    // The slot last held chunk i - slots (ticket i + 1 - slots).
    if (hasher) hasher->WaitHashed(static_cast<int64_t>(i + 1) - static_cast<int64_t>(slots));
    status = DecryptChunkAt(i, chunk);
    if (!status.ok()) break;
    if (hasher) hasher->Submit(chunk);
    status = sink(i, chunk);
    if (!status.ok()) break;
    done += chunk.size();
    if (progress) progress(done);
  }
  if (hasher) {
    if (status.ok()) *digest = hasher->Finish();
    hasher.reset();  // Joins the helper before the buffers it reads are wiped.
  }
  for (Bytes& chunk : ring) SecureWipe(chunk);
  return status;
}

Result<Sha256Digest> Reader::DecryptAll(const std::function<Status(uint64_t, ByteSpan)>& sink,
                                        const ProgressFn& progress, ContentHashKind kind) {
  Sha256Digest digest{};
  CR_RETURN_IF_ERROR(DecryptInOrder(sink, progress, &digest, kind));
  return digest;
}

Status Reader::DecryptEach(const std::function<Status(uint64_t, ByteSpan)>& sink,
                           const ProgressFn& progress) {
  return DecryptInOrder(sink, progress, nullptr, ContentHashKind::kSha256);
}

Result<Bytes> Reader::DecryptToBuffer() {
  Bytes out;
  out.reserve(static_cast<size_t>(plaintext_size_));
  Status status = DecryptEach([&out](uint64_t, ByteSpan chunk) {
    out.insert(out.end(), chunk.begin(), chunk.end());
    return Status::OK();
  });
  if (!status.ok()) {
    SecureWipe(out);
    return status;
  }
  return out;
}

Result<DecryptSummary> DecryptFile(const DataKey& key, const std::string& in_path,
                                   const std::string& out_path, const ProgressFn& progress,
                                   ContentHashKind kind) {
  CR_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessInput> input, OpenFileInput(in_path));
  CR_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(std::move(input), key));
  AtomicFileWriter writer;
  CR_RETURN_IF_ERROR(writer.Open(out_path, 0600));
  auto digest = reader->DecryptAll(
      [&writer](uint64_t, ByteSpan chunk) { return writer.Append(chunk); }, progress, kind);
  if (!digest.ok()) return digest.status();  // The writer removes its temporary file.
  CR_RETURN_IF_ERROR(writer.Commit());
  DecryptSummary summary;
  summary.plaintext_size = reader->plaintext_size();
  summary.chunk_count = reader->chunk_count();
  summary.plaintext_sha256 = *digest;
  summary.dataset_id = reader->header().dataset_id;
  return summary;
}

Result<Bytes> DecryptBuffer(const DataKey& key, ByteSpan container) {
  CR_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, Reader::Open(MemoryInput(container), key));
  return reader->DecryptToBuffer();
}

}  // namespace cleanroom::crypto::container
