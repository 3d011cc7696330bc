#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/spark_driver.h"
#include "slt/skip_list.h"
#include "sql/frontend.h"

namespace cleanroom::slt {

struct RunnerOptions {
  sql::Dialect dialect = sql::Dialect::kSpark;
  const SkipList* skip_list = nullptr;  // not owned; may be null
  bool verbose = false;                 // collect a description of every failure
  size_t jobs = 0;                      // files run in parallel; 0: one per core
  // Require an expected error message (the lines after ---- of a statement / query / load
  // error) to be a substring of ours, or to match "<REGEX>:pattern". For the project's own
  // scripts; third-party suites expect other engines' messages and check only failure.
  bool check_error_messages = false;
  // Not owned; when set, every policy-checked query runs on this Spark driver instead of DuckDB
  // (the checked program in Spark SQL over the script's tables shipped as encrypted containers;
  // runtime/spark_query.h), one file at a time. Set-up statements still run on DuckDB.
  runtime::SparkDriver* spark = nullptr;
};

// The outcome of one script. Records are statements and queries; directives do not count.
struct FileResult {
  std::string path;
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  std::vector<std::string> failures;  // "path:line: what" (only with verbose)
  Status error;                       // the script could not be read or parsed
};

// Runs one script on a fresh engine. Set-up statements (CREATE, INSERT, DROP, DELETE, UPDATE,
// SET, ...) go straight to DuckDB, except that a CREATE VIEW's query is compiled by the front
// end when it can be; every query and every other statement is compiled by the front end
// (sql::CompileScript in `options.dialect`, against a catalog refreshed from DuckDB after
// DDL) and only the emitted SQL runs. File access is locked before the first record.
// CREATE / DROP TRIGGER are kept by the runner (DuckDB has none; see slt/trigger_catalog.h).
// Engine names for skipif / onlyif: "cleanroom", and "sqlite" in the sqlite dialect.
// Our own directive `load ok|error NAME PATH[:FORMAT] [schema=FILE]` loads an input file
// (paths relative to the script) through the engine's loader; loads happen before file access
// is locked, which is done just before the first statement or query, so a load after that
// fails.
FileResult RunScriptFile(const std::string& path, const RunnerOptions& options);

// Runs scripts in parallel (options.jobs); results in the order of `paths`. `on_done`, when
// set, is called (one call at a time) as each script finishes, for progress output.
std::vector<FileResult> RunScriptFiles(
    const std::vector<std::string>& paths, const RunnerOptions& options,
    const std::function<void(const FileResult&)>& on_done = nullptr);

}  // namespace cleanroom::slt
