#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::sql {

// A position in the SQL text: 1-based line and column, 0-based byte offset.
struct SourcePos {
  int line = 1;
  int column = 1;
  size_t offset = 0;
};

// InvalidArgument "<message> at line L, column C", followed by the offending line of the query
// text and a caret under the column. The query text is the user's own (not data), but only
// the one line is quoted, truncated to 120 characters around the caret.
Status SqlError(std::string_view text, SourcePos pos, const std::string& message);

// The same with another code (NotFound for an unknown table in ReferencedTables).
Status SqlErrorWithCode(StatusCode code, std::string_view text, SourcePos pos,
                        const std::string& message);

}  // namespace cleanroom::sql
