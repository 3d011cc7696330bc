#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "slt/golden_expectations.h"
#include "sql/time_zone.h"

namespace cleanroom::slt {

struct GoldenOptions {
  const GoldenSkipList* skip_list = nullptr;  // not owned; may be null
  bool verbose = false;                       // describe every failure and skip
  size_t jobs = 0;                            // files run in parallel; 0: one per core
  // The session time zone each file starts in (and returns to on RESET), unless the skip list
  // names one for the file (`zone:file.sql.out=ZONE`); a file may SET
  // spark.sql.session.timeZone. UTC, the clean room's zone.
  sql::ZoneId session_time_zone;
};

// The outcome of one golden file. Set-up statements (CREATE / INSERT / DROP, SET) are not
// scored: a set-up statement that fails counts in setup_failed, and the queries depending on
// it then fail on their own.
struct GoldenFileResult {
  std::string path;
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t setup_failed = 0;
  std::vector<std::string> notes;  // "path:line: what" per failure or skip (verbose only)
  Status error;                    // the file could not be read or parsed
};

// Runs one golden file (Spark's `.sql.out`) through the front end and the engine, in one fresh
// session: the built-in table `testdata` exists first; set-up statements become temporary views
// (slt/golden_setup.h); `SET spark.sql.ansi.enabled=true` (our only mode) and
// `spark.sql.groupByAliases` are honoured, any other SET skips the statements after it, naming the
// setting, until it is SET again or RESET; each query is compiled by sql::CompileScript (Spark
// dialect) and only the emitted SQL runs. A query passes when its rows, rendered as Spark renders
// them (slt/spark_render.h), equal the recorded ones (in order when the query has a top-level ORDER
// BY, else as sorted rows; DOUBLE / FLOAT values within a relative 1e-9), or, when Spark recorded
// an exception, when it fails (at compile or run time).
GoldenFileResult RunGoldenFile(const std::string& path, const GoldenOptions& options);

// Runs files in parallel; results in the order of `paths`. `on_done` is called (one call at a
// time) as each file finishes.
std::vector<GoldenFileResult> RunGoldenFiles(
    const std::vector<std::string>& paths, const GoldenOptions& options,
    const std::function<void(const GoldenFileResult&)>& on_done = nullptr);

// True when `sql` has an ORDER BY outside any parentheses (Spark then keeps the row order).
bool HasTopLevelOrderBy(std::string_view sql);

// Empty when `actual` (rows joined by '\n') matches Spark's recorded `expected` output, else
// what differs. Tokens that differ must both be numbers within a relative 1e-9.
std::string CompareGoldenOutput(const std::string& expected, const std::string& actual);

}  // namespace cleanroom::slt
