#include "slt/statement_tokens.h"

#include <cctype>

namespace cleanroom::slt {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

}  // namespace

Result<std::vector<Token>> TokenizeStatement(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto quoted = [&](char close, Token::Kind kind) -> Status {
    Token t;
    t.kind = kind;
    t.begin = i;
    size_t j = i + 1;
    while (true) {
      if (j >= sql.size()) return Status::InvalidArgument("unterminated quote in a statement");
      if (sql[j] == close) {
        if (close != ']' && j + 1 < sql.size() && sql[j + 1] == close) {
          t.text += close;
          j += 2;
          continue;
        }
        break;
      }
      t.text += sql[j++];
    }
    if (kind == Token::Kind::kQuotedName) t.text = Lower(t.text);
    i = j + 1;
    t.end = i;
    tokens.push_back(std::move(t));
    return Status::OK();
  };
  while (i < sql.size()) {
    unsigned char c = static_cast<unsigned char>(sql[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) {
        return Status::InvalidArgument("unterminated comment in a statement");
      }
      i = end + 2;
    } else if (IsWordByte(c) && c != '$') {
      size_t j = i;
      while (j < sql.size() && IsWordByte(static_cast<unsigned char>(sql[j]))) ++j;
      tokens.push_back(Token{Token::Kind::kWord, Lower(sql.substr(i, j - i)), i, j});
      i = j;
    } else if (c == '\'') {
      CR_RETURN_IF_ERROR(quoted('\'', Token::Kind::kString));
    } else if (c == '"' || c == '`') {
      CR_RETURN_IF_ERROR(quoted(static_cast<char>(c), Token::Kind::kQuotedName));
    } else if (c == '[') {
      CR_RETURN_IF_ERROR(quoted(']', Token::Kind::kQuotedName));
    } else {
      tokens.push_back(Token{Token::Kind::kOther, std::string(1, static_cast<char>(c)), i, i + 1});
      ++i;
    }
  }
  return tokens;
}

}  // namespace cleanroom::slt
