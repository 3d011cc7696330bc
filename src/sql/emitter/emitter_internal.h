#pragma once

// The emitter's state, shared by plan and expression emission. Not a public header.

#include <optional>
#include <string>
#include <vector>

#include "sql/emitter/duckdb_emitter.h"

namespace cleanroom::sql {

class DuckDbEmitter {
 public:
  explicit DuckDbEmitter(const EmitOptions& options) : options_(options) {}

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
  Result<std::string> EmitExpr(const Expression& expr);
  Result<std::string> EmitSubplan(const LogicalPlan& plan);
  std::string Render(const Block& block) const;

  static std::string ColumnName(ColumnBinding binding);

 private:
  std::string Wrap(const Block& block);
  static std::vector<Item> PassThrough(const std::vector<ColumnInfo>& columns);
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
  Result<std::string> EmitSortKeys(const std::vector<SortKey>& keys);
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
