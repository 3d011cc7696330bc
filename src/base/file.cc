#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace cleanroom {
namespace {

std::string TempNameFor(const std::string& path) {
  std::random_device rd;
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".tmp-%08x%08x", rd(), rd());
  return path + suffix;
}

}  // namespace

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  const char* text = strerror_r(err, buf, sizeof(buf));
  return text;
}

Result<std::string> ReadFileToString(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("file not found: " + path);
    return Status::InvalidArgument("cannot open " + path + ": " + ErrnoText(err));
  }
  std::string out;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::InvalidArgument("cannot read " + path + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status WriteFileAtomic(const std::string& path, std::string_view contents, int mode) {
  AtomicFileWriter writer;
  CR_RETURN_IF_ERROR(writer.Open(path, mode));
  CR_RETURN_IF_ERROR(writer.Append(contents));
  return writer.Commit();
}

AtomicFileWriter::~AtomicFileWriter() { Abandon(); }

Status AtomicFileWriter::Open(const std::string& path, int mode) {
  if (fd_ >= 0) return Status::Internal("AtomicFileWriter opened twice");
  path_ = path;
  temp_path_ = TempNameFor(path);
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd_ < 0) {
    int err = errno;
    temp_path_.clear();
    return Status::InvalidArgument("cannot create output beside " + path + ": " + ErrnoText(err));
  }
  return Status::OK();
}

Status AtomicFileWriter::Append(ByteSpan data) {
  if (fd_ < 0) return Status::Internal("AtomicFileWriter not open");
  const uint8_t* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Internal("cannot write " + temp_path_ + ": " + ErrnoText(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::OK();
}

Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return Status::Internal("AtomicFileWriter not open");
  if (::fsync(fd_) != 0) {
    int err = errno;
    Abandon();
    return Status::Internal("cannot sync " + path_ + ": " + ErrnoText(err));
  }
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    Abandon();
    return Status::Internal("cannot rename into " + path_ + ": " + ErrnoText(err));
  }
  temp_path_.clear();
  return Status::OK();
}

void AtomicFileWriter::Abandon() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
}

}  // namespace cleanroom
