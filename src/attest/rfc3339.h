#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::attest {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (RFC 3339) into seconds since the
// epoch (fractions are dropped). InvalidArgument saying what is wrong otherwise.
Result<std::time_t> ParseRfc3339(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(std::time_t at);

}  // namespace cleanroom::attest
