// FROM clauses and GROUP BY of the recursive-descent parser.
#include <cerrno>
#include <cstdlib>
#include <map>

#include "sql/catalog.h"
#include "sql/parser/parser_internal.h"

namespace cleanroom::sql {

using ast::ExprPtr;
using ast::TableRef;

// group_by := element { ',' element } [WITH ROLLUP | WITH CUBE]
// element  := expr | '(' ')' | '(' expr, ... ')' | ROLLUP '(' items ')' | CUBE '(' items ')'
//           | GROUPING SETS '(' element { ',' element } ')'
// The sets of the elements are combined by cross product; the elements of GROUPING SETS are
// united (a nested GROUPING SETS contributes its own sets), as in the SQL standard.
Status Parser::ParseGroupBy(ast::SelectNode& select) {
  if (IsKeyword("all") && !IsSymbol("(", 1)) {
    Next();
    select.group_by_all = true;
    return Status::OK();
  }
  GroupByState state{select, {}, false};
  std::vector<std::vector<int>> sets = {{}};
  do {
    CR_ASSIGN_OR_RETURN(std::vector<std::vector<int>> element_sets, ParseGroupingElement(state));
    std::vector<std::vector<int>> product;
    for (const auto& left : sets) {
      for (const auto& right : element_sets) {
        std::vector<int> set = left;
        set.insert(set.end(), right.begin(), right.end());
        product.push_back(std::move(set));
      }
    }
    if (product.size() > 4096) return ErrorAt(Peek(), "too many grouping sets");
    sets = std::move(product);
  } while (EatSymbol(","));
  if (IsKeyword("grouping") && IsKeyword("sets", 1)) {
    // Hive's GROUP BY a, b GROUPING SETS (...): the sets alone say how rows are grouped.
    CR_ASSIGN_OR_RETURN(sets, ParseGroupingElement(state));
  }
  if (IsKeyword("with") && (IsKeyword("rollup", 1) || IsKeyword("cube", 1))) {
    bool cube = IsKeyword("cube", 1);
    Next();
    Next();
    std::vector<std::vector<int>> items;
    items.reserve(select.group_by.size());
    for (int k = 0; k < static_cast<int>(select.group_by.size()); ++k) items.push_back({k});
    CR_ASSIGN_OR_RETURN(sets, ExpandRollupOrCube(items, cube));
    state.special = true;
  }
  if (state.special) {
    select.has_grouping_sets = true;
    select.grouping_sets = std::move(sets);
  }
  return Status::OK();
}

Result<std::vector<std::vector<int>>> Parser::ExpandRollupOrCube(
    const std::vector<std::vector<int>>& items, bool cube) {
  std::vector<std::vector<int>> sets;
  if (cube) {
    if (items.size() > 12) return ErrorAt(Peek(), "CUBE takes at most 12 elements");
    size_t n = items.size();
    for (size_t mask = (size_t{1} << n); mask-- > 0;) {
      std::vector<int> set;
      for (size_t k = 0; k < n; ++k) {
        if (mask & (size_t{1} << (n - 1 - k)))
          set.insert(set.end(), items[k].begin(), items[k].end());
      }
      sets.push_back(std::move(set));
    }
  } else {
    for (size_t len = items.size() + 1; len-- > 0;) {
      std::vector<int> set;
      for (size_t k = 0; k < len; ++k) set.insert(set.end(), items[k].begin(), items[k].end());
      sets.push_back(std::move(set));
    }
  }
  return sets;
}

Result<int> Parser::AddGroupExpr(GroupByState& state) {
  size_t start = Peek().pos.offset;
  CR_ASSIGN_OR_RETURN(ast::ExprPtr e, ParseExpr());
  size_t end = Peek().pos.offset;
  std::string key = ToLowerAscii(text_.substr(start, end - start));
  while (!key.empty() &&
         (key.back() == ' ' || key.back() == '\n' || key.back() == '\t' || key.back() == '\r')) {
    key.pop_back();
  }
  auto it = state.index_of.find(key);
  if (it != state.index_of.end()) return it->second;
  int index = static_cast<int>(state.select.group_by.size());
  state.select.group_by.push_back(std::move(e));
  state.index_of.emplace(std::move(key), index);
  return index;
}

// An expression or a parenthesised list of expressions ("()" allowed).
Result<std::vector<int>> Parser::ParseGroupingItem(GroupByState& state) {
  std::vector<int> set;
  if (IsSymbol("(") && (IsSymbol(")", 1) || ParenthesisedListAhead())) {
    Next();
    if (!EatSymbol(")")) {
      do {
        CR_ASSIGN_OR_RETURN(int i, AddGroupExpr(state));
        set.push_back(i);
      } while (EatSymbol(","));
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    }
    return set;
  }
  CR_ASSIGN_OR_RETURN(int i, AddGroupExpr(state));
  set.push_back(i);
  return set;
}

Result<std::vector<std::vector<int>>> Parser::ParseGroupingElement(GroupByState& state) {
  if ((IsKeyword("rollup") || IsKeyword("cube")) && IsSymbol("(", 1)) {
    bool cube = IsKeyword("cube");
    state.special = true;
    Next();
    Next();
    std::vector<std::vector<int>> items;
    do {
      const Token item_token = Peek();
      CR_ASSIGN_OR_RETURN(std::vector<int> item, ParseGroupingItem(state));
      // Spark: "Empty set in ROLLUP / CUBE grouping sets is not supported".
      if (item.empty()) {
        return ErrorAt(item_token, std::string("an empty set () inside ") +
                                       (cube ? "CUBE" : "ROLLUP") + " is not supported");
      }
      items.push_back(std::move(item));
    } while (EatSymbol(","));
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    return ExpandRollupOrCube(items, cube);
  }
  if (IsKeyword("grouping") && IsKeyword("sets", 1)) {
    state.special = true;
    Next();
    Next();
    CR_RETURN_IF_ERROR(ExpectSymbol("("));
    std::vector<std::vector<int>> sets;
    do {
      CR_ASSIGN_OR_RETURN(std::vector<std::vector<int>> inner, ParseGroupingElement(state));
      sets.insert(sets.end(), inner.begin(), inner.end());
      if (sets.size() > 4096) return ErrorAt(Peek(), "too many grouping sets");
    } while (EatSymbol(","));
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    return sets;
  }
  if (IsSymbol("(") && IsSymbol(")", 1)) state.special = true;
  CR_ASSIGN_OR_RETURN(std::vector<int> set, ParseGroupingItem(state));
  return std::vector<std::vector<int>>{std::move(set)};
}

bool Parser::ParenthesisedListAhead() const {
  int depth = 0;
  for (size_t k = 0;; ++k) {
    const Token& t = Peek(k);
    if (t.kind == TokenKind::kEnd) return false;
    if (t.kind != TokenKind::kSymbol) continue;
    if (t.text == "(") ++depth;
    if (t.text == ")" && --depth == 0) return false;
    if (t.text == "," && depth == 1) return true;
  }
}

// from := table_factor { (',' table_factor) | join_clause }
Result<std::unique_ptr<TableRef>> Parser::ParseFrom() {
  CR_ASSIGN_OR_RETURN(std::unique_ptr<TableRef> left, ParseTableFactor());
  while (true) {
    SourcePos pos = Peek().pos;
    ast::JoinType type = ast::JoinType::kInner;
    bool natural = false;
    bool comma = false;
    if (EatSymbol(",")) {
      type = ast::JoinType::kCross;
      comma = true;
    } else {
      if (EatKeyword("natural")) natural = true;
      if (EatKeyword("inner")) {
        type = ast::JoinType::kInner;
      } else if (EatKeyword("cross")) {
        type = ast::JoinType::kCross;
      } else if (EatKeyword("left")) {
        type = ast::JoinType::kLeft;
        if (EatKeyword("semi")) {
          type = ast::JoinType::kSemi;
        } else if (EatKeyword("anti")) {
          type = ast::JoinType::kAnti;
        } else {
          EatKeyword("outer");
        }
      } else if (EatKeyword("semi")) {
        type = ast::JoinType::kSemi;
      } else if (EatKeyword("anti")) {
        type = ast::JoinType::kAnti;
      } else if (EatKeyword("right")) {
        type = ast::JoinType::kRight;
        EatKeyword("outer");
      } else if (EatKeyword("full")) {
        type = ast::JoinType::kFull;
        EatKeyword("outer");
      } else if (!IsKeyword("join")) {
        if (natural) return Unexpected("JOIN");
        break;
      }
      CR_RETURN_IF_ERROR(ExpectKeyword("join"));
    }
    CR_ASSIGN_OR_RETURN(std::unique_ptr<TableRef> right, ParseTableFactor());
    // Spark reads CROSS JOIN ... ON c as an inner join on c.
    if (type == ast::JoinType::kCross && !comma && IsKeyword("on")) type = ast::JoinType::kInner;
    auto join = std::make_unique<TableRef>();
    join->kind = ast::TableRefKind::kJoin;
    join->pos = pos;
    join->join_type = type;
    join->natural = natural;
    join->left = std::move(left);
    join->right = std::move(right);
    if (type != ast::JoinType::kCross && !natural) {
      if (EatKeyword("on")) {
        CR_ASSIGN_OR_RETURN(join->on, ParseExpr());
      } else if (EatKeyword("using")) {
        CR_RETURN_IF_ERROR(ExpectSymbol("("));
        do {
          join->using_pos.push_back(Peek().pos);
          CR_ASSIGN_OR_RETURN(std::string column, ParseName("a column name"));
          join->using_columns.push_back(std::move(column));
        } while (EatSymbol(","));
        CR_RETURN_IF_ERROR(ExpectSymbol(")"));
      } else if (type != ast::JoinType::kInner && !options_.optional_join_condition) {
        return Unexpected("ON or USING");
      }
    }
    left = std::move(join);
  }
  return left;
}

Status Parser::ParseAlias(std::string& alias, std::vector<std::string>* column_aliases) {
  if (EatKeyword("as")) {
    if (Peek().kind != TokenKind::kIdentifier && Peek().kind != TokenKind::kQuotedIdentifier) {
      return Unexpected("an alias");
    }
    alias = Next().text;
  } else if (AtName()) {
    alias = Next().text;
  } else {
    return Status::OK();
  }
  if (column_aliases != nullptr && IsSymbol("(")) {
    Next();
    do {
      CR_ASSIGN_OR_RETURN(std::string column, ParseName("a column name"));
      column_aliases->push_back(std::move(column));
    } while (EatSymbol(","));
    CR_RETURN_IF_ERROR(ExpectSymbol(")"));
  }
  return Status::OK();
}

// Spark's table function range([start,] end [, step [, partitions]]): a column `id` of bigints
// from start (0) below end by step (1), its bounds integer literals. It becomes VALUES rows
// (at most kMaxRangeRows of them).
Status Parser::ParseRange(TableRef& ref) {
  constexpr int64_t kMaxRangeRows = 100000;
  const Token& name = Next();
  Next();  // (
  std::vector<int64_t> bounds;
  do {
    bool negative = EatSymbol("-");
    const Token& number = Peek();
    if (number.kind != TokenKind::kNumber) return ErrorAt(number, "range() takes integer literals");
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(number.text.c_str(), &end, 10);
    if (errno != 0 || end == nullptr || *end != '\0')
      return ErrorAt(number, "range() takes integer literals");
    bounds.push_back(negative ? -value : value);
    Next();
  } while (EatSymbol(","));
  CR_RETURN_IF_ERROR(ExpectSymbol(")"));
  if (bounds.size() > 4) return ErrorAt(name, "range() takes at most 4 arguments");
  int64_t start = bounds.size() == 1 ? 0 : bounds[0];
  int64_t stop = bounds.size() == 1 ? bounds[0] : bounds[1];
  int64_t step = bounds.size() >= 3 ? bounds[2] : 1;
  if (step == 0) return ErrorAt(name, "range(): the step must not be 0");
  ref.kind = ast::TableRefKind::kValues;
  ref.alias = "range";
  ref.column_aliases = {"id"};
  for (int64_t v = start; step > 0 ? v < stop : v > stop; v += step) {
    if (static_cast<int64_t>(ref.values_rows.size()) == kMaxRangeRows) {
      return ErrorAt(
          name, "range() of more than " + std::to_string(kMaxRangeRows) + " rows is not supported");
    }
    auto literal = std::make_unique<ast::Expr>(ast::ExprKind::kLiteral, name.pos);
    literal->literal_kind = ast::LiteralKind::kNumber;
    literal->text = std::to_string(v) + "L";
    ast::ExprPtr item = std::move(literal);
    if (v < 0) {
      // A negative number is the negation of its literal, as the parser reads it.
      auto negate = std::make_unique<ast::Expr>(ast::ExprKind::kUnary, name.pos);
      negate->name = "-";
      item->text = std::to_string(-v) + "L";
      negate->args.push_back(std::move(item));
      item = std::move(negate);
    }
    std::vector<ast::ExprPtr> row;
    row.push_back(std::move(item));
    ref.values_rows.push_back(std::move(row));
  }
  if (ref.values_rows.empty()) return ErrorAt(name, "range() over no rows is not supported");
  return Status::OK();
}

// table_factor := name [alias] | 'file' [alias] | '(' query ')' [alias] | '(' from ')'
//               | VALUES rows [alias]
Result<std::unique_ptr<TableRef>> Parser::ParseTableFactor() {
  auto ref = std::make_unique<TableRef>();
  ref->pos = Peek().pos;
  if (IsSymbol("(")) {
    // A subquery, or a parenthesised join.
    bool is_query = IsKeyword("select", 1) || IsKeyword("with", 1) || IsKeyword("values", 1) ||
                    IsSymbol("(", 1);
    if (IsSymbol("(", 1)) {
      // Look through nested parentheses for the first word.
      size_t k = 1;
      while (IsSymbol("(", k)) ++k;
      is_query = IsKeyword("select", k) || IsKeyword("with", k) || IsKeyword("values", k);
    }
    Next();
    if (is_query) {
      ref->kind = ast::TableRefKind::kSubquery;
      CR_ASSIGN_OR_RETURN(ref->subquery, ParseQuery());
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
    } else {
      CR_ASSIGN_OR_RETURN(ref, ParseFrom());
      CR_RETURN_IF_ERROR(ExpectSymbol(")"));
      if (ref->kind != ast::TableRefKind::kJoin) {
        CR_RETURN_IF_ERROR(ParseAlias(ref->alias, &ref->column_aliases));
      }
      return ref;
    }
  } else if (IsKeyword("values")) {
    Next();
    ref->kind = ast::TableRefKind::kValues;
    CR_ASSIGN_OR_RETURN(ref->values_rows, ParseValuesRows());
  } else if (Peek().kind == TokenKind::kIdentifier && Peek().lower == "range" && IsSymbol("(", 1)) {
    CR_RETURN_IF_ERROR(ParseRange(*ref));
  } else if (Peek().kind == TokenKind::kString) {
    ref->kind = ast::TableRefKind::kBase;
    ref->is_file = true;
    ref->name.push_back(Next().text);
  } else {
    if (IsKeyword("lateral")) return ErrorAt(Peek(), "LATERAL is not supported");
    ref->kind = ast::TableRefKind::kBase;
    CR_ASSIGN_OR_RETURN(std::string name, ParseName("a table name"));
    ref->name.push_back(std::move(name));
    while (IsSymbol(".")) {
      Next();
      CR_ASSIGN_OR_RETURN(std::string part, ParseName("a table name"));
      ref->name.push_back(std::move(part));
    }
  }
  CR_RETURN_IF_ERROR(ParseAlias(ref->alias, &ref->column_aliases));
  // SQLite's index hints change no result: NOT INDEXED, INDEXED BY name.
  if (options_.sqlite_precedence && ref->kind == ast::TableRefKind::kBase) {
    if (IsKeyword("not") && IsKeyword("indexed", 1)) {
      Next();
      Next();
    } else if (IsKeyword("indexed") && IsKeyword("by", 1)) {
      Next();
      Next();
      CR_RETURN_IF_ERROR(ParseName("an index name").status());
    }
  }
  return ref;
}

}  // namespace cleanroom::sql
