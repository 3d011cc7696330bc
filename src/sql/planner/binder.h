#pragma once

// The binder: resolves the names of a parsed query against the Catalog, types every
// expression with Spark's rules and builds the logical plan (sql/plan.h).

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog.h"
#include "sql/frontend.h"
#include "sql/parser/ast.h"
#include "sql/plan.h"

namespace cleanroom::sql {

class Binder {
 public:
  // `text` is the script the AST came from (for error positions). `view_plans` holds the
  // bound plans of temp views defined by earlier steps (lower-case name -> plan); may be null.
  Binder(std::string_view text, const Catalog& catalog, const CompileOptions& options,
         std::shared_ptr<int> id_counter,
         const std::map<std::string, std::shared_ptr<const LogicalPlan>>* view_plans);

  // Binds one query. Errors: InvalidArgument with position and caret (unknown names suggest
  // the nearest candidates).
  Result<std::shared_ptr<LogicalPlan>> BindQuery(const ast::QueryNode& query);

  // Base tables and views read so far (lower case).
  const std::set<std::string>& tables_read() const { return tables_read_; }

  // One column of a FROM scope.
  struct ScopeEntry {
    std::string qualifier;  // lower-case table alias
    std::string lower_name;
    ColumnInfo column;
    bool hidden_unqualified = false;  // the right copy of a USING column
  };
  // The columns a query level can see; `outer` is the enclosing query (for correlation).
  struct Scope {
    std::vector<ScopeEntry> entries;
    Scope* outer = nullptr;
  };
  // Where an expression is being bound.
  struct ExprContext {
    Scope* scope = nullptr;
    const char* clause = "SELECT";
    bool allow_aggregates = false;
    bool allow_windows = false;
    bool in_aggregate = false;
    // Select-list aliases (lower name -> bound expression) usable by bare names.
    const std::vector<std::pair<std::string, ExprPtr>>* aliases = nullptr;
    bool aliases_first = false;
    // The WINDOW clause of the SELECT being bound (for OVER name); may be null.
    const std::vector<std::pair<std::string, std::unique_ptr<ast::WindowSpec>>>* windows = nullptr;
    // Inside a lambda's body: the parameters in scope (kLambdaVariable, innermost last); a bare
    // name naming one is the parameter, before any column (Spark's rule).
    const std::vector<ExprPtr>* lambda_variables = nullptr;
  };

 private:
  friend class SelectBinder;

  // Queries.
  Result<PlanPtr> BindQueryNode(const ast::QueryNode& node, Scope* outer);
  Result<PlanPtr> BindSelect(const ast::QueryNode& node, Scope* outer);
  Result<PlanPtr> BindSetOperation(const ast::QueryNode& node, Scope* outer);
  Result<PlanPtr> ApplyOrderAndLimit(const ast::QueryNode& node, PlanPtr plan);
  Result<int64_t> BindLimitValue(const ast::Expr& expr, const char* what);

  // FROM.
  Result<PlanPtr> BindTableRef(const ast::TableRef& ref, Scope& scope);
  Result<PlanPtr> BindBaseTable(const ast::TableRef& ref, Scope& scope);
  Result<PlanPtr> BindJoin(const ast::TableRef& ref, Scope& scope);
  Result<PlanPtr> BindValues(const ast::TableRef& ref, Scope& scope, const std::string& alias);
  void AddToScope(Scope& scope, const PlanNode& node, const std::string& alias);

  // Expressions.
 public:
  Result<ExprPtr> BindExpr(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindBoolean(const ast::Expr& expr, ExprContext& ctx);
  Status Error(SourcePos pos, const std::string& message) const;

 private:
  Result<ExprPtr> BindColumn(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindLiteral(const ast::Expr& expr);
  Result<ExprPtr> BindUnary(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindBinary(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindArithmetic(OperatorKind op, ExprPtr left, ExprPtr right, SourcePos pos);
  Result<ExprPtr> BindComparison(OperatorKind op, const ExprPtr& left, const ExprPtr& right,
                                 SourcePos pos);
  Result<ExprPtr> BindFunction(const ast::Expr& expr, ExprContext& ctx);
  // Argument `index` of a call of `function`, a lambda (planner/bind_lambda.cc); `args` holds
  // the arguments bound before it.
  Result<ExprPtr> BindLambda(const ast::Expr& lambda, ExprContext& ctx, const FunctionDef& function,
                             size_t index, const std::vector<ExprPtr>& args);
  Result<ExprPtr> BindWindow(const ast::Expr& expr, ExprPtr call, ExprContext& ctx);
  Result<ExprPtr> BindCase(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindCast(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindPredicate(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> BindSubquery(const ast::Expr& expr, ExprContext& ctx);
  Result<ExprPtr> ToBoolean(ExprPtr e, SourcePos pos, const char* what);
  // Casts `items` to one type: the comparison rule (CommonType) or the column rule (WiderType).
  Result<std::vector<ExprPtr>> Unify(std::vector<ExprPtr> items, SourcePos pos, const char* what,
                                     bool comparison = false);

  PlanPtr NewNode(PlanKind kind);

  std::string_view text_;
  const Catalog& catalog_;
  CompileOptions options_;
  std::shared_ptr<int> id_counter_;
  const std::map<std::string, std::shared_ptr<const LogicalPlan>>* view_plans_;
  std::set<std::string> tables_read_;
  // CTEs in scope, innermost last: (lower name, definition).
  // The common table expressions in scope, innermost last: lower-case name, definition, and the
  // scope enclosing the query that defines it (a CTE body may be correlated with it).
  struct CteInScope {
    std::string name;
    const ast::CommonTableExpr* cte;
    Scope* outer;
  };
  std::vector<CteInScope> ctes_;
  int cte_depth_ = 0;
  int lambda_variables_ = 0;  // lambda parameters named so far (their unique names)
};

// The edit distance of two lower-case names (for suggestions).
size_t EditDistance(std::string_view a, std::string_view b);
// " (did you mean x, y?)" for the candidates nearest to `name`, or "".
std::string Suggestion(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace cleanroom::sql
