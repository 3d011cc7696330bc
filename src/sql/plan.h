#pragma once

// The bound, typed logical plan of one query: what the binder produces, what the privacy
// checker walks and rewrites, and what the emitter turns into DuckDB SQL.
//
// Column identity. Every column is produced by exactly one plan node (a Get, Values, Project,
// Aggregate, Window or SetOperation) and is named by a ColumnBinding {node id, output index}.
// Nodes that only pass rows through (Filter, Join, Sort, Limit, Distinct) produce no columns:
// their visible columns carry the bindings of the producers below them. So a column
// reference anywhere in the plan names its producer directly, and a checker traces lineage
// by following the producer's expression (Project / Aggregate / Window outputs), the branch
// outputs (SetOperation) or, at a Get, the base table and column (or, for a temp view of an
// earlier step, the view's own bound plan in `view_plan`).
//
// Node ids are unique within one LogicalPlan (and within a script, across its views). A
// rewrite that adds nodes takes fresh ids from LogicalPlan::NewNodeId().

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sql/types.h"

namespace cleanroom::sql {

struct FunctionDef;  // sql/function/function_registry.h
struct PlanNode;
struct Expression;
class LogicalPlan;
using PlanPtr = std::shared_ptr<PlanNode>;
using ExprPtr = std::shared_ptr<Expression>;

// The producer of a column: a plan node id and the index among that node's own outputs.
struct ColumnBinding {
  int node_id = -1;
  int index = -1;
};
inline bool operator==(ColumnBinding a, ColumnBinding b) {
  return a.node_id == b.node_id && a.index == b.index;
}

// A column visible at the output of a node, in order.
struct ColumnInfo {
  std::string name;  // as the query names it (alias, or the column name)
  DataType type;
  ColumnBinding binding;
  // For a column produced by a Get: the table (dataset or view) and its column; else empty.
  std::string table;
  std::string column;
};

enum class ExprKind {
  kColumnRef,  // binding (+ depth > 0 for a correlated reference to an enclosing query)
  kLiteral,
  kOperator,        // op over children
  kFunction,        // scalar function: function, children
  kAggregate,       // aggregate call: function, children, distinct, filter
  kWindow,          // window call: function, children, partition_by, order_by, frame
  kCast,            // children[0] to `type`; try_cast: NULL instead of an error
  kCase,            // children: when0, then0, when1, then1, ... [, else]; has_else
  kSubquery,        // subquery_kind: scalar / EXISTS / IN (children[0] is the IN operand)
  kLambda,          // an argument of a higher-order function: children[0] the body, children[1..]
                    // its parameters (kLambdaVariable); `type` the body's type
  kLambdaVariable,  // a lambda's parameter: `name` its unique name in the emitted SQL,
                    // `value` the name the query gave it
};

enum class OperatorKind {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kIntegerDivide,
  kModulo,
  kNegate,
  kBitAnd,
  kBitOr,
  kBitXor,
  kBitNot,
  kShiftLeft,
  kShiftRight,
  kConcat,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kNullSafeEqual,  // <=>, IS NOT DISTINCT FROM
  kDistinctFrom,   // IS DISTINCT FROM
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kIsNotNull,
  kIsTrue,
  kIsNotTrue,
  kIsFalse,
  kIsNotFalse,
  kLike,
  kILike,
  kRLike,    // children: value, pattern [, escape]; `negated` for NOT LIKE
  kInList,   // children: value, item...; `negated` for NOT IN
  kBetween,  // children: value, low, high; `negated`
};

enum class SubqueryKind { kScalar, kExists, kIn };

struct SortKey {
  ExprPtr expr;
  bool descending = false;
  bool nulls_first = true;  // always explicit in the bound plan
};

enum class FrameBoundType {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};
struct WindowFrame {
  bool present = false;  // false: the function's default frame
  bool rows = true;      // ROWS or RANGE
  FrameBoundType start = FrameBoundType::kUnboundedPreceding;
  FrameBoundType end = FrameBoundType::kCurrentRow;
  ExprPtr start_offset, end_offset;
};

struct Expression {
  ExprKind kind = ExprKind::kLiteral;
  DataType type;
  // kColumnRef
  ColumnBinding binding;
  int depth = 0;      // 0: this query's scope; n: the n-th enclosing query (correlation)
  std::string name;   // display name of the column
  std::string table;  // base origin when the producer is a Get, else empty
  std::string column;
  // kLiteral: null, or the canonical text of the value (numbers as digits, strings raw,
  // dates 'YYYY-MM-DD', booleans "true"/"false", intervals "N unit").
  bool is_null = false;
  std::string value;
  // kOperator
  OperatorKind op = OperatorKind::kAdd;
  bool negated = false;
  // kFunction / kAggregate / kWindow: `function->name` is the function id ("count", "sum",
  // "row_number", ...; aliases resolved). count(*) is "count" with no children.
  const FunctionDef* function = nullptr;
  bool distinct = false;
  bool ignore_nulls = false;
  ExprPtr filter;  // aggregate FILTER (WHERE ...)
  std::vector<ExprPtr> partition_by;
  std::vector<SortKey> order_by;
  WindowFrame frame;
  // kCast
  bool try_cast = false;
  // kCase
  bool has_else = false;
  // kSubquery
  SubqueryKind subquery_kind = SubqueryKind::kScalar;
  std::shared_ptr<LogicalPlan> subquery;
  std::vector<ExprPtr> children;

  // Compact SQL-like rendering for --explain and error messages of the checker.
  std::string ToString() const;
};

enum class PlanKind {
  kGet,        // a base table or temp view: produces its columns
  kValues,     // literal rows (also the single empty row of a SELECT without FROM)
  kFilter,     // condition
  kProject,    // expressions: produces one column each
  kAggregate,  // groups then aggregates: produces one column each, in that order
  kJoin,       // join_type, equi_keys, condition
  kWindow,     // passes its input's columns, then produces one column per window call
  kSort,       // sort_keys
  kLimit,      // limit, offset
  kDistinct,
  kSetOperation,  // set_op, set_all over two children: produces its own columns
};

enum class JoinType { kInner, kLeft, kRight, kFull, kCross, kSemi, kAnti };
enum class SetOpType { kUnion, kIntersect, kExcept };

struct PlanNode {
  PlanKind kind = PlanKind::kGet;
  int id = -1;
  std::vector<PlanPtr> children;
  std::vector<ColumnInfo> columns;  // visible output columns, in order

  // kGet
  std::string table_name;  // as in the catalog
  bool is_view = false;
  // The view's bound plan, when is_view and the view was defined by an earlier step of the
  // same CompileScript call (null for a view the catalog already held).
  std::shared_ptr<const LogicalPlan> view_plan;
  std::vector<std::string> table_columns;  // the table's column names read, in order
  // kValues
  std::vector<std::vector<ExprPtr>> rows;
  // kFilter (condition), kJoin (residual non-equality part of ON, may be null)
  ExprPtr condition;
  // kProject (one per output), kAggregate (the aggregate calls), kWindow (the window calls)
  std::vector<ExprPtr> expressions;
  // kAggregate
  std::vector<ExprPtr> groups;
  std::vector<std::vector<int>> grouping_sets;  // empty: plain GROUP BY over all groups
  // kJoin: pairs of (left side expression, right side expression) compared with `=`
  JoinType join_type = JoinType::kInner;
  std::vector<std::pair<ExprPtr, ExprPtr>> equi_keys;
  // kSort
  std::vector<SortKey> sort_keys;
  // kLimit: -1 when absent
  int64_t limit = -1;
  int64_t offset = 0;
  // kSetOperation
  SetOpType set_op = SetOpType::kUnion;
  bool set_all = false;
};

// A bound query: its root and the names and types of the result.
class LogicalPlan {
 public:
  PlanPtr root;
  // The first `output_count` columns of root->columns are the result; the rest are hidden
  // sort keys (none unless a rewrite added them).
  size_t output_count = 0;
  // Node ids are drawn from this counter, shared by the plans of one script.
  std::shared_ptr<int> id_counter = std::make_shared<int>(0);

  int NewNodeId() const { return (*id_counter)++; }
  std::vector<ColumnInfo> Output() const {
    return std::vector<ColumnInfo>(root->columns.begin(),
                                   root->columns.begin() + static_cast<long>(output_count));
  }
  // Indented tree of nodes and expressions (for --explain).
  std::string ToString() const;
  // The node with this id anywhere in the plan (not inside subquery or view plans); nullptr.
  const PlanNode* FindNode(int id) const;
};

// Walks a plan tree top-down (children after parents). Does not enter subquery plans or
// view plans; use VisitExpression on a kSubquery's `subquery` for that.
void VisitPlan(const PlanNode& node, const std::function<void(const PlanNode&)>& visit);
// Calls `visit` for every expression root held directly by `node` (conditions, projections,
// groups, aggregates, window calls, join keys, sort keys, values).
void VisitNodeExpressions(const PlanNode& node,
                          const std::function<void(const Expression&)>& visit);
// Walks an expression tree top-down, including window partition/order keys and aggregate
// filters, but not into subquery plans.
void VisitExpression(const Expression& expr, const std::function<void(const Expression&)>& visit);

// The correlation of a subquery: every column reference inside `subquery` (at any nesting) that
// reads the query enclosing it directly (the expressions themselves, so a rewrite may retarget
// them). Empty for an uncorrelated subquery.
std::vector<ExprPtr> OuterReferences(const LogicalPlan& subquery);

// A depth-0 reference to a visible column (carrying its base origin, if any).
ExprPtr MakeColumnRef(const ColumnInfo& column);

// Builders for rewrites of a bound plan (the privacy checker's): bound expressions of the
// given parts, typed by the caller (literals: MakeLiteral in planner/type_rules.h).
ExprPtr MakeBoundOperator(OperatorKind op, const DataType& type, std::vector<ExprPtr> children);
// kind: kFunction or kAggregate.
ExprPtr MakeBoundCall(ExprKind kind, const FunctionDef* function, const DataType& type,
                      std::vector<ExprPtr> children, bool distinct = false);

// A copy of the node tree under `node`, for a rewrite that must leave the bound plan as it was:
// every node is copied (ids, columns, expression lists); the expressions themselves, subquery
// plans and view plans are shared, so a rewrite replaces them rather than changing them.
PlanPtr CopyPlanTree(const PlanNode& node);

// Structural equality of two bound expressions (same kind, type, bindings, values, children).
bool ExpressionEquals(const Expression& a, const Expression& b);

const char* OperatorName(OperatorKind op);
const char* PlanKindName(PlanKind kind);

}  // namespace cleanroom::sql
