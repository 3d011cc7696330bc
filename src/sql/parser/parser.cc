#include "sql/parser/parser.h"

#include <algorithm>
#include <array>

#include "sql/catalog.h"
#include "sql/parser/parser_internal.h"

namespace cleanroom::sql {

using ast::ExprPtr;
using ast::QueryNode;
using ast::TableRef;

bool Parser::IsReserved(std::string_view w) {
  static constexpr std::array<std::string_view, 58> kReserved = {
      "all",      "and",     "anti",   "as",     "between", "by",     "case",      "cross",
      "distinct", "else",    "end",    "except", "exists",  "false",  "fetch",     "for",
      "from",     "full",    "group",  "having", "in",      "inner",  "intersect", "is",
      "join",     "lateral", "left",   "like",   "ilike",   "rlike",  "limit",     "minus",
      "natural",  "not",     "null",   "offset", "on",      "or",     "order",     "outer",
      "qualify",  "right",   "select", "semi",   "then",    "true",   "union",     "using",
      "values",   "when",    "where",  "window", "with",    "escape", "regexp",    "into",
      "nulls",    "over"};
  return std::find(kReserved.begin(), kReserved.end(), w) != kReserved.end();
}

Status Parser::ErrorAt(const Token& token, const std::string& message) const {
  return SqlError(text_, token.pos, message);
}

Status Parser::Unexpected(const std::string& expected) const {
  const Token& t = Peek();
  if (t.kind == TokenKind::kEnd)
    return ErrorAt(t, "syntax error: expected " + expected + ", found end of input");
  std::string found;
  switch (t.kind) {
    case TokenKind::kString:
      found = "a string";
      break;
    case TokenKind::kNumber:
      found = "a number";
      break;
    default: {
      std::string shown = t.text.size() > 30 ? t.text.substr(0, 30) + "..." : t.text;
      found = "'" + shown + "'";
    }
  }
  return ErrorAt(t, "syntax error: expected " + expected + ", found " + found);
}

Status Parser::ExpectKeyword(std::string_view word) {
  if (EatKeyword(word)) return Status::OK();
  std::string upper(word);
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return Unexpected(upper);
}

Status Parser::ExpectSymbol(std::string_view symbol) {
  if (EatSymbol(symbol)) return Status::OK();
  return Unexpected("'" + std::string(symbol) + "'");
}

bool Parser::AtName() const {
  const Token& t = Peek();
  return t.kind == TokenKind::kQuotedIdentifier ||
         (t.kind == TokenKind::kIdentifier && !IsReserved(t.lower));
}

Result<std::string> Parser::ParseName(const char* what) {
  if (!AtName()) return Unexpected(what);
  return Next().text;
}

Result<std::vector<ast::Statement>> Parser::ParseScript() {
  std::vector<ast::Statement> statements;
  while (true) {
    while (EatSymbol(";")) {
    }
    if (Peek().kind == TokenKind::kEnd) break;
    CR_ASSIGN_OR_RETURN(ast::Statement statement, ParseStatement());
    statements.push_back(std::move(statement));
    if (Peek().kind == TokenKind::kEnd) break;
    if (!IsSymbol(";")) return Unexpected("';' or end of input");
  }
  return statements;
}

Result<ast::Statement> Parser::ParseStatement() {
  ast::Statement statement;
  statement.pos = Peek().pos;
  if (IsKeyword("create")) {
    Next();
    if (EatKeyword("or")) {
      CR_RETURN_IF_ERROR(ExpectKeyword("replace"));
      statement.or_replace = true;
    }
    bool temporary = false;
    if (EatKeyword("global")) temporary = true;
    if (EatKeyword("temp") || EatKeyword("temporary")) temporary = true;
    if (!IsKeyword("view")) return Unexpected("VIEW (only CREATE TEMP VIEW is a query step)");
    const Token& view_token = Next();
    if (!temporary) {
      return ErrorAt(view_token, "only temporary views are supported: write CREATE TEMP VIEW");
    }
    if (EatKeyword("if")) {
      CR_RETURN_IF_ERROR(ExpectKeyword("not"));
      CR_RETURN_IF_ERROR(ExpectKeyword("exists"));
    }
    statement.kind = ast::Statement::Kind::kCreateView;
    statement.view_name_pos = Peek().pos;
    CR_ASSIGN_OR_RETURN(statement.view_name, ParseName("a view name"));
    if (EatSymbol("(")) {
      do {
        CR_ASSIGN_OR_RETURN(std::string column, ParseName("a column name"));
        statement.view_columns.push_back(std::move(column));
      } while (EatSymbol(","));
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    CR_RETURN_IF_ERROR(ExpectKeyword("as"));
  }
  if (!IsKeyword("select") && !IsKeyword("with") && !IsKeyword("values") && !IsSymbol("(") &&
      !IsKeyword("from") && !IsKeyword("table")) {
    return Unexpected("SELECT, WITH, VALUES or CREATE TEMP VIEW");
  }
  CR_ASSIGN_OR_RETURN(statement.query, ParseQuery());
  return statement;
}

// query := [WITH ctes] set_expression [ORDER BY ...] [LIMIT n] [OFFSET m]
Result<std::unique_ptr<QueryNode>> Parser::ParseQuery() {
  DepthGuard guard(depth_, stack_base_);
  if (guard.TooDeep()) return ErrorAt(Peek(), "query nested too deeply");
  std::vector<ast::CommonTableExpr> ctes;
  if (EatKeyword("with")) {
    EatKeyword("recursive");
    do {
      ast::CommonTableExpr cte;
      cte.pos = Peek().pos;
      const Token name_token = Peek();
      CR_ASSIGN_OR_RETURN(cte.name, ParseName("a common table expression name"));
      for (const auto& earlier : ctes) {
        if (ToLowerAscii(earlier.name) == ToLowerAscii(cte.name)) {
          return ErrorAt(name_token, "duplicate common table expression name: " + cte.name);
        }
      }
      if (EatSymbol("(")) {
        do {
          CR_ASSIGN_OR_RETURN(std::string column, ParseName("a column name"));
          cte.column_aliases.push_back(std::move(column));
        } while (EatSymbol(","));
        CR_RETURN_IF_ERROR(ExpectSymbol(")"));
      }
      CR_RETURN_IF_ERROR(ExpectKeyword("as"));
      CR_RETURN_IF_ERROR(ExpectSymbol("("));
      CR_ASSIGN_OR_RETURN(cte.query, ParseQuery());
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
      ctes.push_back(std::move(cte));
    } while (EatSymbol(","));
  }
  CR_ASSIGN_OR_RETURN(std::unique_ptr<QueryNode> node, ParseSetOperand());
  // ORDER BY / LIMIT bind to the whole set expression. A parenthesised query that already
  // has its own ORDER BY / LIMIT is wrapped so both apply in order.
  bool has_tail =
      IsKeyword("order") || IsKeyword("limit") || IsKeyword("offset") || IsKeyword("fetch");
  if (has_tail && (!node->order_by.empty() || node->limit || node->offset || !node->ctes.empty())) {
    auto wrapper = std::make_unique<QueryNode>();
    wrapper->pos = node->pos;
    wrapper->kind = QueryNode::Kind::kSelect;
    auto star = MakeExpr(ast::ExprKind::kStar, node->pos);
    wrapper->select.select_list.push_back(ast::SelectItem{std::move(star), "", {}});
    auto from = std::make_unique<TableRef>();
    from->kind = ast::TableRefKind::kSubquery;
    from->pos = node->pos;
    from->subquery = std::move(node);
    wrapper->select.from = std::move(from);
    node = std::move(wrapper);
  }
  if (EatKeyword("order")) {
    CR_RETURN_IF_ERROR(ExpectKeyword("by"));
    CR_ASSIGN_OR_RETURN(node->order_by, ParseOrderList());
  }
  for (int round = 0; round < 2; ++round) {
    if (EatKeyword("limit")) {
      if (EatKeyword("all")) continue;
      CR_ASSIGN_OR_RETURN(node->limit, ParseExpr());
      if (EatSymbol(",")) {  // LIMIT offset, count (SQLite / MySQL)
        node->offset = std::move(node->limit);
        CR_ASSIGN_OR_RETURN(node->limit, ParseExpr());
      }
    } else if (EatKeyword("offset")) {
      CR_ASSIGN_OR_RETURN(node->offset, ParseExpr());
      if (!EatKeyword("rows")) EatKeyword("row");
    }
  }
  if (!ctes.empty()) {
    if (!node->ctes.empty()) {
      for (auto& cte : node->ctes) ctes.push_back(std::move(cte));
    }
    node->ctes = std::move(ctes);
  }
  return node;
}

// set_operand := set_term { (UNION | EXCEPT | MINUS) [ALL | DISTINCT] set_term }
// INTERSECT binds tighter than UNION and EXCEPT, as in Spark and the SQL standard.
Result<std::unique_ptr<QueryNode>> Parser::ParseSetOperand() {
  CR_ASSIGN_OR_RETURN(std::unique_ptr<QueryNode> left, ParseSetTerm());
  while (IsKeyword("union") || IsKeyword("except") || IsKeyword("minus")) {
    SourcePos pos = Peek().pos;
    ast::SetOpKind kind = IsKeyword("union") ? ast::SetOpKind::kUnion : ast::SetOpKind::kExcept;
    Next();
    bool all = false;
    if (EatKeyword("all")) {
      all = true;
    } else {
      EatKeyword("distinct");
    }
    CR_ASSIGN_OR_RETURN(std::unique_ptr<QueryNode> right, ParseSetTerm());
    auto node = std::make_unique<QueryNode>();
    node->kind = QueryNode::Kind::kSetOp;
    node->pos = pos;
    node->set_op = kind;
    node->set_all = all;
    node->left = std::move(left);
    node->right = std::move(right);
    left = std::move(node);
  }
  return left;
}

Result<std::unique_ptr<QueryNode>> Parser::ParseSetTerm() {
  CR_ASSIGN_OR_RETURN(std::unique_ptr<QueryNode> left, ParseSelectCore());
  while (IsKeyword("intersect")) {
    SourcePos pos = Next().pos;
    bool all = false;
    if (EatKeyword("all")) {
      all = true;
    } else {
      EatKeyword("distinct");
    }
    CR_ASSIGN_OR_RETURN(std::unique_ptr<QueryNode> right, ParseSelectCore());
    auto node = std::make_unique<QueryNode>();
    node->kind = QueryNode::Kind::kSetOp;
    node->pos = pos;
    node->set_op = ast::SetOpKind::kIntersect;
    node->set_all = all;
    node->left = std::move(left);
    node->right = std::move(right);
    left = std::move(node);
  }
  return left;
}

Result<std::vector<std::vector<ExprPtr>>> Parser::ParseValuesRows() {
  std::vector<std::vector<ExprPtr>> rows;
  do {
    std::vector<ExprPtr> row;
    if (EatSymbol("(")) {
      do {
        CR_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
        row.push_back(std::move(e));
      } while (EatSymbol(","));
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    } else {
      CR_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
      row.push_back(std::move(e));
    }
    rows.push_back(std::move(row));
  } while (EatSymbol(","));
  return rows;
}

// select_core := SELECT [DISTINCT|ALL] items [FROM ...] [WHERE] [GROUP BY] [HAVING]
//              | VALUES rows [alias] | '(' query ')'
Result<std::unique_ptr<QueryNode>> Parser::ParseSelectCore() {
  DepthGuard guard(depth_, stack_base_);
  if (guard.TooDeep()) return ErrorAt(Peek(), "query nested too deeply");
  auto node = std::make_unique<QueryNode>();
  node->pos = Peek().pos;
  if (IsSymbol("(")) {
    Next();
    CR_ASSIGN_OR_RETURN(std::unique_ptr<QueryNode> inner, ParseQuery());
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    return inner;
  }
  if (IsKeyword("values")) {
    // VALUES (..), (..) is SELECT * FROM VALUES (..), (..).
    SourcePos pos = Next().pos;
    auto values = std::make_unique<TableRef>();
    values->kind = ast::TableRefKind::kValues;
    values->pos = pos;
    CR_ASSIGN_OR_RETURN(values->values_rows, ParseValuesRows());
    // Spark names the rows as in FROM: VALUES (1, 'a') AS t(a, b), or without AS.
    CR_RETURN_IF_ERROR(ParseAlias(values->alias, &values->column_aliases));
    node->select.select_list.push_back(
        ast::SelectItem{MakeExpr(ast::ExprKind::kStar, pos), "", {}});
    node->select.from = std::move(values);
    return node;
  }
  if (IsKeyword("with")) return ParseQuery();
  CR_RETURN_IF_ERROR(ExpectKeyword("select"));
  ast::SelectNode& select = node->select;
  if (EatKeyword("distinct")) {
    select.distinct = true;
  } else {
    EatKeyword("all");
  }
  do {
    ast::SelectItem item;
    CR_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (EatKeyword("as")) {
      item.alias_pos = Peek().pos;
      if (Peek().kind == TokenKind::kString || Peek().kind == TokenKind::kIdentifier ||
          Peek().kind == TokenKind::kQuotedIdentifier) {
        item.alias = Next().text;  // after AS, a string or any word is a name
      } else {
        return Unexpected("an alias");
      }
    } else if (AtName()) {
      item.alias_pos = Peek().pos;
      item.alias = Next().text;
    }
    select.select_list.push_back(std::move(item));
  } while (EatSymbol(","));
  if (EatKeyword("from")) {
    CR_ASSIGN_OR_RETURN(select.from, ParseFrom());
  }
  if (EatKeyword("where")) {
    CR_ASSIGN_OR_RETURN(select.where, ParseExpr());
  }
  if (IsKeyword("group") && IsKeyword("by", 1)) {
    Next();
    Next();
    CR_RETURN_IF_ERROR(ParseGroupBy(select));
  }
  if (EatKeyword("having")) {
    CR_ASSIGN_OR_RETURN(select.having, ParseExpr());
  }
  if (EatKeyword("window")) {
    do {
      const Token name_token = Peek();
      CR_ASSIGN_OR_RETURN(std::string name, ParseName("a window name"));
      for (const auto& [earlier, spec] : select.windows) {
        if (earlier == ToLowerAscii(name)) {
          return ErrorAt(name_token, "window defined twice: " + name);
        }
      }
      CR_RETURN_IF_ERROR(ExpectKeyword("as"));
      CR_ASSIGN_OR_RETURN(std::unique_ptr<ast::WindowSpec> spec, ParseWindowSpec());
      select.windows.emplace_back(ToLowerAscii(name), std::move(spec));
    } while (EatSymbol(","));
  }
  if (EatKeyword("qualify")) {
    CR_ASSIGN_OR_RETURN(select.qualify, ParseExpr());
  }
  return node;
}

Result<std::vector<ast::OrderItem>> Parser::ParseOrderList() {
  std::vector<ast::OrderItem> items;
  do {
    ast::OrderItem item;
    CR_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (EatKeyword("desc")) {
      item.descending = true;
    } else {
      EatKeyword("asc");
    }
    if (EatKeyword("nulls")) {
      if (EatKeyword("first")) {
        item.nulls_first = 1;
      } else if (EatKeyword("last")) {
        item.nulls_first = 0;
      } else {
        return Unexpected("FIRST or LAST");
      }
    }
    items.push_back(std::move(item));
  } while (EatSymbol(","));
  return items;
}

}  // namespace cleanroom::sql
