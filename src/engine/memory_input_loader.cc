// Engine: loading inputs held in memory (decrypted runtime inputs) and Parquet images (the
// validated bytes DuckDB reads); split from table_loader.cc, which loads files by path.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "base/file.h"
#include "engine/deferred_parquet.h"
#include "engine/duckdb_error.h"
#include "engine/engine.h"
#include "engine/in_place_image.h"
#include "engine/json_validation.h"
#include "engine/parquet_scan.h"
#include "engine/sql_quoting.h"
#include "engine/table_loading.h"
#include "formats/parquet_image.h"
#include "formats/parquet_reader.h"

namespace cleanroom::engine {

Status Engine::LoadTableFromMemory(const TableSource& source, ByteSpan data) {
  return LoadTableFromMemoryFill(source, data.size(), [data](std::span<uint8_t> out) {
    std::memcpy(out.data(), data.data(), data.size());
    return Status::OK();
  });
}

Status Engine::LoadTableFromMemoryFill(const TableSource& source, uint64_t size,
                                       const std::function<Status(std::span<uint8_t>)>& fill,
                                       const std::function<Status()>& before_load) {
  if (file_access_locked_) {
    return Status::FailedPrecondition("tables are loaded before the engine is locked");
  }
  if (source.format == Format::kAuto) {
    return Status::InvalidArgument("table " + source.name +
                                   ": a format is required for memory input");
  }
  if (source.format == Format::kParquet && options_.verify_parquet &&
      options_.parquet_inputs == ParquetInputs::kImageViews) {
    return LoadParquetImageFromMemory(source, size, fill, before_load);
  }
  return LoadThroughMemoryFile(source, size, fill, before_load);
}

Status Engine::LoadParquetImageFromMemory(const TableSource& source, uint64_t size,
                                          const std::function<Status(std::span<uint8_t>)>& fill,
                                          const std::function<Status()>& before_load) {
  // DuckDB reads only the validated image, so the plaintext needs no file: anonymous memory,
  // in reserved 2 MiB pages when the machine has them (vm.nr_hugepages), else ordinary pages
  // (faulting in 4 KiB pages one by one costs about a fifth of a second per 400 MB here).
  void* mapped = nullptr;
  size_t mapped_size = 0;
  if (size > 0) {
    mapped_size = static_cast<size_t>((size + kHugePage - 1) / kHugePage * kHugePage);
    mapped = size >= kHugePage / 2 ? ::mmap(nullptr, mapped_size, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0)
                                   : MAP_FAILED;
    if (mapped == MAP_FAILED) {
      mapped_size = static_cast<size_t>(size);
      mapped =
          ::mmap(nullptr, mapped_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (mapped == MAP_FAILED) {
      return Status::ResourceExhausted("table " + source.name +
                                       ": no memory for the input: " + ErrnoText(errno));
    }
  }
  // Released when the last holder lets go (this load, or a deferred input once imaged): the
  // plaintext's pages go back to the kernel, which zero-fills a page before any reuse.
  std::shared_ptr<void> memory(mapped, [mapped_size](void* p) {
    if (p == nullptr) return;
    ::madvise(p, mapped_size, MADV_DONTNEED);
    ::munmap(p, mapped_size);
  });
  std::span<uint8_t> bytes(static_cast<uint8_t*>(mapped), size);
  Status status = fill(bytes);
  bool checked = false;  // before_load ran
  bool through_file = false;
  auto check = [&]() -> Status {
    if (checked || !before_load) return Status::OK();
    checked = true;
    return before_load();
  };
  if (status.ok()) {
    Result<ParquetLoadChoice> choice = ChooseParquetLoadBytes(bytes, source.name, /*image=*/true);
    if (!choice.ok()) {
      status = choice.status();
    } else if (choice->path == ParquetLoadPath::kScan) {
      through_file = true;  // encodings DuckDB cannot read: our reader feeds it (below)
    } else {
      bool deferred = false;
      if (options_.validate_columns_read) {
        // Validated for the query by PrepareInputs (only the footer now); the bytes are held
        // until then. Checked (before_load) first: DuckDB reads the footer's schema.
        status = check();
        auto reader = status.ok() ? formats::ParquetReader::OpenSpan(bytes, source.name)
                                  : Result<std::unique_ptr<formats::ParquetReader>>(status);
        if (!reader.ok()) {
          status = reader.status();
        } else {
          std::vector<std::unique_ptr<formats::ParquetReader>> readers;
          readers.push_back(std::move(*reader));
          Status waits = DeferParquetReaders(source, std::move(readers), memory);
          deferred = waits.ok();
          // Types not exactly the declared ones, or a schema DuckDB refuses: imaged whole below.
          if (waits.code() == StatusCode::kDataLoss || waits.code() == StatusCode::kAlreadyExists) {
            status = waits;
          }
        }
      }
      if (status.ok() && !deferred) {
        auto reader = formats::ParquetReader::OpenSpan(bytes, source.name);
        Result<std::string> image =
            reader.ok() ? WriteParquetImage(**reader) : Result<std::string>(reader.status());
        if (!image.ok()) status = image.status();
        if (status.ok()) status = check();
        if (status.ok()) {
          status = LoadFromReader(source, "read_parquet(" + QuoteLiteral(*image) + ")", true);
          // A schema DuckDB's reader refuses (a MAP without values): through ours, below.
          through_file = !status.ok() && status.code() != StatusCode::kAlreadyExists &&
                         status.code() != StatusCode::kDataLoss;
        }
      }
    }
  }
  if (through_file) {
    status = LoadThroughMemoryFile(
        source, size,
        [bytes](std::span<uint8_t> out) {
          if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
          return Status::OK();
        },
        checked ? nullptr : before_load);
  }
  return status.WithContext("table " + source.name);
}

Status Engine::LoadThroughMemoryFile(const TableSource& source, uint64_t size,
                                     const std::function<Status(std::span<uint8_t>)>& fill,
                                     const std::function<Status()>& before_load) {
  int fd = ::memfd_create("cleanroom-input", MFD_CLOEXEC);
  if (fd < 0) return Status::Internal("memfd_create failed: " + ErrnoText(errno));
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Internal("sizing the memory file failed: " + ErrnoText(err));
  }
  void* mapped = nullptr;
  if (size > 0) {
    mapped = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status::Internal("mapping the memory file failed: " + ErrnoText(err));
    }
  }
  std::span<uint8_t> bytes(static_cast<uint8_t*>(mapped), size);
  Status status = fill(bytes);
  if (status.ok() && (source.format == Format::kJson || source.format == Format::kNdjson)) {
    status =
        ValidateJsonText(AsStringView(bytes), source.format).WithContext("table " + source.name);
  }
  size_t verify_threads = options_.threads > 0 ? static_cast<size_t>(options_.threads) : 0;
  // A file DuckDB's reader refuses goes through ours in one pass (validated as it loads; see
  // LoadTable); `before_load` still runs before anything is read into a table.
  bool through_scan = false;
  std::string image;  // the validated image DuckDB reads instead of the bytes (LoadTable)
  if (status.ok() && source.format == Format::kParquet && options_.verify_parquet) {
    Result<ParquetLoadChoice> choice = ChooseParquetLoadBytes(bytes, source.name);
    if (!choice.ok()) {
      status = choice.status();
    } else if (choice->path == ParquetLoadPath::kScan) {
      through_scan = true;
    } else if (options_.parquet_inputs == ParquetInputs::kTables) {
      status = VerifyParquetBytes(bytes, source.name, verify_threads);
    } else {
      auto reader = formats::ParquetReader::OpenSpan(bytes, source.name);
      Result<std::string> written =
          reader.ok() ? WriteParquetImage(**reader) : Result<std::string>(reader.status());
      if (written.ok()) {
        image = *written;
      } else {
        status = written.status();
      }
    }
  }
  if (status.ok() && before_load) status = before_load();
  if (status.ok()) {
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (!image.empty()) {
      status = LoadFromReader(source, "read_parquet(" + QuoteLiteral(image) + ")", true);
    } else if (!through_scan) {
      status = source.format == Format::kParquet
                   ? LoadFromReader(source,
                                    ReaderSql(source.format, QuoteLiteral(path), source.csv, false))
                   : LoadFromTextReader(source, QuoteLiteral(path));
    }
    if (source.format == Format::kParquet &&
        (through_scan || (!status.ok() && status.code() != StatusCode::kAlreadyExists))) {
      if (!parquet_scan_registered_) {
        Status registered = RegisterParquetScan(connection_);
        parquet_scan_registered_ = registered.ok();
        if (!registered.ok()) status = registered;
      }
      Status scanned = status;
      if (parquet_scan_registered_) {
        scanned = WithOneDuckDbThread(connection_, [&] {
          return LoadFromReader(
              source, "cleanroom_parquet_scan(" + QuoteLiteral(path) + ", read_ahead := true)");
        });
      }
      if (!scanned.ok() && scanned.code() != StatusCode::kAlreadyExists) {
        // DuckDB's copy of the reader's message lost its numbers to sanitizing: verify again
        // for the DataLoss naming row group, column and page.
        Status verified = VerifyParquetBytes(bytes, source.name, verify_threads);
        if (!verified.ok()) scanned = verified;
      }
      if (through_scan || scanned.ok()) status = scanned;
    }
    status = status.WithContext("table " + source.name);
  }
  if (mapped != nullptr) ::munmap(mapped, size);
  // The plaintext's pages go back to the kernel now, which zero-fills a page before any reuse:
  // as good as wiping them here, without writing 400 MB of zeros (docs/runtime.md, "Plaintext
  // in memory"). A kernel without hole punching on memfd gets the explicit wipe.
  if (size > 0 && ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                              static_cast<off_t>(size)) != 0) {
    void* again = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (again != MAP_FAILED) {
      SecureWipe(again, size);
      ::munmap(again, size);
    }
  }
  ::close(fd);
  return status;
}

namespace {

// A memory file of `size` bytes mapped writable: in 2 MiB huge pages when the machine has them
// reserved (vm.nr_hugepages; mapping a shared huge-page file reserves its pages, so a short pool
// fails here, not later), else in ordinary pages. Allocating 4 KiB shared-memory pages one by
// one costs about as much as the rest of the image's validation (bench/parquet).
struct ImageFile {
  int fd = -1;
  void* mapped = nullptr;
  uint64_t size = 0;
  bool huge = false;
};

Result<ImageFile> MapImageFile(uint64_t size, bool huge) {
  ImageFile file;
  file.size = size;
  file.huge = huge;
  file.fd = ::memfd_create("cleanroom-parquet",
                           MFD_CLOEXEC | MFD_ALLOW_SEALING | (huge ? MFD_HUGETLB : 0));
  if (file.fd < 0) return Status::ResourceExhausted("memfd_create failed: " + ErrnoText(errno));
  if (size > 0 && ::ftruncate(file.fd, static_cast<off_t>(size)) == 0) {
    file.mapped = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, file.fd, 0);
    if (file.mapped != MAP_FAILED) return file;
  }
  int err = errno;
  ::close(file.fd);
  return Status::ResourceExhausted("mapping the validated image failed: " + ErrnoText(err));
}

}  // namespace

Result<std::string> Engine::WriteParquetImage(const formats::ParquetReader& reader,
                                              const std::vector<int>& fields) {
  size_t threads = options_.threads > 0 ? static_cast<size_t>(options_.threads) : 0;
  if (options_.in_place_images) {
    Result<int> sealed =
        SealedInPlaceImage(reader, fields, threads, options_.uncompressed_image_ratio,
                           options_.uncompressed_image_allowance);
    if (sealed.ok()) {
      std::string path = "/proc/self/fd/" + std::to_string(*sealed);
      Status allowed = AllowPath(path);
      if (!allowed.ok()) {
        ::close(*sealed);
        return allowed;
      }
      image_fds_.push_back(*sealed);
      return path;
    }
    if (sealed.status().code() != StatusCode::kUnimplemented) return sealed.status();
  }
  CR_ASSIGN_OR_RETURN(formats::ImagePlan plan, formats::PlanUncompressedImage(reader, 0, fields));
  // Huge pages hold a whole number of pages: the image is laid out to end exactly at the
  // rounded size, after a zero lead (readers find a Parquet file by its footer). The footer's
  // offsets grow with the lead, so the lead is settled in a few rounds.
  Result<ImageFile> file = Status::ResourceExhausted("no huge pages");
  const uint64_t rounded = (plan.size() + kHugePage - 1) / kHugePage * kHugePage;
  if (plan.size() >= kHugePage / 2) {  // small images stay in ordinary pages
    formats::ImagePlan huge_plan;
    uint64_t lead = rounded - plan.size();
    for (int round = 0; round < 4; ++round) {
      auto attempt = formats::PlanUncompressedImage(reader, lead, fields);
      if (!attempt.ok()) break;
      huge_plan = std::move(*attempt);
      if (huge_plan.size() == rounded) break;
      lead = lead + rounded - huge_plan.size();
    }
    if (huge_plan.size() == rounded) {
      file = MapImageFile(rounded, /*huge=*/true);
      if (file.ok()) plan = std::move(huge_plan);
    }
  }
  if (!file.ok()) file = MapImageFile(plan.size(), /*huge=*/false);
  if (!file.ok()) return file.status();
  // Pages are validated straight into the memory file: no other copy of the image.
  Status status = formats::FillUncompressedImage(
      reader, plan, threads, std::span<uint8_t>(static_cast<uint8_t*>(file->mapped), file->size));
  ::munmap(file->mapped, file->size);
  int fd = file->fd;
  // Sealed: neither we nor DuckDB can change a byte of what was validated.
  if (status.ok() &&
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    status = Status::Internal("sealing the validated image failed: " + ErrnoText(errno));
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (status.ok()) status = AllowPath(path);
  if (!status.ok()) {
    ::close(fd);
    return status;
  }
  image_fds_.push_back(fd);
  return path;
}

}  // namespace cleanroom::engine
