#pragma once

// The emitter's state, shared by plan and expression emission. Not a public header.

#include <optional>
#include <string>
#include <vector>

#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::sql {

// The SQL shapes (nested SELECT blocks) are common to DuckDB and Spark SQL; what differs (quoting,
// a few keywords, every expression) is virtual, and SparkEmitter (spark_emitter_internal.h)
// overrides it.
class DuckDbEmitter {
 public:
  explicit DuckDbEmitter(const EmitOptions& options) : options_(options) {}
  virtual ~DuckDbEmitter() = default;

  struct Item {
    std::string sql;
    std::string alias;  // quoted
  };
  // One SELECT: items correspond 1:1 to the emitted node's visible columns.
  struct Block {
    std::vector<Item> items;
    bool distinct = false;
    bool passthrough = false;  // items only forward the FROM's columns by name
    std::string from;          // empty: no FROM
    std::string where, group_by, having, order_by;
    int64_t limit = -1;
    int64_t offset = 0;
  };

  Result<Block> EmitNode(const PlanNode& node);
  virtual Result<std::string> EmitExpr(const Expression& expr);
  Result<std::string> EmitSubplan(const LogicalPlan& plan);
  std::string Render(const Block& block) const;
  // The whole statement: the root's block with the result columns named as the query names
  // them.
  Result<std::string> EmitStatement(const LogicalPlan& plan);

  std::string ColumnName(ColumnBinding binding) const;
  // An identifier, quoted for the target.
  virtual std::string Quote(std::string_view name) const { return QuoteIdentifier(name); }

 protected:
  // The keyword of a join of that type.
  virtual const char* JoinKeyword(JoinType type) const;
  // A FROM item of literal rows: `rows` is "(a, b), (c, d)", `columns` the quoted names.
  virtual std::string ValuesFrom(const std::string& rows, const std::string& alias,
                                 const std::string& columns) const;
  // " OVER (...)" of a window call.
  Result<std::string> EmitOver(const Expression& expr);
  Result<std::string> EmitSortKeys(const std::vector<SortKey>& keys);
  const EmitOptions& options() const { return options_; }

 private:
  std::string Wrap(const Block& block);
  std::vector<Item> PassThrough(const std::vector<ColumnInfo>& columns) const;
  Result<Block> EmitJoin(const PlanNode& node);
  Result<Block> EmitAggregate(const PlanNode& node);
  Result<Block> EmitSetOperation(const PlanNode& node);
  Result<std::string> EmitOperator(const Expression& expr);
  Result<std::string> EmitCastExpr(const Expression& expr);
  std::string IntervalArithmetic(const Expression& expr, const std::vector<std::string>& args);
  std::string NumberToInterval(const std::string& operand, const DataType& from, const DataType& to,
                               bool try_cast) const;
  std::string IntervalToNumber(const std::string& operand, const DataType& from, const DataType& to,
                               bool try_cast) const;
  Result<std::string> EmitLiteral(const Expression& expr);
  Result<std::string> EmitCallExpr(const Expression& expr);
  std::string Checked(const std::string& sql) const;
  std::string Divisor(const std::string& divisor, const std::string& dividend) const;
  std::string Shift(bool left, const DataType& type, const std::string& value,
                    const std::string& count) const;

  // A try_add / try_subtract / ... call over its operator.
  static bool IsTryArithmetic(const Expression& expr);
  EmitOptions options_;
  int alias_counter_ = 0;
  // Set by try_add / try_subtract / ...: the next operator emitted (their only child) yields
  // NULL instead of failing; its own operands still fail as written (Spark's try_* semantics).
  bool safe_next_operator_ = false;
};

// Spark's exact decimal division `dividend / divisor` (HALF_UP at the result's scale), from the
// operands' types and SQL (the divisor already guarded against zero), in DuckDB's 128-bit
// integers; values too wide for them take `double_path` (DuckDB divides decimals in double
// precision). nullopt when no value could be divided exactly.
std::optional<std::string> ExactDecimalDivision(const DataType& left, const DataType& right,
                                                const DataType& result, const std::string& dividend,
                                                const std::string& divisor,
                                                const std::string& double_path);

}  // namespace cleanroom::sql
