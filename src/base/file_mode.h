#pragma once

#include <string>

#include "base/status.h"

namespace cleanroom {

// OK unless `path` is a regular file or a folder that group or others may use (any of the mode
// bits 077), as ssh refuses a private key others can read: then InvalidArgument "PATH may be read
// by others (mode 0644): chmod 600 it" (for a folder "may be used by others ... chmod 700").
// Pipes, devices (/dev/fd/N) and missing paths pass (their reader reports what it finds).
Status CheckOwnerOnly(const std::string& path);

}  // namespace cleanroom
