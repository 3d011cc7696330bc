#include "cli/undo_created.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace cleanroom::cli {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> EntriesOf(const std::string& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  return names;
}

}  // namespace

UndoCreated::UndoCreated(std::vector<std::string> paths) {
  for (std::string& path : paths) {
    if (path.empty()) continue;
    std::error_code ec;
    Watched w{std::move(path), false, {}};
    w.existed = fs::symlink_status(w.path, ec).type() != fs::file_type::not_found && !ec;
    if (w.existed && fs::is_directory(w.path, ec)) w.entries = EntriesOf(w.path);
    watched_.push_back(std::move(w));
  }
}

UndoCreated::~UndoCreated() {
  if (keep_) return;
  for (const Watched& w : watched_) {
    std::error_code ec;
    if (!w.existed) {
      fs::remove_all(w.path, ec);
      continue;
    }
    if (!fs::is_directory(w.path, ec)) continue;
    for (const std::string& name : EntriesOf(w.path)) {
      if (std::find(w.entries.begin(), w.entries.end(), name) == w.entries.end()) {
        fs::remove_all(fs::path(w.path) / name, ec);
      }
    }
  }
}

}  // namespace cleanroom::cli
