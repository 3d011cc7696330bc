#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// One record of a sqllogictest script.
struct Record {
  enum class Kind {
    kStatement,      // statement ok / statement error
    kQuery,          // query <types> [sort] [label]
    kHashThreshold,  // hash-threshold N (affects only how expected results were written)
    kHalt,           // halt: stop the file (when its conditions apply)
    kModeSkip,       // mode skip: skip records until mode unskip
    kModeUnskip,
    kRequire,      // require X: this engine has no extensions, so the file is skipped
    kLoad,         // load ok|error NAME PATH[:FORMAT] [schema=FILE] (ours; see runner.h)
    kPolicy,       // policy FILE|off (ours): later queries run policy-checked
    kSuppressed,   // suppressed N (ours): rows the last checked query suppressed
    kUnsupported,  // a directive this runner does not implement (loop, ...): skipped
  };
  Kind kind = Kind::kStatement;
  int line = 0;  // 1-based line of the statement / query / directive line
  // skipif / onlyif conditions before the record: (true for onlyif, engine name).
  std::vector<std::pair<bool, std::string>> conditions;
  std::string sql;
  bool expect_error = false;           // statement error (or query error)
  std::string expect_code;             // statement denied CODE: the status code expected (ours)
  std::string types;                   // kQuery: one letter per column (I, R, T, ...)
  std::string sort_mode;               // kQuery: nosort (default), rowsort, valuesort, sort
  std::string label;                   // kQuery: results with the same label must be identical
  bool has_expected = false;           // a ---- section followed
  std::vector<std::string> expected;   // the lines after ----
  std::string directive;               // kUnsupported / kRequire: the directive's text
  std::vector<std::string> arguments;  // kLoad: NAME, PATH[:FORMAT], [schema=FILE];
                                       // kPolicy: FILE or off; kSuppressed: N
};

// Parses a script. Blank lines end records; '#' lines are comments. Never fails on unknown
// directives (they become kUnsupported records); InvalidArgument names the line of a record
// that cannot be read (e.g. "query" without types).
Result<std::vector<Record>> ParseScript(std::string_view text);

}  // namespace cleanroom::slt
