#pragma once

// Tokens of a set-up statement's text in SQLite's lexical rules, for the few statements the
// runner's set-up layer handles itself (triggers, REINDEX, UPDATE with repeated assignments).

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace cleanroom::slt {

// A word (lower-cased), a quoted name ("x", `x`, [x]; unquoted, lower-cased), a string literal
// (unquoted), or one punctuation character; [begin, end) is its span in the text.
struct Token {
  enum class Kind { kWord, kQuotedName, kString, kOther };
  Kind kind = Kind::kOther;
  std::string text;
  size_t begin = 0;
  size_t end = 0;
};

// Splits `sql` into tokens, skipping whitespace and comments. InvalidArgument for an
// unterminated quote or comment.
Result<std::vector<Token>> TokenizeStatement(std::string_view sql);

}  // namespace cleanroom::slt
