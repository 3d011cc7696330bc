#include "engine/in_place_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "base/file.h"
#include "formats/parquet_image.h"

namespace cleanroom::engine {

namespace {

Status WriteAt(int fd, uint64_t offset, ByteSpan bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Status::ResourceExhausted("writing the input's image failed: " + ErrnoText(errno));
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

Result<int> SealedInPlaceImage(const formats::ParquetReader& reader, const std::vector<int>& fields,
                               size_t threads, double uncompressed_ratio,
                               uint64_t uncompressed_allowance) {
  CR_ASSIGN_OR_RETURN(
      formats::ImagePlan plan,
      formats::PlanInPlaceImage(reader, fields, uncompressed_ratio, uncompressed_allowance));
  int fd = ::memfd_create("cleanroom-parquet", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Status::ResourceExhausted("memfd_create failed: " + ErrnoText(errno));
  // Written with pwrite, never mapped writable: the bytes between the held chunks stay holes
  // that take no memory, and the file can be sealed against writes. The leaves imaged
  // uncompressed are validated as they are written (from our own buffers: what is written is
  // what was checked).
  Status status = formats::WriteInPlaceImage(
      reader, plan, [fd](uint64_t offset, ByteSpan bytes) { return WriteAt(fd, offset, bytes); },
      threads);
  if (status.ok() &&
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    status = Status::Internal("sealing the input's image failed: " + ErrnoText(errno));
  }
  // The leaves in place are validated after sealing: the bytes checked are the bytes DuckDB will
  // read, whatever happens to the file meanwhile.
  const std::vector<bool> in_place = plan.ImageLeavesInPlace();
  if (status.ok() && std::find(in_place.begin(), in_place.end(), true) != in_place.end()) {
    Result<std::unique_ptr<formats::ParquetReader>> image = formats::ParquetReader::Open(
        "/proc/self/fd/" + std::to_string(fd), /*read_all=*/false, reader.name());
    status = image.ok() ? (*image)->Verify(threads, &in_place) : image.status();
  }
  if (!status.ok()) {
    ::close(fd);
    return status;
  }
  return fd;
}

}  // namespace cleanroom::engine
