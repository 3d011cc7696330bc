#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// The queries of Spark's golden files we do not run, each with its reason, read from a list
// file (test/sql/spark/GOLDEN_SKIPS.md). Entries are lines `- `KEY` reason`:
//   `path.sql.out:LINE`  the statement whose `-- !query` header is on LINE of every golden
//                        file whose path ends with path.sql.out;
//   `path.sql.out`       the whole file;
//   `uses:WORD`          every statement naming WORD (an identifier, case-insensitive), e.g. a
//                        Spark test table whose data is not shipped, or a function tied to
//                        Spark's runtime.
// An entry without a reason is an error (InvalidArgument naming its line).
class GoldenSkipList {
 public:
  static Result<GoldenSkipList> Load(const std::string& path);
  static Result<GoldenSkipList> Parse(std::string_view text);

  // The reason `sql` at `line` of `path` is skipped, or nullopt.
  std::optional<std::string> Reason(std::string_view path, int line, std::string_view sql) const;
  size_t size() const { return entries_.size(); }
  // The session time zone `path` starts in (`zone:file.sql.out=ZONE` entries), or nullopt.
  std::optional<std::string> ZoneOf(std::string_view path) const;

 private:
  struct Entry {
    std::string path;  // empty for `uses:` entries
    int line = 0;      // 0: the whole file
    std::string word;  // `uses:` entries, lower case
    std::string reason;
  };
  std::vector<Entry> entries_;
  std::vector<std::pair<std::string, std::string>> zones_;  // file suffix, zone id
};

// The least number of statements of each golden file that must pass (a regression fails the
// run), read from lines `path.sql.out N`; '#' starts a comment. Keys are matched as path
// suffixes like the skip list's.
Result<std::map<std::string, uint64_t>> ParseGoldenFloors(std::string_view text);

// True when `path` ends with `suffix` at a path component boundary.
bool PathEndsWith(std::string_view path, std::string_view suffix);

}  // namespace cleanroom::slt
