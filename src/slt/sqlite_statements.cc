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
    out += update_sql.substr(t[kept[k]->first].begin, t[kept[k]->last].end - t[kept[k]->first].begin);
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
