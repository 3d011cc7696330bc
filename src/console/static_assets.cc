#include "console/static_assets.h"

#include <filesystem>
#include <system_error>

#include "base/file.h"

namespace cleanroom::console {
namespace {

constexpr uintmax_t kMaxTotalBytes = 64u << 20;

std::string ContentType(const std::string& extension) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"}};
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

Result<StaticAssets> StaticAssets::Load(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path root(directory);
  if (!fs::is_regular_file(root / "index.html", error)) {
    return Status::NotFound("console: the web app is not built (no index.html in --web-root)");
  }
  StaticAssets assets;
  uintmax_t total = 0;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, error), end;
  if (error) return Status::NotFound("console: cannot read --web-root");
  for (; it != end; it.increment(error)) {
    if (error) return Status::Internal("console: cannot list --web-root");
    if (!it->is_regular_file(error) || it->is_symlink(error)) continue;
    total += it->file_size(error);
    if (total > kMaxTotalBytes)
      return Status::InvalidArgument("console: --web-root holds over 64 MiB");
    CR_ASSIGN_OR_RETURN(std::string body, ReadFileToString(it->path().string()));
    std::string key = "/" + fs::relative(it->path(), root, error).generic_string();
    assets.assets_[key] = Asset{ContentType(it->path().extension().string()), std::move(body)};
  }
  return assets;
}

const Asset* StaticAssets::Find(const std::string& path) const {
  auto it = assets_.find(path == "/" ? "/index.html" : path);
  return it == assets_.end() ? nullptr : &it->second;
}

}  // namespace cleanroom::console
