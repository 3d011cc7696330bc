#include "slt/sqlite_statements.h"

#include <set>
#include <vector>

#include "slt/statement_tokens.h"

namespace cleanroom::slt {
namespace {

bool IsWord(const Token& t, std::string_view word) {
  return t.kind == Token::Kind::kWord && t.text == word;
}
bool IsOther(const Token& t, char c) { return t.kind == Token::Kind::kOther && t.text[0] == c; }

}  // namespace

std::optional<std::string> KeepRightmostAssignments(std::string_view update_sql) {
  auto tokens = TokenizeStatement(update_sql);
  if (!tokens.ok() || tokens->empty() || !IsWord(tokens->front(), "update")) return std::nullopt;
  const std::vector<Token>& t = *tokens;
  size_t i = 0;
  while (i < t.size() && !IsWord(t[i], "set")) ++i;
  if (i == t.size()) return std::nullopt;
  ++i;
  // Assignments [first token, last token] at parenthesis depth 0, separated by commas, up to
  // the clause that follows them.
  struct Assignment {
    std::string column;
    size_t first, last;
  };
  std::vector<Assignment> assignments;
  int depth = 0;
  size_t start = i;
  size_t end = t.size();
  for (size_t k = i; k <= t.size(); ++k) {
    bool at_end = k == t.size();
    if (!at_end && depth == 0 &&
        (IsWord(t[k], "where") || IsWord(t[k], "from") || IsWord(t[k], "returning") ||
         IsWord(t[k], "order") || IsWord(t[k], "limit") || IsOther(t[k], ';'))) {
      at_end = true;
    }
    if (at_end || (depth == 0 && IsOther(t[k], ','))) {
      if (k == start) return std::nullopt;
      // A column list `(a, b) = (...)` is left to the engine.
      if (t[start].kind != Token::Kind::kWord && t[start].kind != Token::Kind::kQuotedName) {
        return std::nullopt;
      }
      assignments.push_back(Assignment{t[start].text, start, k - 1});
      start = k + 1;
      if (at_end) {
        end = k;
        break;
      }
      continue;
    }
    if (IsOther(t[k], '(')) ++depth;
    if (IsOther(t[k], ')')) --depth;
  }
  std::set<std::string> seen;
  std::vector<const Assignment*> kept;
  for (auto it = assignments.rbegin(); it != assignments.rend(); ++it) {
    if (seen.insert(it->column).second) kept.insert(kept.begin(), &*it);
  }
  if (kept.size() == assignments.size()) return std::nullopt;
  std::string out(update_sql.substr(0, t[i].begin));
  for (size_t k = 0; k < kept.size(); ++k) {
    if (k > 0) out += ", ";
    out +=
        update_sql.substr(t[kept[k]->first].begin, t[kept[k]->last].end - t[kept[k]->first].begin);
  }
  if (end < t.size()) out += " " + std::string(update_sql.substr(t[end].begin));
  return out;
}

Result<std::optional<std::string>> ReindexTarget(std::string_view sql) {
  auto tokens = TokenizeStatement(sql);
  if (!tokens.ok() || tokens->empty() || !IsWord(tokens->front(), "reindex")) {
    return std::optional<std::string>();
  }
  const std::vector<Token>& t = *tokens;
  size_t n = t.size();
  if (n > 1 && IsOther(t[n - 1], ';')) --n;
  if (n == 1) return std::optional<std::string>(std::string());
  auto is_name = [&](size_t k) {
    return t[k].kind == Token::Kind::kWord || t[k].kind == Token::Kind::kQuotedName;
  };
  if (n == 2 && is_name(1)) return std::optional<std::string>(t[1].text);
  if (n == 4 && is_name(1) && IsOther(t[2], '.') && is_name(3)) {
    return std::optional<std::string>(t[3].text);
  }
  return Status::InvalidArgument("REINDEX: expected at most one (qualified) name");
}

}  // namespace cleanroom::slt

namespace cleanroom::slt {

std::optional<InsertValues> SplitInsertValues(std::string_view sql) {
  auto tokens = TokenizeStatement(sql);
  if (!tokens.ok() || tokens->empty()) return std::nullopt;
  const std::vector<Token>& t = *tokens;
  if (!IsWord(t.front(), "insert") && !IsWord(t.front(), "replace")) return std::nullopt;
  size_t k = 0;
  int depth = 0;
  for (; k < t.size(); ++k) {
    if (IsOther(t[k], '(')) ++depth;
    if (IsOther(t[k], ')')) --depth;
    if (depth == 0 && IsWord(t[k], "values")) break;
  }
  if (k == t.size()) return std::nullopt;
  InsertValues out;
  out.head = std::string(sql.substr(0, t[k].begin));
  ++k;
  while (k < t.size()) {
    if (!IsOther(t[k], '(')) return std::nullopt;
    size_t open = k;
    depth = 0;
    for (; k < t.size(); ++k) {
      if (IsOther(t[k], '(')) ++depth;
      if (IsOther(t[k], ')') && --depth == 0) break;
    }
    if (k == t.size() || k == open + 1) return std::nullopt;
    out.rows.emplace_back(sql.substr(t[open].end, t[k].begin - t[open].end));
    ++k;
    if (k < t.size() && IsOther(t[k], ',')) {
      ++k;
      continue;
    }
    // Only a final ';' may follow the last row: another statement or clause is left to the
    // engine as written.
    if (k < t.size() && IsOther(t[k], ';')) ++k;
    if (k != t.size()) return std::nullopt;
  }
  if (out.rows.empty()) return std::nullopt;
  return out;
}

}  // namespace cleanroom::slt

namespace cleanroom::slt {

std::optional<std::string> WidenIntegerColumns(std::string_view create_sql) {
  auto tokens = TokenizeStatement(create_sql);
  if (!tokens.ok() || tokens->size() < 3 || !IsWord((*tokens)[0], "create")) return std::nullopt;
  const std::vector<Token>& t = *tokens;
  size_t k = 1;
  if (IsWord(t[k], "temp") || IsWord(t[k], "temporary")) ++k;
  if (k >= t.size() || !IsWord(t[k], "table")) return std::nullopt;
  // Column definitions: inside the outermost parentheses, a type name follows the column name.
  std::string out;
  size_t copied = 0;
  int depth = 0;
  bool widened = false;
  for (size_t i = k + 1; i < t.size(); ++i) {
    if (IsOther(t[i], '(')) ++depth;
    if (IsOther(t[i], ')')) --depth;
    if (IsWord(t[i], "as") && depth == 0) return std::nullopt;  // CREATE TABLE ... AS SELECT
    bool type_position =
        depth == 1 && i > 0 &&
        (t[i - 1].kind == Token::Kind::kWord || t[i - 1].kind == Token::Kind::kQuotedName) &&
        i >= 2 && (IsOther(t[i - 2], '(') || IsOther(t[i - 2], ','));
    if (type_position && (IsWord(t[i], "integer") || IsWord(t[i], "int"))) {
      out += create_sql.substr(copied, t[i].begin - copied);
      out += "BIGINT";
      copied = t[i].end;
      widened = true;
    }
  }
  if (!widened) return std::nullopt;
  out += create_sql.substr(copied);
  return out;
}

}  // namespace cleanroom::slt
