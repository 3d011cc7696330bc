#include "slt/skip_list.h"

#include <cctype>

#include "base/file.h"

namespace cleanroom::slt {

Result<SkipList> SkipList::Load(const std::string& path) {
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return Parse(text);
}

SkipList SkipList::Parse(std::string_view text) {
  SkipList list;
  size_t at = 0;
  while ((at = text.find('`', at)) != std::string_view::npos) {
    size_t end = text.find('`', at + 1);
    if (end == std::string_view::npos) break;
    std::string_view token = text.substr(at + 1, end - at - 1);
    at = end + 1;
    size_t test = token.find(".test");
    if (test == std::string_view::npos) continue;
    Entry entry;
    entry.path = std::string(token.substr(0, test + 5));
    std::string_view rest = token.substr(test + 5);
    if (!rest.empty()) {
      if (rest[0] != ':' || rest.size() < 2) continue;
      int line = 0;
      bool digits = true;
      for (char c : rest.substr(1)) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
          digits = false;
        else
          line = line * 10 + (c - '0');
      }
      if (!digits) continue;
      entry.line = line;
    }
    list.entries_.push_back(std::move(entry));
  }
  return list;
}

bool SkipList::Matches(std::string_view script_path, const std::string& suffix) {
  if (script_path.size() < suffix.size()) return false;
  if (script_path.substr(script_path.size() - suffix.size()) != suffix) return false;
  return script_path.size() == suffix.size() ||
         script_path[script_path.size() - suffix.size() - 1] == '/';
}

bool SkipList::SkipsFile(std::string_view script_path) const {
  for (const Entry& entry : entries_) {
    if (entry.line == 0 && Matches(script_path, entry.path)) return true;
  }
  return false;
}

bool SkipList::SkipsRecord(std::string_view script_path, int line) const {
  for (const Entry& entry : entries_) {
    if ((entry.line == 0 || entry.line == line) && Matches(script_path, entry.path)) return true;
  }
  return false;
}

}  // namespace cleanroom::slt
