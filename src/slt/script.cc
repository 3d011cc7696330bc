#include "slt/script.h"

#include <sstream>

namespace cleanroom::slt {
namespace {

std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Result<std::vector<Record>> ParseScript(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(StripCr(text.substr(start, end - start)));
    start = end + 1;
  }
  std::vector<Record> records;
  std::vector<std::pair<bool, std::string>> conditions;
  size_t i = 0;
  while (i < lines.size()) {
    std::string_view line = lines[i];
    if (IsBlank(line) || line.front() == '#') {
      ++i;
      continue;
    }
    std::vector<std::string> words = SplitWords(line);
    const std::string& head = words[0];
    int line_number = static_cast<int>(i) + 1;
    if ((head == "skipif" || head == "onlyif") && words.size() >= 2) {
      conditions.emplace_back(head == "onlyif", words[1]);
      ++i;
      continue;
    }
    Record record;
    record.line = line_number;
    record.conditions = std::move(conditions);
    conditions.clear();
    ++i;
    if (head == "statement" || head == "query") {
      if (head == "statement") {
        record.kind = Record::Kind::kStatement;
        if (words.size() < 2 || (words[1] != "ok" && words[1] != "error" && words[1] != "maybe" &&
                                 words[1] != "denied")) {
          return Status::InvalidArgument("line " + std::to_string(line_number) +
                                         ": statement must be followed by ok, error or denied");
        }
        record.expect_error = words[1] == "error" || words[1] == "denied";
        if (words[1] == "denied") {
          if (words.size() < 3) {
            return Status::InvalidArgument("line " + std::to_string(line_number) +
                                           ": statement denied needs a status code");
          }
          record.expect_code = words[2];
        }
      } else {
        record.kind = Record::Kind::kQuery;
        if (words.size() < 2) {
          return Status::InvalidArgument("line " + std::to_string(line_number) +
                                         ": query needs its column types");
        }
        if (words[1] == "error") {
          record.expect_error = true;
        } else {
          record.types = words[1];
        }
        record.sort_mode = words.size() >= 3 ? words[2] : "nosort";
        if (words.size() >= 4) record.label = words[3];
      }
      // SQL runs to a blank line or "----".
      std::string sql;
      while (i < lines.size() && !IsBlank(lines[i]) && lines[i] != "----") {
        if (!sql.empty()) sql += '\n';
        sql += lines[i];
        ++i;
      }
      record.sql = std::move(sql);
      if (i < lines.size() && lines[i] == "----") {
        record.has_expected = true;
        ++i;
        while (i < lines.size() && !IsBlank(lines[i])) record.expected.emplace_back(lines[i++]);
      }
    } else if (head == "load" && words.size() >= 4 && (words[1] == "ok" || words[1] == "error")) {
      record.kind = Record::Kind::kLoad;
      record.expect_error = words[1] == "error";
      record.arguments.assign(words.begin() + 2, words.end());
      if (i < lines.size() && lines[i] == "----") {
        record.has_expected = true;
        ++i;
        while (i < lines.size() && !IsBlank(lines[i])) record.expected.emplace_back(lines[i++]);
      }
    } else if (head == "policy" && words.size() == 2) {
      record.kind = Record::Kind::kPolicy;
      record.arguments.push_back(words[1]);
    } else if (head == "suppressed" && words.size() == 2) {
      record.kind = Record::Kind::kSuppressed;
      record.arguments.push_back(words[1]);
    } else if (head == "hash-threshold") {
      record.kind = Record::Kind::kHashThreshold;
    } else if (head == "halt") {
      record.kind = Record::Kind::kHalt;
    } else if (head == "mode" && words.size() >= 2 && words[1] == "skip") {
      record.kind = Record::Kind::kModeSkip;
    } else if (head == "mode" && words.size() >= 2 && words[1] == "unskip") {
      record.kind = Record::Kind::kModeUnskip;
    } else if (head == "require") {
      record.kind = Record::Kind::kRequire;
      record.directive = std::string(line);
    } else {
      record.kind = Record::Kind::kUnsupported;
      record.directive = std::string(line);
      // Skip the directive's body, if any, up to the next blank line.
      while (i < lines.size() && !IsBlank(lines[i])) ++i;
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace cleanroom::slt
