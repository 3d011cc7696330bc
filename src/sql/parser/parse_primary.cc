// Primary expressions: literals, names, function calls, CASE, CAST, subqueries, windows.
#include <algorithm>

#include "sql/catalog.h"
#include "sql/parser/interval_literal.h"
#include "sql/parser/parser_internal.h"

namespace cleanroom::sql {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

Result<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Peek();
  SourcePos pos = t.pos;
  switch (t.kind) {
    case TokenKind::kNumber: {
      auto e = MakeExpr(ExprKind::kLiteral, pos);
      e->literal_kind = ast::LiteralKind::kNumber;
      e->text = Next().text;
      return e;
    }
    case TokenKind::kString: {
      auto e = MakeExpr(ExprKind::kLiteral, pos);
      if (t.lower == "x") {
        e->literal_kind = ast::LiteralKind::kBlob;
        e->text = Next().text;
        if (e->text.size() % 2 != 0 ||
            e->text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
          return SqlError(text_, pos, "invalid blob literal");
        }
        return e;
      }
      e->literal_kind = ast::LiteralKind::kString;
      e->text = Next().text;
      // Adjacent string literals concatenate ('a' 'b' is 'ab').
      while (Peek().kind == TokenKind::kString) e->text += Next().text;
      return e;
    }
    case TokenKind::kSymbol: {
      if (t.text == "(") {
        Next();
        if (IsKeyword("select") || IsKeyword("with") ||
            (IsSymbol("(") && (IsKeyword("select", 1) || IsKeyword("with", 1)))) {
          auto e = MakeExpr(ExprKind::kScalarSubquery, pos);
          CR_ASSIGN_OR_RETURN(e->subquery, ParseQuery());
          CR_RETURN_IF_ERROR(ExpectSymbol(")"));
          return e;
        }
        CR_ASSIGN_OR_RETURN(ExprPtr inner, ParseExpr());
        if (IsSymbol(",")) return ErrorAt(Peek(), "row values (a, b, ...) are not supported");
        CR_RETURN_IF_ERROR(ExpectSymbol(")"));
        return inner;
      }
      if (t.text == "*") {
        Next();
        return MakeExpr(ExprKind::kStar, pos);
      }
      return Unexpected("an expression");
    }
    case TokenKind::kQuotedIdentifier:
    case TokenKind::kIdentifier:
      break;
    case TokenKind::kEnd:
      return Unexpected("an expression");
  }
  const std::string w = t.lower;
  bool quoted = t.kind == TokenKind::kQuotedIdentifier;
  if (!quoted) {
    if (w == "null" || w == "true" || w == "false") {
      Next();
      auto e = MakeExpr(ExprKind::kLiteral, pos);
      e->literal_kind = w == "null" ? ast::LiteralKind::kNull : ast::LiteralKind::kBoolean;
      e->text = w;
      return e;
    }
    if ((w == "date" || w == "timestamp" || w == "timestamp_ntz" || w == "timestamp_ltz" ||
         w == "time") &&
        Peek(1).kind == TokenKind::kString) {
      Next();
      auto e = MakeExpr(ExprKind::kLiteral, pos);
      e->literal_kind = w == "date"   ? ast::LiteralKind::kDate
                        : w == "time" ? ast::LiteralKind::kTime
                                      : ast::LiteralKind::kTimestamp;
      e->text = Next().text;
      return e;
    }
    if (w == "interval") {
      Next();
      return ParseInterval(pos);
    }
    if (w == "case") {
      Next();
      return ParseCase(pos);
    }
    if ((w == "cast" || w == "try_cast") && IsSymbol("(", 1)) {
      Next();
      Next();
      return ParseCastBody(pos, w == "try_cast");
    }
    // EXISTS (subquery), or Spark's higher-order function exists(array, x -> predicate).
    bool exists_function = w == "exists" && IsSymbol("(", 1) && !IsKeyword("select", 2) &&
                           !IsKeyword("with", 2) && !IsKeyword("values", 2) && !IsSymbol("(", 2);
    if (w == "exists" && IsSymbol("(", 1) && !exists_function) {
      Next();
      Next();
      auto e = MakeExpr(ExprKind::kExists, pos);
      CR_ASSIGN_OR_RETURN(e->subquery, ParseQuery());
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
      return e;
    }
    if ((w == "current_date" || w == "current_timestamp") && !IsSymbol("(", 1)) {
      Next();
      auto e = MakeExpr(ExprKind::kFunction, pos);
      e->name = w;
      return e;
    }
    // left(s, n), right(s, n), regexp(s, p), rlike(s, p): reserved words that also name
    // functions; in the place of an expression they can only be calls.
    bool lambda_parameter = std::find(lambda_parameters_.begin(), lambda_parameters_.end(), w) !=
                            lambda_parameters_.end();
    if (IsReserved(w) && !exists_function && !lambda_parameter &&
        !(IsSymbol("(", 1) && (w == "left" || w == "right" || w == "regexp" || w == "rlike"))) {
      return Unexpected("an expression");
    }
  }
  const Token& name_token = Next();
  if (IsSymbol("(") && !quoted) return ParseFunction(name_token);
  auto e = MakeExpr(ExprKind::kColumn, pos);
  e->name = name_token.text;
  e->quoted = quoted;
  while (IsSymbol(".")) {
    Next();
    if (IsSymbol("*")) {
      Next();
      e->kind = ExprKind::kStar;
      e->qualifier.push_back(std::move(e->name));
      e->name.clear();
      return e;
    }
    if (Peek().kind != TokenKind::kIdentifier && Peek().kind != TokenKind::kQuotedIdentifier) {
      return Unexpected("a column name after '.'");
    }
    e->qualifier.push_back(std::move(e->name));
    e->name = Next().text;
  }
  return e;
}

Result<ExprPtr> Parser::ParseArgument() {
  auto is_name = [this](size_t ahead) {
    TokenKind kind = Peek(ahead).kind;
    return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier;
  };
  // The parameters: one name, or names in parentheses, followed by `->`.
  size_t arrow = 0;
  if (is_name(0) && IsSymbol("->", 1)) {
    arrow = 1;
  } else if (IsSymbol("(") && is_name(1)) {
    size_t i = 2;
    while (IsSymbol(",", i) && is_name(i + 1)) i += 2;
    if (IsSymbol(")", i) && IsSymbol("->", i + 1)) arrow = i + 1;
  }
  if (arrow == 0) return ParseExpr();
  auto e = MakeExpr(ExprKind::kLambda, Peek().pos);
  EatSymbol("(");
  while (!IsSymbol("->")) {
    const Token& parameter = Next();
    e->qualifier.push_back(parameter.kind == TokenKind::kIdentifier ? parameter.lower
                                                                    : ToLowerAscii(parameter.text));
    EatSymbol(",");
    EatSymbol(")");
  }
  Next();  // ->
  // In the body the parameters are names even when they are reserved words (`all -> all * 2`).
  size_t outer = lambda_parameters_.size();
  lambda_parameters_.insert(lambda_parameters_.end(), e->qualifier.begin(), e->qualifier.end());
  Result<ExprPtr> body = ParseExpr();
  lambda_parameters_.resize(outer);
  if (!body.ok()) return body.status();
  e->args.push_back(std::move(body).value());
  return e;
}

Result<ExprPtr> Parser::ParseFunction(const Token& name_token) {
  auto e = MakeExpr(ExprKind::kFunction, name_token.pos);
  e->name = name_token.lower;
  CR_RETURN_IF_ERROR(ExpectSymbol("("));
  const std::string name = e->name;
  if (IsSymbol("*") && IsSymbol(")", 1)) {
    Next();
    Next();
    e->star_arg = true;
  } else if (!EatSymbol(")")) {
    if (EatKeyword("distinct")) {
      e->distinct = true;
    } else if (!IsSymbol("->", 1)) {
      EatKeyword("all");  // not a lambda parameter named `all`
    }
    if (name == "extract") {
      // EXTRACT(field FROM x) is the function extract('field', x).
      if (Peek().kind != TokenKind::kIdentifier && Peek().kind != TokenKind::kString) {
        return Unexpected("a date field");
      }
      auto field = MakeExpr(ExprKind::kLiteral, Peek().pos);
      field->literal_kind = ast::LiteralKind::kString;
      field->text =
          Peek().kind == TokenKind::kIdentifier ? Peek().lower : ToLowerAscii(Peek().text);
      Next();
      CR_RETURN_IF_ERROR(ExpectKeyword("from"));
      e->args.push_back(std::move(field));
      CR_ASSIGN_OR_RETURN(ExprPtr source, ParseExpr());
      e->args.push_back(std::move(source));
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    } else if ((name == "trim" || name == "ltrim" || name == "rtrim") &&
               (IsKeyword("both") || IsKeyword("leading") || IsKeyword("trailing") ||
                IsKeyword("from"))) {
      // TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) becomes trim/ltrim/rtrim(x, chars).
      if (EatKeyword("leading")) {
        e->name = "ltrim";
      } else if (EatKeyword("trailing")) {
        e->name = "rtrim";
      } else {
        EatKeyword("both");
      }
      ExprPtr chars;
      if (!IsKeyword("from")) {
        CR_ASSIGN_OR_RETURN(chars, ParseExpr());
      }
      CR_RETURN_IF_ERROR(ExpectKeyword("from"));
      CR_ASSIGN_OR_RETURN(ExprPtr source, ParseExpr());
      e->args.push_back(std::move(source));
      if (chars) e->args.push_back(std::move(chars));
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    } else {
      // position(substr IN str): the first operand stops before IN.
      ExprPtr first;
      if (name == "position") {
        CR_ASSIGN_OR_RETURN(first, ParseBitOr());
      } else {
        CR_ASSIGN_OR_RETURN(first, ParseArgument());
      }
      if ((name == "trim" || name == "ltrim" || name == "rtrim") && EatKeyword("from")) {
        // TRIM(chars FROM x) is trim(x, chars).
        CR_ASSIGN_OR_RETURN(ExprPtr source, ParseExpr());
        e->args.push_back(std::move(source));
      }
      if (name == "struct") {
        CR_RETURN_IF_ERROR(ParseStructFields(std::move(first), *e));
      } else {
        e->args.push_back(std::move(first));
      }
      if (name == "struct") {
        // The fields are read (ParseStructFields).
      } else if ((name == "substring" || name == "substr") && IsKeyword("from")) {
        Next();
        CR_ASSIGN_OR_RETURN(ExprPtr start, ParseExpr());
        e->args.push_back(std::move(start));
        if (EatKeyword("for")) {
          CR_ASSIGN_OR_RETURN(ExprPtr length, ParseExpr());
          e->args.push_back(std::move(length));
        }
      } else if (name == "position" && IsKeyword("in")) {
        Next();
        CR_ASSIGN_OR_RETURN(ExprPtr haystack, ParseExpr());
        e->args.push_back(std::move(haystack));
      } else {
        while (EatSymbol(",")) {
          CR_ASSIGN_OR_RETURN(ExprPtr arg, ParseArgument());
          e->args.push_back(std::move(arg));
        }
      }
      if (IsKeyword("ignore") || IsKeyword("respect")) {
        e->ignore_nulls = Next().lower == "ignore";
        CR_RETURN_IF_ERROR(ExpectKeyword("nulls"));
      }
      if (IsKeyword("order")) {
        // Accepted here; the binder decides where it is allowed (the duckdb dialect).
        e->order_pos = Next().pos;
        CR_RETURN_IF_ERROR(ExpectKeyword("by"));
        CR_ASSIGN_OR_RETURN(e->order_by, ParseOrderList());
      }
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
  }
  if (IsKeyword("within") && IsKeyword("group", 1)) {
    if (!e->order_by.empty()) return ErrorAt(Peek(), "ORDER BY given twice");
    e->order_pos = Next().pos;
    Next();
    CR_RETURN_IF_ERROR(ExpectSymbol("("));
    CR_RETURN_IF_ERROR(ExpectKeyword("order"));
    CR_RETURN_IF_ERROR(ExpectKeyword("by"));
    CR_ASSIGN_OR_RETURN(e->order_by, ParseOrderList());
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    e->within_group = true;
  }
  if (IsKeyword("ignore") || IsKeyword("respect")) {
    e->ignore_nulls = Next().lower == "ignore";
    CR_RETURN_IF_ERROR(ExpectKeyword("nulls"));
  }
  if (IsKeyword("filter") && IsSymbol("(", 1)) {
    Next();
    Next();
    CR_RETURN_IF_ERROR(ExpectKeyword("where"));
    CR_ASSIGN_OR_RETURN(e->filter, ParseExpr());
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
  }
  if (EatKeyword("over")) {
    if (!IsSymbol("(")) {
      e->over = std::make_unique<ast::WindowSpec>();
      e->over->pos = Peek().pos;
      CR_ASSIGN_OR_RETURN(std::string name, ParseName("a window name or '('"));
      e->over->base_name = ToLowerAscii(name);
    } else {
      CR_ASSIGN_OR_RETURN(e->over, ParseWindowSpec());
    }
  }
  if ((e->name == "shiftleft" || e->name == "shiftright") && e->args.size() == 2 && !e->over &&
      !e->filter && !e->distinct) {
    // shiftleft(a, n) / shiftright(a, n) are Spark's `a << n` / `a >> n`.
    e->kind = ExprKind::kBinary;
    e->name = e->name == "shiftleft" ? "<<" : ">>";
  }
  return e;
}

Result<std::unique_ptr<ast::WindowSpec>> Parser::ParseWindowSpec() {
  auto spec = std::make_unique<ast::WindowSpec>();
  spec->pos = Peek().pos;
  CR_RETURN_IF_ERROR(ExpectSymbol("("));
  if (AtName() && !IsKeyword("partition") && !IsKeyword("distribute") && !IsKeyword("sort") &&
      !IsKeyword("rows") && !IsKeyword("range")) {
    spec->base_name = ToLowerAscii(Next().text);
  }
  if (IsKeyword("partition") || IsKeyword("distribute")) {
    Next();
    CR_RETURN_IF_ERROR(ExpectKeyword("by"));
    do {
      CR_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
      spec->partition_by.push_back(std::move(e));
    } while (EatSymbol(","));
  }
  if (IsKeyword("order") || IsKeyword("sort")) {
    Next();
    CR_RETURN_IF_ERROR(ExpectKeyword("by"));
    CR_ASSIGN_OR_RETURN(spec->order_by, ParseOrderList());
  }
  if (IsKeyword("rows") || IsKeyword("range")) {
    spec->has_frame = true;
    spec->frame_rows = Next().lower == "rows";
    if (EatKeyword("between")) {
      CR_ASSIGN_OR_RETURN(spec->frame_start, ParseFrameBound());
      CR_RETURN_IF_ERROR(ExpectKeyword("and"));
      CR_ASSIGN_OR_RETURN(spec->frame_end, ParseFrameBound());
    } else {
      CR_ASSIGN_OR_RETURN(spec->frame_start, ParseFrameBound());
      spec->frame_end.kind = ast::FrameBoundKind::kCurrentRow;
    }
  }
  CR_RETURN_IF_ERROR(ExpectSymbol(")"));
  return spec;
}

Result<ast::FrameBound> Parser::ParseFrameBound() {
  ast::FrameBound bound;
  if (EatKeyword("unbounded")) {
    if (EatKeyword("preceding")) {
      bound.kind = ast::FrameBoundKind::kUnboundedPreceding;
    } else if (EatKeyword("following")) {
      bound.kind = ast::FrameBoundKind::kUnboundedFollowing;
    } else {
      return Unexpected("PRECEDING or FOLLOWING");
    }
    return bound;
  }
  if (EatKeyword("current")) {
    CR_RETURN_IF_ERROR(ExpectKeyword("row"));
    bound.kind = ast::FrameBoundKind::kCurrentRow;
    return bound;
  }
  CR_ASSIGN_OR_RETURN(bound.offset, ParseAdditive());
  if (EatKeyword("preceding")) {
    bound.kind = ast::FrameBoundKind::kPreceding;
  } else if (EatKeyword("following")) {
    bound.kind = ast::FrameBoundKind::kFollowing;
  } else {
    return Unexpected("PRECEDING or FOLLOWING");
  }
  return bound;
}

Status Parser::ParseStructFields(ExprPtr first, ast::Expr& call) {
  // STRUCT(a, b AS y, 1): Spark names a field by its alias, else by the column it reads, else
  // col<N>. With any alias the call becomes named_struct('a', a, 'y', b, 'col3', 1).
  std::vector<std::string> names;
  bool aliased = false;
  ExprPtr arg = std::move(first);
  while (true) {
    std::string field;
    if (EatKeyword("as")) {
      CR_ASSIGN_OR_RETURN(field, ParseName("a field name"));
      aliased = true;
    } else if (arg->kind == ExprKind::kColumn) {
      field = arg->name;
    } else {
      field = "col" + std::to_string(names.size() + 1);
    }
    names.push_back(std::move(field));
    call.args.push_back(std::move(arg));
    if (!EatSymbol(",")) break;
    CR_ASSIGN_OR_RETURN(arg, ParseExpr());
  }
  if (!aliased) return Status::OK();
  std::vector<ExprPtr> pairs;
  for (size_t i = 0; i < names.size(); ++i) {
    auto literal = MakeExpr(ExprKind::kLiteral, call.args[i]->pos);
    literal->literal_kind = ast::LiteralKind::kString;
    literal->text = names[i];
    pairs.push_back(std::move(literal));
    pairs.push_back(std::move(call.args[i]));
  }
  call.args = std::move(pairs);
  call.name = "named_struct";
  return Status::OK();
}

Result<ExprPtr> Parser::ParseCase(SourcePos pos) {
  auto e = MakeExpr(ExprKind::kCase, pos);
  if (!IsKeyword("when")) {
    CR_ASSIGN_OR_RETURN(e->case_operand, ParseExpr());
  }
  if (!IsKeyword("when")) return Unexpected("WHEN");
  while (EatKeyword("when")) {
    CR_ASSIGN_OR_RETURN(ExprPtr when, ParseExpr());
    CR_RETURN_IF_ERROR(ExpectKeyword("then"));
    CR_ASSIGN_OR_RETURN(ExprPtr then, ParseExpr());
    e->args.push_back(std::move(when));
    e->args.push_back(std::move(then));
  }
  if (EatKeyword("else")) {
    CR_ASSIGN_OR_RETURN(e->else_expr, ParseExpr());
  }
  CR_RETURN_IF_ERROR(ExpectKeyword("end"));
  return e;
}

Result<ExprPtr> Parser::ParseCastBody(SourcePos pos, bool try_cast) {
  auto e = MakeExpr(ExprKind::kCast, pos);
  e->try_cast = try_cast;
  CR_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
  e->args.push_back(std::move(operand));
  CR_RETURN_IF_ERROR(ExpectKeyword("as"));
  CR_ASSIGN_OR_RETURN(e->type_name, ParseTypeText());
  CR_RETURN_IF_ERROR(ExpectSymbol(")"));
  return e;
}

// INTERVAL '3' DAY | INTERVAL 3 DAYS | INTERVAL '3 days' | INTERVAL 3 YEAR 1 MONTH |
// INTERVAL '1-2' YEAR TO MONTH | INTERVAL '1 02:03:04.5' DAY TO SECOND | INTERVAL '1.5' SECOND.
// A single integer count keeps the text "N unit" (e.g. "3 day"); the other forms are written
// as "M months D days U microseconds" (interval_literal.h). The fields give the ANSI type.
Result<ExprPtr> Parser::ParseInterval(SourcePos pos) {
  auto e = MakeExpr(ExprKind::kLiteral, pos);
  e->literal_kind = ast::LiteralKind::kInterval;
  bool negative = EatSymbol("-");
  if (Peek().kind != TokenKind::kString && Peek().kind != TokenKind::kNumber) {
    return Unexpected("an interval count");
  }
  bool quoted = Peek().kind == TokenKind::kString;
  std::string count = Next().text;
  std::string unit;
  if (Peek().kind == TokenKind::kIdentifier && !IsReserved(Peek().lower)) {
    unit = Next().lower;
  } else {
    size_t space = count.find(' ');
    if (space == std::string::npos) return Unexpected("an interval unit");
    unit = ToLowerAscii(count.substr(space + 1));
    count = count.substr(0, space);
  }
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  int start = IntervalFieldOf(unit);
  if (start == kNoField && unit != "week") return SqlError(text_, pos, "unknown interval unit");
  // 'text' FIELD TO FIELD: Spark's ANSI interval strings.
  if (quoted && IsKeyword("to")) {
    Next();
    if (Peek().kind != TokenKind::kIdentifier) return Unexpected("an interval field");
    int end = IntervalFieldOf(Next().lower);
    Result<IntervalValue> value = ParseAnsiInterval(count, start, end);
    if (!value.ok()) return SqlError(text_, pos, value.status().message());
    if (negative) value->Negate();
    e->text = value->ToText();
    e->interval_start = start;
    e->interval_end = end;
    return e;
  }
  bool integer = !count.empty();
  for (size_t k = 0; k < count.size(); ++k) {
    char c = count[k];
    if (!(c >= '0' && c <= '9') && !(k == 0 && (c == '-' || c == '+'))) integer = false;
  }
  // N unit M unit ...: several units (Spark's multi-unit literal).
  bool more = Peek().kind == TokenKind::kNumber && Peek(1).kind == TokenKind::kIdentifier &&
              IntervalFieldOf(SingularUnit(Peek(1).lower)) != kNoField;
  if (integer && !more) {
    e->text = (negative ? "-" : "") + count + " " + unit;
    e->interval_start = e->interval_end = start == kNoField ? kDay : start;
    return e;
  }
  IntervalValue total;
  int lowest = kNoField, highest = kNoField;
  while (true) {
    if (start == kNoField) return SqlError(text_, pos, "unknown interval unit");
    Result<IntervalValue> part = ParseAnsiInterval(count, start, start);
    if (!part.ok()) return SqlError(text_, pos, part.status().message());
    total.Add(*part);
    lowest = lowest == kNoField ? start : std::min(lowest, start);
    highest = std::max(highest, start);
    if (!(Peek().kind == TokenKind::kNumber && Peek(1).kind == TokenKind::kIdentifier)) break;
    int next = IntervalFieldOf(SingularUnit(Peek(1).lower));
    if (next == kNoField) break;
    count = Next().text;
    Next();
    start = next;
  }
  if (negative) total.Negate();
  e->text = total.ToText();
  // One kind of fields: an ANSI type; years or months with days or time: the untyped interval.
  if ((lowest <= kMonth) == (highest <= kMonth)) {
    e->interval_start = lowest;
    e->interval_end = highest;
  }
  return e;
}

Result<std::vector<ast::Statement>> ParseScript(std::string_view text,
                                                const ParserOptions& options) {
  CR_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text, options.lexer));
  Parser parser(text, std::move(tokens), options);
  return parser.ParseScript();
}

}  // namespace cleanroom::sql
