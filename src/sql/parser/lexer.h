#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/parser/source_error.h"

namespace cleanroom::sql {

enum class TokenKind {
  kIdentifier,        // a bare word: keyword or name (the parser decides)
  kQuotedIdentifier,  // `name` (or "name" when double quotes quote identifiers)
  kString,            // 'text' (or "text" in Spark), escapes resolved
  kNumber,            // 12, 1.5, 1e3, with an optional Spark suffix (L S Y D F BD)
  kSymbol,            // ( ) , . ; + - * / % = == <> != < <= > >= <=> || :: & | ^ ~
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // identifiers as written; strings unescaped; symbols as written
  std::string lower;  // kIdentifier: lower-cased text, for keyword checks
  SourcePos pos;
};

struct LexerOptions {
  // Spark reads "x" as a string literal; SQLite and DuckDB read it as an identifier.
  bool double_quote_is_identifier = false;
};

// Splits SQL text into tokens (comments and white space dropped); the last token is kEnd.
// InvalidArgument with line, column and caret for an unterminated string, identifier or
// comment, or a character that starts no token.
Result<std::vector<Token>> Tokenize(std::string_view text, const LexerOptions& options = {});

}  // namespace cleanroom::sql
