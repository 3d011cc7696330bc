#include "ledger/segment_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/file.h"
#include "base/logging.h"
#include "ledger/crc32c.h"
#include "ledger/segment.h"

namespace cleanroom::ledger {
namespace {

Status IoError(std::string_view what, const std::string& path, int err) {
  return Status::Internal("ledger: cannot " + std::string(what) + " " + path + ": " +
                          ErrnoText(err));
}

Status SyncDirectory(const std::string& directory) {
  int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory", directory, errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return IoError("fsync directory", directory, err);
  return Status::OK();
}

Status WriteAll(int fd, ByteSpan data, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status ReadAll(int fd, uint8_t* out, size_t size, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (n == 0)
      return Status::DataLoss("ledger corrupt: " + Location(path, offset + done) +
                              ": file ends early");
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// Replaces the contents of `path` with `header` (a last segment whose own header was torn).
Status RewriteSegmentHeader(const std::string& path, const Bytes& header) {
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  Status s = WriteAll(fd, header, 0, path);
  if (s.ok() && fdatasync(fd) != 0) s = IoError("fsync", path, errno);
  close(fd);
  return s;
}

Status TruncateFile(const std::string& path, uint64_t size) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  Status s;
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) s = IoError("truncate", path, errno);
  if (s.ok() && fsync(fd) != 0) s = IoError("fsync", path, errno);
  close(fd);
  return s;
}

}  // namespace

Result<int> LockDirectory(const std::string& directory) {
  std::string path = directory + "/LOCK";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open", path, errno);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition("ledger " + directory + " is open in another process");
    }
    return IoError("lock", path, err);
  }
  return fd;
}

Result<RecoveredSegments> RecoverSegments(const std::string& directory, ChainChecker& chain,
                                          const RecoveredRecordFn& on_record) {
  CR_ASSIGN_OR_RETURN(auto files, ListSegments(directory));
  RecoveredSegments out;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i].second;
    bool last = i + 1 == files.size();
    CR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
    ScanVisitor visitor;
    visitor.on_segment = [&](const SegmentHeader& header, uint64_t offset) {
      return chain.OnSegment(header, Location(path, offset));
    };
    visitor.on_record = [&](ByteSpan payload, uint64_t offset) {
      return on_record(static_cast<uint32_t>(i), payload, offset, Location(path, offset));
    };
    CR_ASSIGN_OR_RETURN(ScanEnd end, ScanSegments(AsBytes(data), path, false, visitor));
    uint64_t size = end.valid_end;
    if (end.torn) {
      if (!last) {
        return Status::DataLoss("ledger corrupt: " + Location(path, end.valid_end) + ": " +
                                end.torn_reason + " in a segment that is not the last");
      }
      if (end.valid_end == 0) {
        LogWarning("ledger: rewriting the incomplete header of " + path + " (" +
                   std::to_string(data.size()) + " bytes were there)");
        SegmentHeader header{files[i].first, chain.next_seqno()};
        CR_RETURN_IF_ERROR(RewriteSegmentHeader(path, EncodeSegmentHeader(header)));
        size = kSegmentHeaderSize;
      } else {
        LogWarning("ledger: truncating a torn final record: " + Location(path, end.valid_end) +
                   ", " + std::to_string(data.size() - end.valid_end) + " bytes removed (" +
                   end.torn_reason + ")");
        CR_RETURN_IF_ERROR(TruncateFile(path, end.valid_end));
      }
    }
    out.segments.push_back({path, size});
  }
  return out;
}

Status SegmentWriter::Open(const std::string& directory, std::vector<SegmentInfo> segments,
                           uint64_t next_seqno) {
  directory_ = directory;
  segments_ = std::move(segments);
  if (segments_.empty()) return Create(1, next_seqno);
  const SegmentInfo& last = segments_.back();
  fd_ = open(last.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return IoError("open", last.path, errno);
  size_ = last.durable_size;
  return Status::OK();
}

Status SegmentWriter::Create(uint32_t number, uint64_t first_seqno) {
  std::string path = directory_ + "/" + SegmentFileName(number);
  fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return IoError("create", path, errno);
  Bytes header = EncodeSegmentHeader({number, first_seqno});
  CR_RETURN_IF_ERROR(WriteAll(fd_, header, 0, path));
  if (fdatasync(fd_) != 0) return IoError("fsync", path, errno);
  // The new name must be durable before anything in it is acknowledged.
  CR_RETURN_IF_ERROR(SyncDirectory(directory_));
  segments_.push_back({path, header.size()});
  size_ = header.size();
  return Status::OK();
}

bool SegmentWriter::ShouldRoll(uint64_t record_size, uint64_t max_segment_bytes) const {
  return size_ > kSegmentHeaderSize && size_ + record_size > max_segment_bytes;
}

Status SegmentWriter::Roll(uint64_t first_seqno) {
  CR_RETURN_IF_ERROR(Sync());
  Close();
  return Create(static_cast<uint32_t>(segments_.size() + 1), first_seqno);
}

Status SegmentWriter::Append(ByteSpan data) {
  if (fd_ < 0) return Status::Internal("ledger segment is not open");
  CR_RETURN_IF_ERROR(WriteAll(fd_, data, size_, segments_.back().path));
  size_ += data.size();
  return Status::OK();
}

Status SegmentWriter::Sync() {
  if (fd_ < 0) return Status::Internal("ledger segment is not open");
  if (fdatasync(fd_) != 0) return IoError("fsync", segments_.back().path, errno);
  segments_.back().durable_size = size_;
  return Status::OK();
}

void SegmentWriter::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Result<Bytes> ReadRecordPayload(const std::string& path, uint64_t offset, uint32_t length) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  Bytes record(kRecordHeaderSize + length);
  Status s = ReadAll(fd, record.data(), record.size(), offset, path);
  close(fd);
  CR_RETURN_IF_ERROR(s);
  ByteSpan view(record);
  if (Crc32c(view.subspan(0, 8)) != GetU32LE(&record[8]) || GetU32LE(&record[0]) != length ||
      Crc32c(view.subspan(kRecordHeaderSize)) != GetU32LE(&record[4])) {
    return Status::DataLoss("ledger corrupt: " + Location(path, offset) +
                            ": record checksum mismatch");
  }
  return Bytes(record.begin() + kRecordHeaderSize, record.end());
}

Status CopyFilePrefix(const std::string& path, uint64_t size,
                      const std::function<Status(ByteSpan chunk)>& sink) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  Bytes buffer(1 << 20);
  Status s;
  for (uint64_t done = 0; done < size && s.ok();) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - done));
    s = ReadAll(fd, buffer.data(), n, done, path);
    if (s.ok()) s = sink(ByteSpan(buffer.data(), n));
    done += n;
  }
  close(fd);
  return s;
}

}  // namespace cleanroom::ledger
