// Expressions of the recursive-descent parser, by precedence from lowest to highest:
// OR, AND, NOT, comparison and predicates (IS, IN, BETWEEN, LIKE), |, ^, &, + - ||,
// * / % DIV, unary + - ~, postfix :: and [ ], primary.
#include "sql/parser/parser_internal.h"

namespace cleanroom::sql {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

namespace {

ExprPtr Binary(std::string op, SourcePos pos, ExprPtr left, ExprPtr right) {
  auto e = std::make_unique<Expr>(ExprKind::kBinary, pos);
  e->name = std::move(op);
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return e;
}

}  // namespace

Result<ExprPtr> Parser::ParseExpr() {
  DepthGuard guard(depth_, stack_base_);
  if (guard.TooDeep()) return ErrorAt(Peek(), "expression nested too deeply");
  return ParseOr();
}

Result<ExprPtr> Parser::ParseOr() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (IsKeyword("or")) {
    SourcePos pos = Next().pos;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    left = Binary("or", pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseAnd() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (IsKeyword("and")) {
    SourcePos pos = Next().pos;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    left = Binary("and", pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseNot() {
  if (IsKeyword("not") || (IsSymbol("!") && !IsSymbol("=", 1))) {
    SourcePos pos = Next().pos;
    DepthGuard guard(depth_, stack_base_);
    if (guard.TooDeep()) return ErrorAt(Peek(), "expression nested too deeply");
    CR_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
    auto e = MakeExpr(ExprKind::kUnary, pos);
    e->name = "not";
    e->args.push_back(std::move(operand));
    return e;
  }
  return ParseComparison();
}

// Predicates that follow an operand: IS ..., [NOT] IN, [NOT] BETWEEN, [NOT] LIKE.
Result<ExprPtr> Parser::ParsePredicateTail(ExprPtr left, bool* matched) {
  *matched = true;
  SourcePos pos = Peek().pos;
  if (IsKeyword("is")) {
    Next();
    bool negated = EatKeyword("not");
    if (EatKeyword("null")) {
      auto e = MakeExpr(ExprKind::kIsNull, pos);
      e->negated = negated;
      e->args.push_back(std::move(left));
      return e;
    }
    if (IsKeyword("true") || IsKeyword("false") || IsKeyword("unknown")) {
      auto e = MakeExpr(ExprKind::kIsBool, pos);
      e->name = Next().lower;
      e->negated = negated;
      e->args.push_back(std::move(left));
      return e;
    }
    if (EatKeyword("distinct")) {
      CR_RETURN_IF_ERROR(ExpectKeyword("from"));
      CR_ASSIGN_OR_RETURN(ExprPtr right, ParseBitOr());
      auto e = MakeExpr(ExprKind::kIsDistinct, pos);
      e->negated = negated;
      e->args.push_back(std::move(left));
      e->args.push_back(std::move(right));
      return e;
    }
    // SQLite: "a IS b" / "a IS NOT b" is null-safe (in)equality.
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseBitOr());
    auto e = MakeExpr(ExprKind::kIsDistinct, pos);
    e->negated = !negated;
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return e;
  }
  // SQLite's postfix null tests: x NOTNULL, x NOT NULL, x ISNULL.
  if (IsKeyword("isnull") || IsKeyword("notnull") || (IsKeyword("not") && IsKeyword("null", 1))) {
    bool not_null = !IsKeyword("isnull");
    if (IsKeyword("not")) Next();
    Next();
    auto e = MakeExpr(ExprKind::kIsNull, pos);
    e->negated = not_null;
    e->args.push_back(std::move(left));
    return e;
  }
  bool negated = false;
  if (IsKeyword("not") &&
      (IsKeyword("in", 1) || IsKeyword("between", 1) || IsKeyword("like", 1) ||
       IsKeyword("ilike", 1) || IsKeyword("rlike", 1) || IsKeyword("regexp", 1))) {
    Next();
    negated = true;
  }
  if (EatKeyword("in")) {
    if (!IsSymbol("(")) {
      // SQLite's "x IN table" is "x IN (SELECT * FROM table)".
      if (!options_.sqlite_precedence || !AtName()) return Unexpected("'(' after IN");
      auto e = MakeExpr(ExprKind::kInSubquery, pos);
      e->negated = negated;
      e->args.push_back(std::move(left));
      auto query = std::make_unique<ast::QueryNode>();
      query->pos = Peek().pos;
      query->select.select_list.push_back(
          ast::SelectItem{MakeExpr(ExprKind::kStar, Peek().pos), "", {}});
      auto table = std::make_unique<ast::TableRef>();
      table->pos = Peek().pos;
      table->name.push_back(Next().text);
      query->select.from = std::move(table);
      e->subquery = std::move(query);
      return e;
    }
    Next();
    if (IsKeyword("select") || IsKeyword("with") || IsKeyword("values")) {
      auto e = MakeExpr(ExprKind::kInSubquery, pos);
      e->negated = negated;
      e->args.push_back(std::move(left));
      CR_ASSIGN_OR_RETURN(e->subquery, ParseQuery());
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
      return e;
    }
    auto e = MakeExpr(ExprKind::kInList, pos);
    e->negated = negated;
    e->args.push_back(std::move(left));
    if (!IsSymbol(")")) {
      do {
        CR_ASSIGN_OR_RETURN(ExprPtr item, ParseExpr());
        e->args.push_back(std::move(item));
      } while (EatSymbol(","));
    }
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    return e;
  }
  if (EatKeyword("between")) {
    EatKeyword("symmetric");
    CR_ASSIGN_OR_RETURN(ExprPtr low, ParseBitOr());
    CR_RETURN_IF_ERROR(ExpectKeyword("and"));
    CR_ASSIGN_OR_RETURN(ExprPtr high, ParseBitOr());
    auto e = MakeExpr(ExprKind::kBetween, pos);
    e->negated = negated;
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(low));
    e->args.push_back(std::move(high));
    return e;
  }
  if (IsKeyword("like") || IsKeyword("ilike") || IsKeyword("rlike") || IsKeyword("regexp")) {
    std::string kind = Next().lower;
    if (kind == "regexp") kind = "rlike";
    auto e = MakeExpr(ExprKind::kLike, pos);
    e->name = kind;
    e->negated = negated;
    e->args.push_back(std::move(left));
    CR_ASSIGN_OR_RETURN(ExprPtr pattern, ParseBitOr());
    e->args.push_back(std::move(pattern));
    if (EatKeyword("escape")) {
      CR_ASSIGN_OR_RETURN(e->else_expr, ParseBitOr());
    }
    return e;
  }
  if (negated) return Unexpected("IN, BETWEEN or LIKE after NOT");
  *matched = false;
  return left;
}

Result<ExprPtr> Parser::ParseComparison() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseBitOr());
  while (true) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kSymbol &&
        (t.text == "=" || t.text == "==" || t.text == "<>" || t.text == "!=" || t.text == "<" ||
         t.text == "<=" || t.text == ">" || t.text == ">=" || t.text == "<=>")) {
      SourcePos pos = t.pos;
      std::string op = Next().text;
      if (op == "==") op = "=";
      if (op == "!=") op = "<>";
      CR_ASSIGN_OR_RETURN(ExprPtr right, ParseBitOr());
      left = Binary(op, pos, std::move(left), std::move(right));
      continue;
    }
    bool matched = false;
    CR_ASSIGN_OR_RETURN(left, ParsePredicateTail(std::move(left), &matched));
    if (!matched) break;
  }
  return left;
}

// SQLite: `&`, `|`, `<<` and `>>` share one precedence, left to right, between comparison
// and `+`/`-`. Spark: `|` < `^` < `&` < shifts < `+`/`-`.
Result<ExprPtr> Parser::ParseBitOr() {
  if (options_.sqlite_precedence) {
    CR_ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
    while (IsSymbol("|") || IsSymbol("&") || IsSymbol("<<") || IsSymbol(">>")) {
      SourcePos pos = Peek().pos;
      std::string op = Next().text;
      CR_ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
      left = Binary(op, pos, std::move(left), std::move(right));
    }
    return left;
  }
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseBitXor());
  while (IsSymbol("|")) {
    SourcePos pos = Next().pos;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseBitXor());
    left = Binary("|", pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseBitXor() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseBitAnd());
  while (IsSymbol("^")) {
    SourcePos pos = Next().pos;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseBitAnd());
    left = Binary("^", pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseBitAnd() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseShift());
  while (IsSymbol("&")) {
    SourcePos pos = Next().pos;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseShift());
    left = Binary("&", pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseShift() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseAdditive());
  while (IsSymbol("<<") || IsSymbol(">>")) {
    SourcePos pos = Peek().pos;
    std::string op = Next().text;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseAdditive());
    left = Binary(op, pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseAdditive() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseMultiplicative());
  while (IsSymbol("+") || IsSymbol("-") || (IsSymbol("||") && !options_.sqlite_precedence)) {
    SourcePos pos = Peek().pos;
    std::string op = Next().text;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseMultiplicative());
    left = Binary(op, pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseMultiplicative() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%") || IsKeyword("div") || (IsSymbol("//"))) {
    SourcePos pos = Peek().pos;
    std::string op = Next().text;
    if (op == "DIV" || op == "Div") op = "div";
    if (op != "*" && op != "/" && op != "%") op = "div";
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
    left = Binary(op, pos, std::move(left), std::move(right));
  }
  return left;
}

// In SQLite `||` binds tighter than `*`; in Spark it sits with + and -.
Result<ExprPtr> Parser::ParseConcat() {
  CR_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary());
  while (options_.sqlite_precedence && IsSymbol("||")) {
    SourcePos pos = Next().pos;
    CR_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary());
    left = Binary("||", pos, std::move(left), std::move(right));
  }
  return left;
}

Result<ExprPtr> Parser::ParseUnary() {
  if (IsSymbol("-") || IsSymbol("+") || IsSymbol("~")) {
    DepthGuard guard(depth_, stack_base_);
    if (guard.TooDeep()) return ErrorAt(Peek(), "expression nested too deeply");
    SourcePos pos = Peek().pos;
    std::string op = Next().text;
    // A minus directly before a number is part of the literal (so -2147483648 is an int).
    if (op == "-" && Peek().kind == TokenKind::kNumber && !IsSymbol("::", 1) && !IsSymbol("[", 1)) {
      auto e = MakeExpr(ExprKind::kLiteral, pos);
      e->literal_kind = ast::LiteralKind::kNumber;
      e->text = "-" + Next().text;
      return e;
    }
    CR_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
    auto e = MakeExpr(ExprKind::kUnary, pos);
    e->name = op;
    e->args.push_back(std::move(operand));
    return e;
  }
  if (options_.sqlite_precedence && IsKeyword("not")) {
    // SQLite's grammar lets NOT appear as an operand of an arithmetic operator.
    return ParseNot();
  }
  return ParsePostfix();
}

Result<ExprPtr> Parser::ParsePostfix() {
  CR_ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
  while (true) {
    if (IsSymbol("::")) {
      SourcePos pos = Next().pos;
      auto cast = MakeExpr(ExprKind::kCast, pos);
      CR_ASSIGN_OR_RETURN(cast->type_name, ParseTypeText());
      cast->args.push_back(std::move(e));
      e = std::move(cast);
    } else if (options_.subscripts && IsSymbol("[")) {
      // x[i]: the function `[]`, a name no query can write otherwise (a quoted name is never
      // a call), bound per type (function/collection_functions.cc).
      SourcePos pos = Next().pos;
      auto call = MakeExpr(ExprKind::kFunction, pos);
      call->name = "[]";
      call->args.push_back(std::move(e));
      CR_ASSIGN_OR_RETURN(ExprPtr index, ParseExpr());
      call->args.push_back(std::move(index));
      CR_RETURN_IF_ERROR(ExpectSymbol("]"));
      e = std::move(call);
    } else if (IsKeyword("collate")) {
      return ErrorAt(Peek(), "COLLATE is not supported");
    } else {
      break;
    }
  }
  return e;
}

// The text of a type name: word [ '(' n [',' n] ')' ] or word '<' ... '>' (nested).
Result<std::string> Parser::ParseTypeText() {
  if (Peek().kind != TokenKind::kIdentifier) return Unexpected("a type name");
  std::string out = Next().lower;
  // Multi-word spellings.
  if (out == "double" && IsKeyword("precision")) Next();
  if ((out == "character" || out == "char") && IsKeyword("varying")) {
    Next();
    out = "varchar";
  }
  if (out == "timestamp" && IsKeyword("with")) {
    Next();
    CR_RETURN_IF_ERROR(ExpectKeyword("time"));
    CR_RETURN_IF_ERROR(ExpectKeyword("zone"));
  }
  if (out == "interval") {
    // interval YEAR [TO MONTH], interval DAY [TO SECOND], ...: the ANSI interval types.
    auto is_field = [&](size_t ahead) {
      const Token& t = Peek(ahead);
      return t.kind == TokenKind::kIdentifier &&
             (t.lower == "year" || t.lower == "month" || t.lower == "day" || t.lower == "hour" ||
              t.lower == "minute" || t.lower == "second");
    };
    if (is_field(0)) {
      out += " " + Next().lower;
      if (IsKeyword("to") && is_field(1)) {
        Next();
        out += " to " + Next().lower;
      }
    }
  }
  if (out == "unsigned" || out == "signed") {
    if (Peek().kind == TokenKind::kIdentifier) out = Next().lower;
    if (out == "unsigned" || out == "signed") out = "bigint";
  }
  if (IsSymbol("(")) {
    Next();
    out += "(";
    int depth = 1;
    while (depth > 0) {
      const Token& t = Peek();
      if (t.kind == TokenKind::kEnd) return Unexpected("')'");
      if (t.kind == TokenKind::kSymbol && t.text == "(") ++depth;
      if (t.kind == TokenKind::kSymbol && t.text == ")") --depth;
      bool digits = t.kind == TokenKind::kNumber &&
                    t.text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits &&
          !(t.kind == TokenKind::kSymbol && (t.text == "," || t.text == ")" || t.text == "("))) {
        return Unexpected("an integer in the type's parameters");
      }
      out += t.text;
      Next();
    }
  } else if (IsSymbol("<")) {
    int depth = 0;
    do {
      const Token& t = Peek();
      if (t.kind == TokenKind::kEnd) return Unexpected("'>'");
      if (t.kind == TokenKind::kSymbol && t.text == "<") ++depth;
      if (t.kind == TokenKind::kSymbol && t.text == ">") --depth;
      if (t.kind == TokenKind::kSymbol && t.text == ">>") depth -= 2;
      out += t.kind == TokenKind::kIdentifier ? t.lower : t.text;
      Next();
    } while (depth > 0);
  }
  if (IsSymbol("[") && IsSymbol("]", 1)) {
    Next();
    Next();
    out = "array<" + out + ">";
  }
  return out;
}

}  // namespace cleanroom::sql
