#include "slt/golden_setup.h"

#include <cctype>
#include <regex>

#include "sql/catalog.h"

namespace cleanroom::slt {
namespace {

std::string Trim(const std::string& text) {
  size_t start = 0;
  size_t end = text.size();
  while (start < end && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  while (end > start && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(start, end - start);
}

std::string Unquote(const std::string& name) {
  if (name.size() >= 2 && name.front() == '`' && name.back() == '`')
    return name.substr(1, name.size() - 2);
  return name;
}

// Splits "a INT, b DECIMAL(10, 2), c ARRAY<INT>" at top-level commas.
std::vector<std::string> SplitTopLevel(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(' || c == '<') ++depth;
    if (c == ')' || c == '>') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(Trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (!Trim(current).empty()) parts.push_back(Trim(current));
  return parts;
}

// The query a source of rows is: VALUES rows become `SELECT * FROM VALUES ...`.
std::string SourceQuery(const std::string& text) {
  static const std::regex kValues(R"(^\s*VALUES\b)", std::regex::icase);
  if (std::regex_search(text, kValues)) return "SELECT * FROM " + Trim(text);
  return Trim(text);
}

}  // namespace

bool GoldenSetup::IsSetUp(const std::string& sql) {
  static const std::regex kSetUp(R"(^\s*(CREATE|INSERT|DROP)\b)", std::regex::icase);
  return std::regex_search(sql, kSetUp);
}

Result<GoldenSetup::Step> GoldenSetup::Translate(const std::string& sql) {
  static const std::regex kView(
      R"(^\s*CREATE\s+(OR\s+REPLACE\s+)?(GLOBAL\s+)?(TEMP|TEMPORARY)\s+VIEW\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_0-9`]+))",
      std::regex::icase);
  static const std::regex kTable(
      R"(^\s*CREATE\s+(OR\s+REPLACE\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([A-Za-z_0-9`.]+)\s*([\s\S]*)$)",
      std::regex::icase);
  static const std::regex kAs(R"(\bAS\s+([\s\S]*)$)", std::regex::icase);
  static const std::regex kInsert(
      R"(^\s*INSERT\s+(INTO|OVERWRITE)\s+(TABLE\s+)?([A-Za-z_0-9`.]+)\s*([\s\S]*)$)",
      std::regex::icase);
  static const std::regex kDrop(
      R"(^\s*DROP\s+(VIEW|TABLE)\s+(IF\s+EXISTS\s+)?([A-Za-z_0-9`.]+)\s*$)", std::regex::icase);
  std::smatch match;
  Step step;
  if (std::regex_search(sql, match, kView)) {
    step.kind = Step::Kind::kScript;
    step.name = Unquote(match[5].str());
    step.script = sql;
    return step;
  }
  if (std::regex_match(sql, match, kDrop)) {
    step.kind = Step::Kind::kDrop;
    step.name = Unquote(match[3].str());
    step.if_exists = match[2].matched;
    tables_.erase(sql::ToLowerAscii(step.name));
    return step;
  }
  if (std::regex_match(sql, match, kTable)) {
    Table table;
    table.name = Unquote(match[3].str());
    std::string rest = match[4].str();
    if (!rest.empty() && rest[0] == '(') {
      int depth = 0;
      size_t end = 0;
      for (; end < rest.size(); ++end) {
        if (rest[end] == '(') ++depth;
        if (rest[end] == ')' && --depth == 0) break;
      }
      if (end == rest.size())
        return Status::InvalidArgument("CREATE TABLE: unbalanced column list");
      for (const std::string& column : SplitTopLevel(rest.substr(1, end - 1))) {
        size_t space = column.find_first_of(" \t\n");
        if (space == std::string::npos)
          return Status::InvalidArgument("CREATE TABLE: a column without a type");
        table.columns.emplace_back(Unquote(column.substr(0, space)), Trim(column.substr(space)));
      }
      rest = rest.substr(end + 1);
    }
    std::smatch as;
    if (std::regex_search(rest, as, kAs)) {
      if (!table.columns.empty())
        return Status::InvalidArgument("CREATE TABLE: a column list with AS");
      step.kind = Step::Kind::kScript;
      step.name = table.name;
      step.script = "CREATE OR REPLACE TEMP VIEW " + table.name + " AS " + SourceQuery(as[1].str());
      return step;
    }
    if (table.columns.empty()) return Status::InvalidArgument("CREATE TABLE without columns or AS");
    tables_[sql::ToLowerAscii(table.name)] = table;
    return ViewOfTable(table);
  }
  if (std::regex_match(sql, match, kInsert)) {
    auto it = tables_.find(sql::ToLowerAscii(Unquote(match[3].str())));
    if (it == tables_.end())
      return Status::InvalidArgument("INSERT into a table not created by the file");
    std::string source = match[4].str();
    if (!source.empty() && source[0] == '(') {
      return Status::Unimplemented("INSERT with a column list");
    }
    if (sql::ToLowerAscii(match[1].str()) == "overwrite") it->second.sources.clear();
    it->second.sources.push_back(SourceQuery(source));
    return ViewOfTable(it->second);
  }
  return Status::Unimplemented(
      "a set-up statement other than CREATE VIEW / CREATE TABLE / INSERT / DROP");
}

GoldenSetup::Step GoldenSetup::ViewOfTable(const Table& table) const {
  Step step;
  step.kind = Step::Kind::kScript;
  step.name = table.name;
  std::string select;
  std::string aliases;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const auto& [name, type] = table.columns[i];
    if (i > 0) {
      select += ", ";
      aliases += ", ";
    }
    std::string source = table.sources.empty() ? "NULL" : "_c" + std::to_string(i + 1);
    select += "CAST(" + source + " AS " + type + ") AS `" + name + "`";
    aliases += "_c" + std::to_string(i + 1);
  }
  std::string body;
  if (table.sources.empty()) {
    body = "SELECT " + select + " WHERE false";
  } else {
    std::string rows;
    for (size_t i = 0; i < table.sources.size(); ++i) {
      if (i > 0) rows += " UNION ALL ";
      rows += "SELECT * FROM (" + table.sources[i] + ")";
    }
    body = "SELECT " + select + " FROM (" + rows + ") AS _rows(" + aliases + ")";
  }
  step.script = "CREATE OR REPLACE TEMP VIEW " + table.name + " AS " + body;
  return step;
}

}  // namespace cleanroom::slt
