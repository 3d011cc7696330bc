// Binding of a lambda argument of a higher-order function (transform, filter, aggregate, ...).
#include "sql/function/function_registry.h"
#include "sql/planner/binder.h"

namespace cleanroom::sql {

Result<ExprPtr> Binder::BindLambda(const ast::Expr& lambda, ExprContext& ctx,
                                   const FunctionDef& function, size_t index,
                                   const std::vector<ExprPtr>& args) {
  if (options_.safe_arithmetic) {
    // A checked query's aggregates must read whole groups and its outputs only what the policy
    // allows; a lambda computes over the elements of a collection in ways the privacy checker
    // does not trace, so it is refused there rather than trusted.
    return Error(lambda.pos, "lambda functions are not allowed in a checked query (" +
                                 std::string(function.name) + ")");
  }
  if (function.lambda_parameters == nullptr) {
    return Error(lambda.pos, std::string(function.name) + " does not take a lambda function");
  }
  Result<std::vector<DataType>> types =
      function.lambda_parameters(index, lambda.qualifier.size(), args);
  if (!types.ok())
    return Error(lambda.pos, std::string(function.name) + ": " + types.status().message());
  for (size_t i = 0; i < lambda.qualifier.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (lambda.qualifier[i] == lambda.qualifier[j]) {
        return Error(lambda.pos,
                     "[INVALID_LAMBDA_FUNCTION_CALL.DUPLICATE_ARG_NAMES] the lambda names " +
                         lambda.qualifier[i] + " twice");
      }
    }
  }
  auto bound = std::make_shared<Expression>();
  bound->kind = ExprKind::kLambda;
  std::vector<ExprPtr> in_scope;
  if (ctx.lambda_variables != nullptr) in_scope = *ctx.lambda_variables;
  std::vector<ExprPtr> parameters;
  for (size_t i = 0; i < lambda.qualifier.size(); ++i) {
    auto variable = std::make_shared<Expression>();
    variable->kind = ExprKind::kLambdaVariable;
    variable->type = (*types)[i].id == TypeId::kNull ? DataType::Of(TypeId::kInt) : (*types)[i];
    variable->name = "__lv" + std::to_string(++lambda_variables_);
    variable->value = lambda.qualifier[i];
    in_scope.push_back(variable);
    parameters.push_back(variable);
  }
  ExprContext body_ctx = ctx;
  body_ctx.lambda_variables = &in_scope;
  CR_ASSIGN_OR_RETURN(ExprPtr body, BindExpr(*lambda.args[0], body_ctx));
  bound->type = body->type;
  bound->children.push_back(std::move(body));
  for (ExprPtr& p : parameters) bound->children.push_back(std::move(p));
  return bound;
}

}  // namespace cleanroom::sql
