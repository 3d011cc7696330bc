#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom {

// Reads a whole file. NotFound when it does not exist; the message names the path.
Result<std::string> ReadFileToString(const std::string& path);

// Writes `contents` to `path` atomically: a temporary file beside it, fsync, then rename.
// On failure nothing is left at `path` (an earlier file there is kept).
Status WriteFileAtomic(const std::string& path, std::string_view contents, int mode = 0644);

// A file written through a temporary name and renamed into place by Commit(). If the object is
// destroyed without Commit() the temporary file is removed: nothing half-written is left.
// Not thread-safe.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // REQUIRES: not yet opened.
  Status Open(const std::string& path, int mode = 0644);
  Status Append(ByteSpan data);
  Status Append(std::string_view data) { return Append(AsBytes(data)); }
  // Flushes, fsyncs and renames the temporary file to the final path.
  Status Commit();
  // Removes the temporary file. Safe to call more than once.
  void Abandon();

  // The temporary path being written (for a library that wants a file name to write to).
  const std::string& temp_path() const { return temp_path_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
};

// Error text for errno, as "No such file or directory".
std::string ErrnoText(int err);

}  // namespace cleanroom
