#include "slt/golden_expectations.h"

#include <cctype>

#include "base/file.h"

namespace cleanroom::slt {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// True when `sql` names `word` (lower case) as a whole identifier, case-insensitively.
bool NamesWord(std::string_view sql, const std::string& word) {
  for (size_t at = 0; at + word.size() <= sql.size(); ++at) {
    if (at > 0 && IsWordChar(sql[at - 1])) continue;
    size_t end = at + word.size();
    if (end < sql.size() && IsWordChar(sql[end])) continue;
    bool same = true;
    for (size_t i = 0; same && i < word.size(); ++i) {
      same = std::tolower(static_cast<unsigned char>(sql[at + i])) == word[i];
    }
    if (same) return true;
  }
  return false;
}

std::string_view TrimView(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// The lines of a text, numbered from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool Next(std::string_view& line, int& number) {
    if (at_ >= text_.size()) return false;
    size_t end = text_.find('\n', at_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(at_, end - at_);
    at_ = end + 1;
    number = ++number_;
    return true;
  }

 private:
  std::string_view text_;
  size_t at_ = 0;
  int number_ = 0;
};

}  // namespace

bool PathEndsWith(std::string_view path, std::string_view suffix) {
  if (path.size() < suffix.size() || path.substr(path.size() - suffix.size()) != suffix)
    return false;
  return path.size() == suffix.size() || path[path.size() - suffix.size() - 1] == '/';
}

Result<GoldenSkipList> GoldenSkipList::Load(const std::string& path) {
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return Parse(text);
}

Result<GoldenSkipList> GoldenSkipList::Parse(std::string_view text) {
  GoldenSkipList list;
  LineReader lines(text);
  std::string_view line;
  int line_number = 0;
  while (lines.Next(line, line_number)) {
    if (!line.starts_with("- `")) continue;
    size_t close = line.find('`', 3);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("skip list line " + std::to_string(line_number) +
                                     ": unclosed `");
    }
    std::string_view key = line.substr(3, close - 3);
    Entry entry;
    entry.reason = std::string(TrimView(line.substr(close + 1)));
    if (entry.reason.empty()) {
      return Status::InvalidArgument("skip list line " + std::to_string(line_number) +
                                     ": no reason given");
    }
    if (key.starts_with("zone:")) {
      // `zone:file.sql.out=ZONE`: the file starts in that session time zone.
      size_t equals = key.find('=');
      if (equals == std::string_view::npos || !key.substr(5, equals - 5).ends_with(".sql.out")) {
        return Status::InvalidArgument("skip list line " + std::to_string(line_number) +
                                       ": expected `zone:file.sql.out=ZONE`");
      }
      list.zones_.emplace_back(std::string(key.substr(5, equals - 5)),
                               std::string(key.substr(equals + 1)));
      continue;
    }
    if (key.starts_with("uses:")) {
      for (char c : key.substr(5))
        entry.word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      size_t colon = key.rfind(':');
      entry.path = std::string(key.substr(0, colon));
      if (colon != std::string_view::npos)
        entry.line = std::atoi(std::string(key.substr(colon + 1)).c_str());
      if (!entry.path.ends_with(".sql.out") ||
          (colon != std::string_view::npos && entry.line <= 0)) {
        return Status::InvalidArgument("skip list line " + std::to_string(line_number) +
                                       ": expected `file.sql.out[:LINE]` or `uses:WORD`");
      }
    }
    list.entries_.push_back(std::move(entry));
  }
  return list;
}

std::optional<std::string> GoldenSkipList::Reason(std::string_view path, int line,
                                                  std::string_view sql) const {
  for (const Entry& entry : entries_) {
    if (!entry.word.empty()) {
      if (NamesWord(sql, entry.word)) return entry.reason;
    } else if ((entry.line == 0 || entry.line == line) && PathEndsWith(path, entry.path)) {
      return entry.reason;
    }
  }
  return std::nullopt;
}

std::optional<std::string> GoldenSkipList::ZoneOf(std::string_view path) const {
  for (const auto& [file, zone] : zones_) {
    if (PathEndsWith(path, file)) return zone;
  }
  return std::nullopt;
}

Result<std::map<std::string, uint64_t>> ParseGoldenFloors(std::string_view text) {
  std::map<std::string, uint64_t> floors;
  LineReader lines(text);
  std::string_view line;
  int line_number = 0;
  while (lines.Next(line, line_number)) {
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = TrimView(line);
    if (line.empty()) continue;
    size_t space = line.find_last_of(" \t");
    std::string_view number = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) {
      return Status::InvalidArgument("floors line " + std::to_string(line_number) +
                                     ": expected `path.sql.out N`");
    }
    floors[std::string(TrimView(line.substr(0, space)))] = std::stoull(std::string(number));
  }
  return floors;
}

}  // namespace cleanroom::slt
