#include "base/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace cleanroom {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
std::mutex log_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "log";
}

}  // namespace

void SetMinLogLevel(LogLevel level) { min_level = static_cast<int>(level); }

void Log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < min_level.load()) return;
  std::string line = "cleanroom: ";
  line += LevelName(level);
  line += ": ";
  line += message;
  line += '\n';
  std::lock_guard<std::mutex> lock(log_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace cleanroom
