#pragma once

#include <cstdint>

// The recursive-descent parser's state, shared by the statement and expression halves
// (parser.cc, parse_expression.cc). Not a public header.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sql/parser/parser.h"

namespace cleanroom::sql {

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, const ParserOptions& options)
      : text_(text),
        tokens_(std::move(tokens)),
        options_(options),
        stack_base_(reinterpret_cast<uintptr_t>(__builtin_frame_address(0))) {}

  Result<std::vector<ast::Statement>> ParseScript();

  // Statements and queries (parser.cc).
  Result<ast::Statement> ParseStatement();
  Result<std::unique_ptr<ast::QueryNode>> ParseQuery();
  Result<std::unique_ptr<ast::QueryNode>> ParseSetOperand();
  Result<std::unique_ptr<ast::QueryNode>> ParseSetTerm();
  Result<std::unique_ptr<ast::QueryNode>> ParseSelectCore();
  Status ParseGroupBy(ast::SelectNode& select);
  struct GroupByState {
    ast::SelectNode& select;
    std::map<std::string, int> index_of;  // source text of an expression -> group_by index
    bool special;                         // grouping sets, ROLLUP, CUBE or ()
  };
  Result<std::vector<std::vector<int>>> ParseGroupingElement(GroupByState& state);
  Result<std::vector<int>> ParseGroupingItem(GroupByState& state);
  Result<int> AddGroupExpr(GroupByState& state);
  Result<std::vector<std::vector<int>>> ExpandRollupOrCube(
      const std::vector<std::vector<int>>& items, bool cube);
  // Whether the parenthesis at the current token holds a top-level comma.
  bool ParenthesisedListAhead() const;
  Result<std::unique_ptr<ast::TableRef>> ParseFrom();
  Result<std::unique_ptr<ast::TableRef>> ParseTableFactor();
  Status ParseAlias(std::string& alias, std::vector<std::string>* column_aliases);
  Result<std::vector<ast::OrderItem>> ParseOrderList();
  Result<std::vector<std::vector<ast::ExprPtr>>> ParseValuesRows();

  // Expressions (parse_expression.cc).
  Result<ast::ExprPtr> ParseExpr();
  Result<ast::ExprPtr> ParseOr();
  Result<ast::ExprPtr> ParseAnd();
  Result<ast::ExprPtr> ParseNot();
  Result<ast::ExprPtr> ParseComparison();
  Result<ast::ExprPtr> ParseBitOr();
  Result<ast::ExprPtr> ParseBitXor();
  Result<ast::ExprPtr> ParseBitAnd();
  Result<ast::ExprPtr> ParseShift();
  Result<ast::ExprPtr> ParseAdditive();
  Result<ast::ExprPtr> ParseMultiplicative();
  Result<ast::ExprPtr> ParseConcat();
  Result<ast::ExprPtr> ParseUnary();
  Result<ast::ExprPtr> ParsePostfix();
  Result<ast::ExprPtr> ParsePrimary();
  Result<ast::ExprPtr> ParseFunction(const Token& name_token);
  // A function argument: an expression, or a lambda `x -> body` / `(x, y) -> body`.
  Result<ast::ExprPtr> ParseArgument();
  Status ParseRange(ast::TableRef& ref);  // FROM range(...) as VALUES rows
  // The parameters of the lambdas whose bodies are being parsed (innermost last).
  std::vector<std::string> lambda_parameters_;
  Result<ast::ExprPtr> ParseCase(SourcePos pos);
  Result<ast::ExprPtr> ParseCastBody(SourcePos pos, bool try_cast);
  Result<std::string> ParseTypeText();
  Result<std::unique_ptr<ast::WindowSpec>> ParseWindowSpec();
  Result<ast::FrameBound> ParseFrameBound();
  Result<ast::ExprPtr> ParseInterval(SourcePos pos);
  Result<ast::ExprPtr> ParsePredicateTail(ast::ExprPtr left, bool* matched);

  // Token helpers.
  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kIdentifier && t.lower == word;
  }
  bool IsSymbol(std::string_view symbol, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kSymbol && t.text == symbol;
  }
  bool EatKeyword(std::string_view word) {
    if (!IsKeyword(word)) return false;
    Next();
    return true;
  }
  bool EatSymbol(std::string_view symbol) {
    if (!IsSymbol(symbol)) return false;
    Next();
    return true;
  }
  Status ExpectKeyword(std::string_view word);
  Status ExpectSymbol(std::string_view symbol);
  Status ErrorAt(const Token& token, const std::string& message) const;
  Status Unexpected(const std::string& expected) const;
  // A name: an identifier that is not reserved, or a quoted identifier.
  Result<std::string> ParseName(const char* what);
  // The fields of STRUCT(...) after its first argument, with their aliases (see the .cc).
  Status ParseStructFields(ast::ExprPtr first, ast::Expr& call);
  bool AtName() const;
  static bool IsReserved(std::string_view lower_word);
  static ast::ExprPtr MakeExpr(ast::ExprKind kind, SourcePos pos) {
    return std::make_unique<ast::Expr>(kind, pos);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  ParserOptions options_;
  size_t pos_ = 0;
  int depth_ = 0;             // nesting guard against stack exhaustion
  uintptr_t stack_base_ = 0;  // the stack where parsing started (the guard also bounds bytes)
};

// Nesting deeper than this is refused (a stack-overflow guard, not a language limit).
inline constexpr int kMaxNestingDepth = 400;
// And so is recursion using more stack than this: sanitizer builds use far bigger frames, and
// the parser must fail with an error there too, never overflow (threads have 8 MiB).
inline constexpr uintptr_t kMaxParserStackBytes = 2u << 20;

// Counts recursion depth for the lifetime of a parse function; the destructor restores it.
class DepthGuard {
 public:
  DepthGuard(int& depth, uintptr_t stack_base) : depth_(depth), stack_base_(stack_base) {
    ++depth_;
  }
  ~DepthGuard() { --depth_; }
  bool TooDeep() const {
    uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    return depth_ > kMaxNestingDepth ||
           (here < stack_base_ && stack_base_ - here > kMaxParserStackBytes);
  }

 private:
  int& depth_;
  uintptr_t stack_base_;
};

}  // namespace cleanroom::sql
