#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// Records to skip, read from a list file such as test/sql/KNOWN_GAPS.md. Every back-quoted
// `path.test:LINE` in the file skips the record whose header is on LINE of every script whose
// path ends with `path.test`; a back-quoted `path.test` without a line skips the whole file.
// The rest of the file (reasons, headings) is free text.
class SkipList {
 public:
  static Result<SkipList> Load(const std::string& path);
  static SkipList Parse(std::string_view text);

  bool SkipsFile(std::string_view script_path) const;
  bool SkipsRecord(std::string_view script_path, int line) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string path;
    int line = 0;  // 0: the whole file
  };
  static bool Matches(std::string_view script_path, const std::string& suffix);
  std::vector<Entry> entries_;
};

}  // namespace cleanroom::slt
