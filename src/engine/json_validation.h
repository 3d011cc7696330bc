#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/input_source.h"

namespace cleanroom::engine {

// Strict RFC 8259 checks in front of DuckDB's JSON reader, which tolerates some invalid input.
// kJson: the text is one JSON document, or else one document per non-empty line. kNdjson: one
// document per non-empty line. InvalidArgument names the line of the first invalid document,
// never its content.
Status ValidateJsonText(std::string_view text, Format format);
// The same for a file; NotFound when it cannot be read.
Status ValidateJsonFile(const std::string& path, Format format);

}  // namespace cleanroom::engine
