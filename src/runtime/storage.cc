#include "runtime/storage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "base/file.h"

namespace cleanroom::runtime {
namespace {

namespace fs = std::filesystem;

class CopiedObject final : public Storage::Mapped {
 public:
  explicit CopiedObject(Bytes bytes) : bytes_(std::move(bytes)) {}
  ByteSpan data() const override { return bytes_; }

 private:
  Bytes bytes_;
};

class MappedFile final : public Storage::Mapped {
 public:
  MappedFile(void* address, size_t size) : address_(address), size_(size) {}
  ~MappedFile() override {
    if (address_ != nullptr) ::munmap(address_, size_);
  }
  ByteSpan data() const override { return ByteSpan(static_cast<const uint8_t*>(address_), size_); }

 private:
  void* address_;
  size_t size_;
};

// A directory tree: the object `a/b` is the file DIR/a/b.
class FileStorage final : public Storage {
 public:
  explicit FileStorage(fs::path root) : root_(std::move(root)) {}

  std::string url() const override { return "file://" + root_.string(); }

  Status PutStreaming(
      const std::string& key,
      const std::function<Status(const crypto::container::WriteFn&)>& produce) override {
    CR_RETURN_IF_ERROR(CheckStorageKey(key));
    fs::path path = root_ / key;
    // The folders this call creates, deepest first: an abandoned object leaves none of them.
    std::vector<fs::path> created;
    for (fs::path dir = path.parent_path(); !dir.empty() && !fs::exists(dir);
         dir = dir.parent_path()) {
      created.push_back(dir);
    }
    auto remove_created = [&created] {
      std::error_code ignored;
      for (const fs::path& dir : created) fs::remove(dir, ignored);  // only while empty
    };
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      remove_created();
      return Status::Internal("storage: cannot create the directory for object " + key);
    }
    AtomicFileWriter writer;
    Status opened = writer.Open(path.string(), 0644);
    if (!opened.ok()) {
      remove_created();
      return opened;
    }
    Status produced = produce([&writer](ByteSpan data) { return writer.Append(data); });
    if (!produced.ok()) {
      writer.Abandon();
      remove_created();
      return produced;
    }
    return writer.Commit();
  }

  Result<std::unique_ptr<crypto::container::RandomAccessInput>> Open(
      const std::string& key) const override {
    CR_RETURN_IF_ERROR(CheckStorageKey(key));
    auto input = crypto::container::OpenFileInput((root_ / key).string());
    if (!input.ok()) return Status::NotFound("storage: no object " + key);
    return input;
  }

  Result<std::unique_ptr<Mapped>> Map(const std::string& key) const override {
    CR_RETURN_IF_ERROR(CheckStorageKey(key));
    int fd = ::open((root_ / key).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::NotFound("storage: no object " + key);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Status::Internal("storage: cannot size object " + key);
    }
    size_t size = static_cast<size_t>(st.st_size);
    void* address = nullptr;
    if (size > 0) {
      address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (address == MAP_FAILED) {
        ::close(fd);
        return Status::Internal("storage: cannot map object " + key);
      }
    }
    ::close(fd);
    return std::unique_ptr<Mapped>(new MappedFile(address, size));
  }

  Status Remove(const std::string& key) override {
    CR_RETURN_IF_ERROR(CheckStorageKey(key));
    std::error_code ec;
    fs::remove(root_ / key, ec);
    if (ec) return Status::Internal("storage: cannot remove object " + key);
    return Status::OK();
  }

 private:
  fs::path root_;
};

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Status CheckStorageKey(std::string_view key) {
  if (key.empty() || key.size() > 1024)
    return Status::InvalidArgument("storage key: empty or too long");
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    std::string_view segment = key.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return Status::InvalidArgument("storage key: empty, '.' or '..' segment in " +
                                     std::string(key));
    }
    for (char c : segment) {
      if (!IsKeyChar(c)) {
        return Status::InvalidArgument("storage key: only [A-Za-z0-9._-] and '/' allowed");
      }
    }
    start = slash + 1;
  }
  return Status::OK();
}

Result<std::unique_ptr<Storage::Mapped>> Storage::Map(const std::string& key) const {
  CR_ASSIGN_OR_RETURN(Bytes bytes, Get(key));
  return std::unique_ptr<Mapped>(new CopiedObject(std::move(bytes)));
}

Status Storage::Put(const std::string& key, ByteSpan data) {
  return PutStreaming(key, [data](const crypto::container::WriteFn& write) { return write(data); });
}

Result<Bytes> Storage::Get(const std::string& key) const {
  CR_ASSIGN_OR_RETURN(auto input, Open(key));
  Bytes out(input->size());
  if (!out.empty()) CR_RETURN_IF_ERROR(input->ReadAt(0, out.data(), out.size()));
  return out;
}

Result<std::string> StorageUrlOrDefault(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* data_home = std::getenv("XDG_DATA_HOME");
  if (data_home != nullptr && data_home[0] == '/')
    return "file://" + std::string(data_home) + "/cleanroom/storage";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/')
    return "file://" + std::string(home) + "/.local/share/cleanroom/storage";
  return Status::InvalidArgument(
      "--storage: required (neither XDG_DATA_HOME nor HOME names a folder for the default)");
}

Result<std::unique_ptr<Storage>> OpenStorage(const std::string& flag) {
  CR_ASSIGN_OR_RETURN(std::string url, StorageUrlOrDefault(flag));
  std::string dir = url;
  constexpr std::string_view kFileScheme = "file://";
  if (url.rfind(kFileScheme, 0) == 0) {
    dir = url.substr(kFileScheme.size());
  } else if (url.find("://") != std::string::npos) {
    return Status::InvalidArgument("--storage: only file://DIR is supported, got another scheme");
  }
  if (dir.empty()) return Status::InvalidArgument("--storage: file:// needs a directory");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::InvalidArgument("--storage: cannot create directory " + dir);
  fs::path root = fs::absolute(dir, ec);
  if (ec) return Status::InvalidArgument("--storage: bad directory " + dir);
  return std::unique_ptr<Storage>(new FileStorage(root.lexically_normal()));
}

}  // namespace cleanroom::runtime
