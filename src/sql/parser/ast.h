#pragma once

// The parsed (unbound) form of the Spark SQL dialect: what the parser produces and the binder
// reads. Names are unresolved and untyped here; see sql/plan.h for the bound form.

#include <memory>
#include <string>
#include <vector>

#include "sql/parser/source_error.h"

namespace cleanroom::sql::ast {

struct QueryNode;
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  kColumn,  // [qualifier.]name
  kStar,    // * or qualifier.*
  kLiteral,
  kUnary,           // op: "-", "+", "not", "~"
  kBinary,          // op: + - * / % div || = <> < <= > >= <=> and or & | ^
  kFunction,        // name(args) [OVER (...)]
  kCase,            // CASE [operand] WHEN .. THEN .. [ELSE ..] END
  kCast,            // CAST(x AS type), x::type, TRY_CAST
  kIsNull,          // x IS [NOT] NULL
  kIsBool,          // x IS [NOT] TRUE | FALSE | UNKNOWN  (name: "true", "false", "unknown")
  kIsDistinct,      // x IS [NOT] DISTINCT FROM y
  kBetween,         // x [NOT] BETWEEN a AND b
  kLike,            // x [NOT] LIKE|ILIKE|RLIKE p [ESCAPE e]   (name: "like", "ilike", "rlike")
  kInList,          // x [NOT] IN (a, b, ...)
  kInSubquery,      // x [NOT] IN (SELECT ...)
  kExists,          // [NOT] EXISTS (SELECT ...)
  kScalarSubquery,  // (SELECT ...)
  kLambda,          // x -> body, (x, y) -> body: qualifier holds the parameters, args[0] the body
};

enum class LiteralKind {
  kNull,
  kBoolean,
  kNumber,
  kString,
  kBlob,
  kDate,
  kTimestamp,
  kInterval,
  kTime
};

enum class FrameBoundKind {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;  // kPreceding / kFollowing
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  int nulls_first = -1;  // -1: dialect default, 0: NULLS LAST, 1: NULLS FIRST
};

struct WindowSpec {
  std::string base_name;  // OVER w / OVER (w ...): a window of the WINDOW clause (lower case)
  SourcePos pos;
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  bool has_frame = false;
  bool frame_rows = true;  // ROWS (true) or RANGE (false)
  FrameBound frame_start;
  FrameBound frame_end;
};

struct Expr {
  ExprKind kind;
  SourcePos pos;
  // kColumn / kStar: optional qualifier parts (table, or schema.table); name: column.
  std::vector<std::string> qualifier;
  std::string name;     // column / function name (lower-case for functions) / operator
  bool quoted = false;  // kColumn: the name was quoted
  LiteralKind literal_kind = LiteralKind::kNull;
  std::string text;  // literal text: number as written, string value, interval unit
  // kInterval literal: its ANSI fields (sql::IntervalField; 0: the untyped interval).
  int interval_start = 0;
  int interval_end = 0;
  bool negated = false;   // NOT variants
  bool distinct = false;  // f(DISTINCT x)
  bool star_arg = false;  // count(*)
  bool try_cast = false;  // TRY_CAST
  bool ignore_nulls = false;
  std::string type_name;      // kCast: the target type as written
  std::vector<ExprPtr> args;  // operands; kCase: [operand?] then when/then pairs, see below
  ExprPtr case_operand;       // kCase simple form
  ExprPtr else_expr;          // kCase ELSE / kLike ESCAPE
  std::unique_ptr<QueryNode> subquery;
  std::unique_ptr<WindowSpec> over;  // kFunction with OVER
  ExprPtr filter;                    // aggregate FILTER (WHERE ...)
  // kFunction: f(args ORDER BY ...) (DuckDB's spelling), or WITHIN GROUP (ORDER BY ...).
  std::vector<OrderItem> order_by;
  SourcePos order_pos;  // where that ORDER BY / WITHIN GROUP starts
  bool within_group = false;

  Expr(ExprKind k, SourcePos p) : kind(k), pos(p) {}
};

// FROM items.
enum class TableRefKind { kBase, kSubquery, kJoin, kValues };
enum class JoinType { kInner, kLeft, kRight, kFull, kCross, kSemi, kAnti };

struct TableRef {
  TableRefKind kind = TableRefKind::kBase;
  SourcePos pos;
  std::vector<std::string> name;  // kBase: possibly qualified name parts
  bool is_file = false;           // kBase: FROM 'path' (name[0] is the path)
  std::string alias;
  std::vector<std::string> column_aliases;
  std::unique_ptr<QueryNode> subquery;
  std::vector<std::vector<ExprPtr>> values_rows;  // kValues
  JoinType join_type = JoinType::kInner;
  std::unique_ptr<TableRef> left, right;
  ExprPtr on;
  std::vector<std::string> using_columns;
  std::vector<SourcePos> using_pos;
  bool natural = false;
};

struct SelectItem {
  ExprPtr expr;
  std::string alias;  // empty: none
  SourcePos alias_pos;
};

struct SelectNode {
  bool distinct = false;
  std::vector<SelectItem> select_list;
  std::unique_ptr<TableRef> from;  // null: no FROM
  ExprPtr where;
  std::vector<ExprPtr> group_by;  // every distinct grouping expression
  // Grouping sets as indices into group_by; empty means plain GROUP BY (one set: all).
  std::vector<std::vector<int>> grouping_sets;
  bool has_grouping_sets = false;
  bool group_by_all = false;
  ExprPtr having;
  ExprPtr qualify;
  // WINDOW name AS (...), in order (lower-case names).
  std::vector<std::pair<std::string, std::unique_ptr<WindowSpec>>> windows;
};

enum class SetOpKind { kUnion, kIntersect, kExcept };

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> column_aliases;
  std::unique_ptr<QueryNode> query;
  SourcePos pos;
};

struct QueryNode {
  enum class Kind { kSelect, kSetOp };
  Kind kind = Kind::kSelect;
  SourcePos pos;
  SelectNode select;                     // kSelect
  SetOpKind set_op = SetOpKind::kUnion;  // kSetOp
  bool set_all = false;
  std::unique_ptr<QueryNode> left, right;
  std::vector<CommonTableExpr> ctes;  // WITH, visible in this node and below
  std::vector<OrderItem> order_by;
  ExprPtr limit;
  ExprPtr offset;
};

struct Statement {
  enum class Kind { kQuery, kCreateView };
  Kind kind = Kind::kQuery;
  SourcePos pos;
  std::string view_name;  // kCreateView
  SourcePos view_name_pos;
  bool or_replace = false;
  std::vector<std::string> view_columns;
  std::unique_ptr<QueryNode> query;
};

}  // namespace cleanroom::sql::ast
