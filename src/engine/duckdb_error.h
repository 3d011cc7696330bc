#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::engine {

// Makes a DuckDB error message safe to surface. DuckDB quotes values in its messages ("Could not
// convert string 'alice' to INT32", a CSV reader's "Original Line: ..."), and error text leaves
// the clean room. The result is built only from fixed texts: the error kind ("Conversion
// Error", from a list of DuckDB's kinds, else "Error"), the fixed text of the first message
// template (an allow-list in duckdb_error.cc) whose start the message has, or "(details
// withheld)", and the position DuckDB reports (line and column of the emitted SQL). No byte of
// DuckDB's own wording is copied.
std::string SanitizeDuckDbError(std::string_view message);

// A Status for a DuckDB failure: the code follows DuckDB's error type (duckdb_error_type as
// an int: permission -> PermissionDenied, out of memory -> ResourceExhausted, internal /
// fatal -> Internal, the rest -> InvalidArgument; -1: unknown, read from the message's kind), the
// message is `context: ` followed by the sanitized DuckDB message.
Status DuckDbErrorStatus(int duckdb_error_type, std::string_view message, std::string_view context);

}  // namespace cleanroom::engine
