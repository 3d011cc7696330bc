#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::engine {

// Makes a DuckDB error message safe to surface. DuckDB quotes values in its messages ("Could not
// convert string 'alice' to INT32", "Overflow in multiplication of INT32 (7 * 2)", a CSV
// reader's "Original Line: ..."), and error text leaves the clean room. The result keeps the
// error kind ("Conversion Error") and the position DuckDB reports (line and column of the
// emitted SQL), and drops everything else that could carry data: every quoted literal (single
// or double quotes) becomes <redacted>, every standalone number becomes <n>, and only the first
// line of the message is kept. Never returns the input's quoted text.
std::string SanitizeDuckDbError(std::string_view message);

// A Status for a DuckDB failure: the code follows DuckDB's error type (duckdb_error_type as
// an int: permission -> PermissionDenied, out of memory -> ResourceExhausted, internal /
// fatal -> Internal, the rest -> InvalidArgument; -1: unknown, read from the message's kind), the message is `context: ` followed by the
// sanitized DuckDB message.
Status DuckDbErrorStatus(int duckdb_error_type, std::string_view message, std::string_view context);

}  // namespace cleanroom::engine
