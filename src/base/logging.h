#pragma once

#include <string_view>

namespace cleanroom {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Writes one line to stderr: "cleanroom: <level>: <message>". Thread-safe.
// Never log cell values, keys or secrets.
void Log(LogLevel level, std::string_view message);
void SetMinLogLevel(LogLevel level);

inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace cleanroom
