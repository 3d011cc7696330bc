#pragma once

// The rows of a streamed result as "a|b" text, for the tests of checked runs.

#include <string>
#include <vector>

#include "base/status.h"
#include "engine/query_result.h"

namespace cleanroom::runtime::test_support {

// Every row in order, cells joined by '|', a NULL cell as NULL.
inline Result<std::vector<std::string>> ResultRows(engine::QueryResult& result) {
  std::vector<std::string> rows;
  for (;;) {
    CR_ASSIGN_OR_RETURN(bool more, result.Next());
    if (!more) break;
    const auto& chunk = result.chunk();
    for (size_t r = 0; r < chunk.size(); ++r) {
      std::string row;
      for (size_t c = 0; c < chunk.column_count(); ++c) {
        if (c > 0) row += "|";
        if (chunk.IsNull(c, r)) {
          row += "NULL";
        } else {
          chunk.AppendCell(c, r, engine::CellStyle::kText, row);
        }
      }
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace cleanroom::runtime::test_support
