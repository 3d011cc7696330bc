#pragma once

// Finding the CSV record that does not parse, when DuckDB's reader refused a file without
// saying where (its dialect sniffer fails on a malformed record and names only our statement).

#include <string>

#include "base/status.h"
#include "engine/input_source.h"

namespace cleanroom::engine {

// Scans the CSV file at `path` as RFC 4180 with `csv`'s delimiter, quote and escape. Returns
// InvalidArgument "line N: ..." for the first record that does not parse (a field count other
// than the first record's, a quoted field never closed, text after a closing quote); N is the line
// the record starts on, counting the header as line 1. Never quotes a value. OK when every record
// parses; NotFound / Internal when the file cannot be read.
Status FindMalformedCsvRecord(const std::string& path, const CsvOptions& csv);

}  // namespace cleanroom::engine
