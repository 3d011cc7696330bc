#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"
#include "sql/parser/ast.h"
#include "sql/parser/lexer.h"

namespace cleanroom::sql {

struct ParserOptions {
  LexerOptions lexer;
  // SQLite's dialect: NOT binds below comparisons and `||` binds tighter than `*`.
  bool sqlite_precedence = false;
  // Spark: an outer, semi or anti join may omit ON / USING (the condition is true).
  bool optional_join_condition = false;
  // Spark: x[i] reads an array element (0-based) or a map value (the call `[]`(x, i)).
  bool subscripts = false;
};

// Parses a script: statements separated by ';' (empty statements allowed). Each statement is
// a query (SELECT / WITH / VALUES / set operations) or CREATE [OR REPLACE] TEMP[ORARY] VIEW
// name [(columns)] AS query. Errors are InvalidArgument with line, column and a caret.
Result<std::vector<ast::Statement>> ParseScript(std::string_view text,
                                                const ParserOptions& options = {});

}  // namespace cleanroom::sql
