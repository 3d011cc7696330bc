#pragma once

#include <cstdint>

#include "base/status.h"
#include "engine/query_result.h"
#include "engine/result_writer.h"

namespace cleanroom::engine {

// Prints `result` for a person: a header, aligned columns (numbers to the right), NULL as
// "NULL", then "(N rows)". Column widths come from the header and the first rows (kept in
// memory); later rows wider than that widen only their own line, so memory stays bounded.
Status PrintTable(QueryResult& result, const OutputSink& sink, uint64_t& rows);

}  // namespace cleanroom::engine
