// Binding of expressions: names, literals, operators, CASE, CAST, predicates, subqueries.
#include <algorithm>
#include <optional>

#include "sql/function/function_registry.h"
#include "sql/planner/binder.h"
#include "sql/planner/timestamp_literal.h"
#include "sql/planner/type_rules.h"

namespace cleanroom::sql {

namespace {

ExprPtr MakeOperator(OperatorKind op, DataType type, std::vector<ExprPtr> children,
                     bool negated = false) {
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kOperator;
  e->op = op;
  e->type = std::move(type);
  e->children = std::move(children);
  e->negated = negated;
  return e;
}

const DataType kBoolean = DataType::Of(TypeId::kBoolean);

bool IsDateLike(const DataType& t) {
  return t.id == TypeId::kDate || t.id == TypeId::kTimestamp || t.id == TypeId::kTimestampNtz;
}

bool ValidDate(const std::string& s) {
  // YYYY-MM-DD (Spark also accepts YYYY and YYYY-MM; DuckDB reads these forms too).
  if (s.size() < 4) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == ' ' || c == ':' || c == '.' || c == 'T' ||
          c == '+' || c == 'Z')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::vector<ExprPtr>> Binder::Unify(std::vector<ExprPtr> items, SourcePos pos,
                                           const char* what, bool comparison) {
  DataType common = DataType::Of(TypeId::kNull);
  for (const auto& item : items) {
    auto next = comparison ? CommonType(common, item->type, options_.dialect)
                           : WiderType(common, item->type, options_.dialect);
    if (!next) {
      return Error(pos, std::string(what) + " mixes types " + common.ToString() + " and " +
                            item->type.ToString() + " that have no common type");
    }
    common = *next;
  }
  for (auto& item : items) item = CastTo(item, common);
  return items;
}

Result<ExprPtr> Binder::ToBoolean(ExprPtr e, SourcePos pos, const char* what) {
  if (e->type.id == TypeId::kBoolean) return e;
  if (e->type.id == TypeId::kNull) return CastTo(e, kBoolean);
  if (options_.dialect == Dialect::kSqlite &&
      (e->type.IsNumeric() || e->type.id == TypeId::kString)) {
    // SQLite reads a number as a truth value: non-zero is true.
    ExprPtr number = e->type.id == TypeId::kString ? CastTo(e, DataType::Of(TypeId::kDouble)) : e;
    return MakeOperator(
        OperatorKind::kNotEqual, kBoolean,
        {number, CastTo(MakeLiteral(DataType::Of(TypeId::kInt), "0"), number->type)});
  }
  // A number as a truth value (non-zero is true), as DuckDB and SQLite read it.
  if (e->type.IsNumeric()) return CastTo(e, kBoolean);
  return Error(pos, std::string(what) + " must be boolean, not " + e->type.ToString());
}

Result<ExprPtr> Binder::BindBoolean(const ast::Expr& expr, ExprContext& ctx) {
  CR_ASSIGN_OR_RETURN(ExprPtr e, BindExpr(expr, ctx));
  return ToBoolean(std::move(e), expr.pos, ctx.clause);
}

Result<ExprPtr> Binder::BindExpr(const ast::Expr& expr, ExprContext& ctx) {
  switch (expr.kind) {
    case ast::ExprKind::kColumn:
      return BindColumn(expr, ctx);
    case ast::ExprKind::kStar:
      return Error(expr.pos, "'*' is only allowed in the select list or in count(*)");
    case ast::ExprKind::kLiteral:
      return BindLiteral(expr);
    case ast::ExprKind::kUnary:
      return BindUnary(expr, ctx);
    case ast::ExprKind::kBinary:
      return BindBinary(expr, ctx);
    case ast::ExprKind::kFunction:
      return BindFunction(expr, ctx);
    case ast::ExprKind::kCase:
      return BindCase(expr, ctx);
    case ast::ExprKind::kCast:
      return BindCast(expr, ctx);
    case ast::ExprKind::kLambda:
      return Error(expr.pos,
                   "a lambda function is only allowed as an argument of a higher-order "
                   "function (transform, filter, aggregate, ...)");
    case ast::ExprKind::kInSubquery:
    case ast::ExprKind::kExists:
    case ast::ExprKind::kScalarSubquery:
      return BindSubquery(expr, ctx);
    default:
      return BindPredicate(expr, ctx);
  }
}

Result<ExprPtr> Binder::BindColumn(const ast::Expr& expr, ExprContext& ctx) {
  std::string lower = ToLowerAscii(expr.name);
  bool qualified = !expr.qualifier.empty();
  std::string qualifier = qualified ? ToLowerAscii(expr.qualifier.back()) : "";
  auto alias_lookup = [&]() -> ExprPtr {
    if (qualified || ctx.aliases == nullptr) return nullptr;
    for (const auto& [name, bound] : *ctx.aliases) {
      if (name == lower) return bound;
    }
    return nullptr;
  };
  if (!qualified && ctx.lambda_variables != nullptr) {
    for (auto it = ctx.lambda_variables->rbegin(); it != ctx.lambda_variables->rend(); ++it) {
      if ((*it)->value == lower) return *it;
    }
  }
  if (ctx.aliases_first) {
    if (ExprPtr e = alias_lookup()) return e;
  }
  int depth = 0;
  for (Scope* s = ctx.scope; s != nullptr; s = s->outer, ++depth) {
    const ScopeEntry* match = nullptr;
    for (const ScopeEntry& entry : s->entries) {
      if (entry.lower_name != lower) continue;
      if (qualified ? entry.qualifier != qualifier : entry.hidden_unqualified) continue;
      if (match != nullptr && !(match->column.binding == entry.column.binding)) {
        std::string a = match->qualifier.empty() ? "" : match->qualifier + ".";
        std::string b = entry.qualifier.empty() ? "" : entry.qualifier + ".";
        return Error(expr.pos, "column reference " + expr.name + " is ambiguous (" + a + expr.name +
                                   " or " + b + expr.name + ")");
      }
      match = &entry;
    }
    if (match != nullptr) {
      auto ref = std::make_shared<Expression>();
      ref->kind = ExprKind::kColumnRef;
      ref->type = match->column.type;
      ref->binding = match->column.binding;
      ref->depth = depth;
      ref->name = match->column.name;
      ref->table = match->column.table;
      ref->column = match->column.column;
      return ref;
    }
  }
  if (ExprPtr e = alias_lookup()) return e;
  // Spark's virtual column grouping__id: grouping_id() over every grouping expression (the
  // aggregate's binding fills in the arguments, bind_select.cc).
  if (!qualified && lower == "grouping__id" && ctx.allow_aggregates &&
      options_.dialect == Dialect::kSpark) {
    auto call = std::make_shared<Expression>();
    call->kind = ExprKind::kAggregate;
    call->function = LookupFunction("grouping_id");
    call->type = DataType::Of(TypeId::kBigInt);
    return call;
  }
  std::vector<std::string> candidates;
  for (Scope* s = ctx.scope; s != nullptr; s = s->outer) {
    for (const ScopeEntry& entry : s->entries) {
      candidates.push_back(qualified && !entry.qualifier.empty()
                               ? entry.qualifier + "." + entry.column.name
                               : entry.column.name);
    }
  }
  std::string shown = qualified ? expr.qualifier.back() + "." + expr.name : expr.name;
  return Error(expr.pos, "column not found: " + shown + Suggestion(shown, candidates));
}

Result<ExprPtr> Binder::BindLiteral(const ast::Expr& expr) {
  switch (expr.literal_kind) {
    case ast::LiteralKind::kNull:
      return MakeLiteral(DataType::Of(TypeId::kNull), "", true);
    case ast::LiteralKind::kBoolean:
      return MakeLiteral(kBoolean, expr.text);
    case ast::LiteralKind::kString:
      return MakeLiteral(DataType::Of(TypeId::kString), expr.text);
    case ast::LiteralKind::kNumber: {
      std::string canonical;
      auto type = NumericLiteralType(expr.text, options_.dialect, &canonical);
      if (!type) return Error(expr.pos, "numeric literal out of range");
      return MakeLiteral(*type, canonical);
    }
    case ast::LiteralKind::kBlob:
      return MakeLiteral(DataType::Of(TypeId::kBinary), expr.text);
    case ast::LiteralKind::kDate:
      if (!ValidDate(expr.text)) return Error(expr.pos, "invalid DATE literal");
      return MakeLiteral(DataType::Of(TypeId::kDate), expr.text);
    case ast::LiteralKind::kTimestamp: {
      if (!ValidDate(expr.text.substr(0, std::min<size_t>(expr.text.size(), 10)))) {
        return Error(expr.pos, "invalid TIMESTAMP literal");
      }
      // The wall time in the session time zone (UTC in the clean room): a timestamp_ntz.
      Result<ExprPtr> literal = BindTimestampLiteral(expr.text, options_.session_time_zone);
      if (!literal.ok()) return Error(expr.pos, literal.status().message());
      return literal;
    }
    case ast::LiteralKind::kInterval:
      return MakeLiteral(DataType::Interval(expr.interval_start, expr.interval_end), expr.text);
    case ast::LiteralKind::kTime:
      return Error(expr.pos,
                   "the TIME type is not supported (a TIME literal may only be cast to a number)");
  }
  return Status::Internal("unknown literal");
}

Result<ExprPtr> Binder::BindUnary(const ast::Expr& expr, ExprContext& ctx) {
  CR_ASSIGN_OR_RETURN(ExprPtr operand, BindExpr(*expr.args[0], ctx));
  if (expr.name == "not") {
    CR_ASSIGN_OR_RETURN(operand, ToBoolean(operand, expr.args[0]->pos, "the operand of NOT"));
    return MakeOperator(OperatorKind::kNot, kBoolean, {operand});
  }
  if (expr.name == "+") {
    if (options_.dialect == Dialect::kSqlite || operand->type.IsNumeric() ||
        operand->type.id == TypeId::kNull || operand->type.id == TypeId::kInterval) {
      return operand;
    }
    return Error(expr.pos, "unary + needs a number, not " + operand->type.ToString());
  }
  if (expr.name == "~") {
    if (operand->type.id == TypeId::kNull) operand = CastTo(operand, DataType::Of(TypeId::kInt));
    if (!operand->type.IsIntegral()) {
      return Error(expr.pos, "~ needs an integer, not " + operand->type.ToString());
    }
    DataType type = operand->type;
    return MakeOperator(OperatorKind::kBitNot, type, {operand});
  }
  // Unary minus.
  if (operand->type.id == TypeId::kNull) operand = CastTo(operand, DataType::Of(TypeId::kInt));
  if (operand->type.id == TypeId::kString) operand = CastTo(operand, DataType::Of(TypeId::kDouble));
  if (operand->type.id == TypeId::kBoolean && options_.dialect == Dialect::kSqlite) {
    operand = CastTo(operand, DataType::Of(TypeId::kBigInt));
  }
  if (!operand->type.IsNumeric() && operand->type.id != TypeId::kInterval) {
    return Error(expr.pos, "unary - needs a number, not " + operand->type.ToString());
  }
  if (options_.dialect == Dialect::kSqlite && operand->type.IsIntegral()) {
    operand = CastTo(operand, DataType::Of(TypeId::kBigInt));
  }
  DataType type = operand->type;
  return MakeOperator(OperatorKind::kNegate, type, {operand});
}

Result<ExprPtr> Binder::BindBinary(const ast::Expr& expr, ExprContext& ctx) {
  CR_ASSIGN_OR_RETURN(ExprPtr left, BindExpr(*expr.args[0], ctx));
  CR_ASSIGN_OR_RETURN(ExprPtr right, BindExpr(*expr.args[1], ctx));
  const std::string& op = expr.name;
  if (op == "and" || op == "or") {
    CR_ASSIGN_OR_RETURN(left, ToBoolean(left, expr.args[0]->pos, op == "and" ? "AND" : "OR"));
    CR_ASSIGN_OR_RETURN(right, ToBoolean(right, expr.args[1]->pos, op == "and" ? "AND" : "OR"));
    return MakeOperator(op == "and" ? OperatorKind::kAnd : OperatorKind::kOr, kBoolean,
                        {left, right});
  }
  if (op == "=") return BindComparison(OperatorKind::kEqual, left, right, expr.pos);
  if (op == "<>") return BindComparison(OperatorKind::kNotEqual, left, right, expr.pos);
  if (op == "<") return BindComparison(OperatorKind::kLess, left, right, expr.pos);
  if (op == "<=") return BindComparison(OperatorKind::kLessEqual, left, right, expr.pos);
  if (op == ">") return BindComparison(OperatorKind::kGreater, left, right, expr.pos);
  if (op == ">=") return BindComparison(OperatorKind::kGreaterEqual, left, right, expr.pos);
  if (op == "<=>") return BindComparison(OperatorKind::kNullSafeEqual, left, right, expr.pos);
  if (op == "||") {
    if (left->type.IsNested() || right->type.IsNested()) {
      return Error(expr.pos, "|| needs strings");
    }
    const DataType string = DataType::Of(TypeId::kString);
    return MakeOperator(OperatorKind::kConcat, string,
                        {CastTo(left, string), CastTo(right, string)});
  }
  if (op == "&" || op == "|" || op == "^") {
    auto common = CommonType(left->type, right->type, options_.dialect);
    if (!common || !(common->IsIntegral() || common->id == TypeId::kNull)) {
      return Error(expr.pos, "bitwise " + op + " needs integers");
    }
    DataType type = common->id == TypeId::kNull ? DataType::Of(TypeId::kInt) : *common;
    OperatorKind kind = op == "&"   ? OperatorKind::kBitAnd
                        : op == "|" ? OperatorKind::kBitOr
                                    : OperatorKind::kBitXor;
    return MakeOperator(kind, type, {CastTo(left, type), CastTo(right, type)});
  }
  if (op == "<<" || op == ">>") {
    OperatorKind kind = op == "<<" ? OperatorKind::kShiftLeft : OperatorKind::kShiftRight;
    const DataType bigint = DataType::Of(TypeId::kBigInt);
    if (options_.dialect == Dialect::kSqlite) {
      // SQLite shifts 64-bit integers; its operands convert to integers.
      for (const ExprPtr& side : {left, right}) {
        if (!(side->type.IsNumeric() || side->type.id == TypeId::kString ||
              side->type.id == TypeId::kNull || side->type.id == TypeId::kBoolean)) {
          return Error(expr.pos, "shift " + op + " needs integers");
        }
      }
      return MakeOperator(kind, bigint, {CastTo(left, bigint), CastTo(right, bigint)});
    }
    // Spark: INT or BIGINT shifted by an INT (TINYINT and SMALLINT widen to INT).
    if (!(left->type.IsIntegral() || left->type.id == TypeId::kNull) ||
        !(right->type.IsIntegral() || right->type.id == TypeId::kNull)) {
      return Error(expr.pos, "shift " + op + " needs integers");
    }
    DataType type = left->type.id == TypeId::kBigInt ? bigint : DataType::Of(TypeId::kInt);
    return MakeOperator(kind, type,
                        {CastTo(left, type), CastTo(right, DataType::Of(TypeId::kInt))});
  }
  OperatorKind kind = op == "+"   ? OperatorKind::kAdd
                      : op == "-" ? OperatorKind::kSubtract
                      : op == "*" ? OperatorKind::kMultiply
                      : op == "/" ? OperatorKind::kDivide
                      : op == "%" ? OperatorKind::kModulo
                                  : OperatorKind::kIntegerDivide;
  return BindArithmetic(kind, left, right, expr.pos);
}

Result<ExprPtr> Binder::BindComparison(OperatorKind op, const ExprPtr& left, const ExprPtr& right,
                                       SourcePos pos) {
  auto common = CommonType(left->type, right->type, options_.dialect);
  if (!common) {
    return Error(pos, std::string("cannot compare ") + left->type.ToString() + " with " +
                          right->type.ToString());
  }
  if (common->id == TypeId::kNull) common = DataType::Of(TypeId::kInt);
  return MakeOperator(op, kBoolean, {CastTo(left, *common), CastTo(right, *common)});
}

Result<ExprPtr> Binder::BindArithmetic(OperatorKind op, ExprPtr left, ExprPtr right,
                                       SourcePos pos) {
  const bool sqlite = options_.dialect == Dialect::kSqlite;
  const char* symbol = OperatorName(op);
  // Dates and intervals.
  if (IsDateLike(left->type) || IsDateLike(right->type) || left->type.id == TypeId::kInterval ||
      right->type.id == TypeId::kInterval) {
    const DataType& l = left->type;
    const DataType& r = right->type;
    if (op == OperatorKind::kAdd && r.id == TypeId::kDate &&
        (l.IsIntegral() || l.id == TypeId::kInterval || l.id == TypeId::kNull)) {
      std::swap(left, right);
    }
    // Spark: date +/- NULL is date_add / date_sub of NULL days; NULL - date an interval.
    if (left->type.id == TypeId::kDate && right->type.id == TypeId::kNull) {
      right = CastTo(right, DataType::Of(TypeId::kInt));
    }
    if (op == OperatorKind::kSubtract && left->type.id == TypeId::kNull && r.id == TypeId::kDate) {
      left = CastTo(left, DataType::Of(TypeId::kDate));
    }
    if (op == OperatorKind::kSubtract && l.id == TypeId::kString && r.id == TypeId::kDate &&
        !sqlite) {
      left = CastTo(left, DataType::Of(TypeId::kDate));
    }
    if ((op == OperatorKind::kAdd || op == OperatorKind::kSubtract) && IsDateLike(left->type)) {
      if (right->type.IsIntegral() && left->type.id == TypeId::kDate) {
        return MakeOperator(op, left->type, {left, CastTo(right, DataType::Of(TypeId::kInt))});
      }
      if (right->type.id == TypeId::kInterval) {
        // A date plus whole days, months or years stays a date (Spark: date_add, add_months).
        const DataType& it = right->type;
        bool day_units = it.IsYearMonthInterval() || (it.IsDayTimeInterval() && it.scale == kDay) ||
                         (it.precision == kNoField && right->kind == ExprKind::kLiteral &&
                          (right->value.find("day") != std::string::npos ||
                           right->value.find("week") != std::string::npos ||
                           right->value.find("month") != std::string::npos ||
                           right->value.find("year") != std::string::npos));
        DataType type = left->type.id == TypeId::kDate && day_units ? left->type
                        : left->type.id == TypeId::kDate ? DataType::Of(TypeId::kTimestamp)
                                                         : left->type;
        return MakeOperator(op, type, {left, right});
      }
      // Spark reads a string subtracted from (or, below, from which) a date as a date.
      if (op == OperatorKind::kSubtract && left->type.id == TypeId::kDate &&
          right->type.id == TypeId::kString && !sqlite) {
        right = CastTo(right, DataType::Of(TypeId::kDate));
      }
      if (op == OperatorKind::kSubtract && IsDateLike(right->type)) {
        if (left->type.id == TypeId::kDate && right->type.id == TypeId::kDate) {
          // Spark 4: an interval of days. SQLite's and DuckDB's corpora: the number of days.
          return MakeOperator(
              op,
              DataType::Of(options_.dialect == Dialect::kSpark ? TypeId::kInterval : TypeId::kInt),
              {left, right});
        }
        return MakeOperator(op, DataType::Of(TypeId::kInterval), {left, right});
      }
    }
    if (left->type.id == TypeId::kInterval && right->type.id == TypeId::kInterval &&
        (op == OperatorKind::kAdd || op == OperatorKind::kSubtract)) {
      // Spark: a year-month and a day-time interval do not add (DATATYPE_MISMATCH).
      if ((left->type.IsYearMonthInterval() && right->type.IsDayTimeInterval()) ||
          (left->type.IsDayTimeInterval() && right->type.IsYearMonthInterval())) {
        return Error(pos, std::string("operator ") + symbol + " does not apply to " +
                              left->type.ToString() + " and " + right->type.ToString());
      }
      DataType type = *CommonType(left->type, right->type, options_.dialect);
      return MakeOperator(op, type, {CastTo(left, type), CastTo(right, type)});
    }
    // An ANSI interval times or divided by a number: an interval of the same type.
    if (op == OperatorKind::kMultiply && r.id == TypeId::kInterval &&
        (l.IsNumeric() || l.id == TypeId::kNull)) {
      std::swap(left, right);
    }
    const DataType& li = left->type;
    if ((op == OperatorKind::kMultiply || op == OperatorKind::kDivide) &&
        (li.IsYearMonthInterval() || li.IsDayTimeInterval()) &&
        (right->type.IsNumeric() || right->type.id == TypeId::kNull)) {
      if (right->type.id == TypeId::kNull) right = CastTo(right, DataType::Of(TypeId::kInt));
      return MakeOperator(op, li, {left, right});
    }
    return Error(pos, std::string("operator ") + symbol + " does not apply to " +
                          left->type.ToString() + " and " + right->type.ToString());
  }
  auto to_number = [&](ExprPtr e) -> Result<ExprPtr> {
    if (e->type.id == TypeId::kNull)
      return CastTo(e, DataType::Of(sqlite ? TypeId::kBigInt : TypeId::kInt));
    if (e->type.id == TypeId::kString) return CastTo(e, DataType::Of(TypeId::kDouble));
    if (e->type.id == TypeId::kBoolean && sqlite) return CastTo(e, DataType::Of(TypeId::kBigInt));
    if (!e->type.IsNumeric()) {
      return Error(pos,
                   std::string("operator ") + symbol + " needs numbers, not " + e->type.ToString());
    }
    if (sqlite && e->type.IsIntegral()) return CastTo(e, DataType::Of(TypeId::kBigInt));
    return e;
  };
  CR_ASSIGN_OR_RETURN(left, to_number(left));
  CR_ASSIGN_OR_RETURN(right, to_number(right));
  const DataType& l = left->type;
  const DataType& r = right->type;
  bool floating = l.id == TypeId::kDouble || l.id == TypeId::kFloat || r.id == TypeId::kDouble ||
                  r.id == TypeId::kFloat;
  bool decimal = !floating && (l.id == TypeId::kDecimal || r.id == TypeId::kDecimal);
  bool integral = l.IsIntegral() && r.IsIntegral();
  if (op == OperatorKind::kIntegerDivide) {
    // div: integral division, bigint result (decimal operands are truncated too).
    DataType type = DataType::Of(TypeId::kBigInt);
    if (floating) return Error(pos, "div needs integer or decimal operands");
    if (integral) return MakeOperator(op, type, {CastTo(left, type), CastTo(right, type)});
    return MakeOperator(op, type, {left, right});
  }
  if (op == OperatorKind::kDivide && !sqlite && integral) {
    DataType type = DataType::Of(TypeId::kDouble);
    return MakeOperator(op, type, {CastTo(left, type), CastTo(right, type)});
  }
  if (integral) {
    auto common = CommonType(l, r, options_.dialect);
    return MakeOperator(op, *common, {CastTo(left, *common), CastTo(right, *common)});
  }
  if (decimal) {
    DataType type = DecimalArithmeticType(op, l, r);
    return MakeOperator(op, type, {left, right});
  }
  DataType type = (l.id == TypeId::kFloat || l.IsIntegral() || l.id == TypeId::kDecimal) &&
                          (r.id == TypeId::kFloat || r.IsIntegral() || r.id == TypeId::kDecimal)
                      ? DataType::Of(TypeId::kFloat)
                      : DataType::Of(TypeId::kDouble);
  return MakeOperator(op, type, {CastTo(left, type), CastTo(right, type)});
}

Result<ExprPtr> Binder::BindCase(const ast::Expr& expr, ExprContext& ctx) {
  ExprPtr operand;
  if (expr.case_operand) {
    CR_ASSIGN_OR_RETURN(operand, BindExpr(*expr.case_operand, ctx));
  }
  std::vector<ExprPtr> conditions, results;
  for (size_t i = 0; i + 1 < expr.args.size(); i += 2) {
    CR_ASSIGN_OR_RETURN(ExprPtr when, BindExpr(*expr.args[i], ctx));
    if (operand) {
      CR_ASSIGN_OR_RETURN(when,
                          BindComparison(OperatorKind::kEqual, operand, when, expr.args[i]->pos));
    } else {
      CR_ASSIGN_OR_RETURN(when, ToBoolean(when, expr.args[i]->pos, "a WHEN condition"));
    }
    conditions.push_back(when);
    CR_ASSIGN_OR_RETURN(ExprPtr then, BindExpr(*expr.args[i + 1], ctx));
    results.push_back(then);
  }
  if (expr.else_expr) {
    CR_ASSIGN_OR_RETURN(ExprPtr otherwise, BindExpr(*expr.else_expr, ctx));
    results.push_back(otherwise);
  }
  CR_ASSIGN_OR_RETURN(results, Unify(std::move(results), expr.pos, "CASE"));
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kCase;
  e->type = results[0]->type;
  for (size_t i = 0; i < conditions.size(); ++i) {
    e->children.push_back(conditions[i]);
    e->children.push_back(results[i]);
  }
  if (expr.else_expr) {
    e->has_else = true;
    e->children.push_back(results.back());
  }
  return e;
}

namespace {

// A TIME literal 'HH:MM:SS[.fraction]' as its seconds since midnight, exact (Spark's cast of a
// TIME to a number), or nullopt when the text is not a valid time of day.
std::optional<std::pair<std::string, int>> TimeLiteralSeconds(const std::string& text) {
  auto digits = [&](size_t at, size_t n) -> int {
    if (at + n > text.size()) return -1;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  int h = digits(0, 2), m = digits(3, 2), sec = digits(6, 2);
  if (h < 0 || m < 0 || sec < 0 || text[2] != ':' || text[5] != ':' || h > 23 || m > 59 ||
      sec > 59) {
    return std::nullopt;
  }
  std::string fraction;
  if (text.size() > 8) {
    if (text[8] != '.' || text.size() == 9 || text.size() > 18 || digits(9, text.size() - 9) < 0) {
      return std::nullopt;
    }
    fraction = text.substr(9);
  }
  std::string value = std::to_string(h * 3600 + m * 60 + sec);
  if (!fraction.empty()) value += "." + fraction;
  return std::make_pair(value, static_cast<int>(fraction.size()));
}

}  // namespace

Result<ExprPtr> Binder::BindCast(const ast::Expr& expr, ExprContext& ctx) {
  const ast::Expr& source = *expr.args[0];
  if (source.kind == ast::ExprKind::kLiteral && source.literal_kind == ast::LiteralKind::kTime) {
    // CAST(TIME '...' AS number): Spark's seconds since midnight (a fraction truncated by a cast
    // to an integer, rounded by one to a decimal); the TIME type itself is not supported.
    auto seconds = TimeLiteralSeconds(source.text);
    if (!seconds) return Error(source.pos, "invalid TIME literal");
    Result<DataType> target = ParseTypeName(expr.type_name);
    if (!target.ok() || !(target->IsIntegral() || target->id == TypeId::kDecimal)) {
      return Error(expr.pos,
                   "the TIME type is not supported (a TIME literal may only be cast to a number)");
    }
    auto e = std::make_shared<Expression>();
    e->kind = ExprKind::kCast;
    e->type = *target;
    e->try_cast = expr.try_cast;
    e->children.push_back(
        MakeLiteral(DataType::Decimal(5 + seconds->second, seconds->second), seconds->first));
    return e;
  }
  CR_ASSIGN_OR_RETURN(ExprPtr operand, BindExpr(*expr.args[0], ctx));
  std::string name = expr.type_name;
  // Spellings of other dialects that the corpora use.
  if (name == "signed" || name == "hugeint") name = "bigint";
  if (options_.dialect == Dialect::kSqlite) {
    if (name == "integer" || name == "int") name = "bigint";
    if (name == "real" || name == "float") name = "double";
  }
  if (name == "text" || name == "bool") name = name == "text" ? "string" : "boolean";
  // DuckDB's bare DECIMAL is decimal(18,3); Spark's is decimal(10,0).
  if (options_.dialect == Dialect::kDuckdb &&
      (name == "decimal" || name == "numeric" || name == "dec")) {
    name = "decimal(18,3)";
  }
  Result<DataType> type = ParseTypeName(name);
  if (!type.ok()) return Error(expr.pos, "unknown type " + expr.type_name);
  if (!CanCast(operand->type, *type)) {
    return Error(expr.pos, "cannot cast " + operand->type.ToString() + " to " + type->ToString());
  }
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kCast;
  e->type = *type;
  e->try_cast = expr.try_cast;
  e->children.push_back(operand);
  return e;
}

Result<ExprPtr> Binder::BindPredicate(const ast::Expr& expr, ExprContext& ctx) {
  CR_ASSIGN_OR_RETURN(ExprPtr value, BindExpr(*expr.args[0], ctx));
  switch (expr.kind) {
    case ast::ExprKind::kIsNull:
      return MakeOperator(expr.negated ? OperatorKind::kIsNotNull : OperatorKind::kIsNull, kBoolean,
                          {value});
    case ast::ExprKind::kIsBool: {
      CR_ASSIGN_OR_RETURN(value, ToBoolean(value, expr.pos, "IS TRUE / FALSE / UNKNOWN"));
      OperatorKind op;
      if (expr.name == "unknown") {
        op = expr.negated ? OperatorKind::kIsNotNull : OperatorKind::kIsNull;
      } else if (expr.name == "true") {
        op = expr.negated ? OperatorKind::kIsNotTrue : OperatorKind::kIsTrue;
      } else {
        op = expr.negated ? OperatorKind::kIsNotFalse : OperatorKind::kIsFalse;
      }
      return MakeOperator(op, kBoolean, {value});
    }
    case ast::ExprKind::kIsDistinct: {
      CR_ASSIGN_OR_RETURN(ExprPtr other, BindExpr(*expr.args[1], ctx));
      return BindComparison(
          expr.negated ? OperatorKind::kNullSafeEqual : OperatorKind::kDistinctFrom, value, other,
          expr.pos);
    }
    case ast::ExprKind::kBetween: {
      CR_ASSIGN_OR_RETURN(ExprPtr low, BindExpr(*expr.args[1], ctx));
      CR_ASSIGN_OR_RETURN(ExprPtr high, BindExpr(*expr.args[2], ctx));
      CR_ASSIGN_OR_RETURN(std::vector<ExprPtr> items,
                          Unify({value, low, high}, expr.pos, "BETWEEN", true));
      if (items[0]->type.id == TypeId::kNull) {
        for (auto& item : items) item = CastTo(item, DataType::Of(TypeId::kInt));
      }
      return MakeOperator(OperatorKind::kBetween, kBoolean, std::move(items), expr.negated);
    }
    case ast::ExprKind::kLike: {
      CR_ASSIGN_OR_RETURN(ExprPtr pattern, BindExpr(*expr.args[1], ctx));
      const DataType string = DataType::Of(TypeId::kString);
      std::vector<ExprPtr> children = {CastTo(value, string), CastTo(pattern, string)};
      if (expr.else_expr) {
        CR_ASSIGN_OR_RETURN(ExprPtr escape, BindExpr(*expr.else_expr, ctx));
        if (escape->kind != ExprKind::kLiteral || escape->type.id != TypeId::kString ||
            escape->value.size() != 1) {
          return Error(expr.else_expr->pos, "ESCAPE must be a single-character string literal");
        }
        children.push_back(escape);
      }
      OperatorKind op = expr.name == "ilike"   ? OperatorKind::kILike
                        : expr.name == "rlike" ? OperatorKind::kRLike
                                               : OperatorKind::kLike;
      return MakeOperator(op, kBoolean, std::move(children), expr.negated);
    }
    case ast::ExprKind::kInList: {
      std::vector<ExprPtr> items = {value};
      for (size_t i = 1; i < expr.args.size(); ++i) {
        CR_ASSIGN_OR_RETURN(ExprPtr item, BindExpr(*expr.args[i], ctx));
        items.push_back(item);
      }
      if (items.size() == 1) {
        // x IN () is false (NOT IN () true), as SQLite defines it.
        return MakeLiteral(kBoolean, expr.negated ? "true" : "false");
      }
      CR_ASSIGN_OR_RETURN(items, Unify(std::move(items), expr.pos, "IN", true));
      if (items[0]->type.id == TypeId::kNull) {
        for (auto& item : items) item = CastTo(item, DataType::Of(TypeId::kInt));
      }
      return MakeOperator(OperatorKind::kInList, kBoolean, std::move(items), expr.negated);
    }
    default:
      return Error(expr.pos, "unsupported expression");
  }
}

Result<ExprPtr> Binder::BindSubquery(const ast::Expr& expr, ExprContext& ctx) {
  ExprPtr operand;
  if (expr.kind == ast::ExprKind::kInSubquery) {
    CR_ASSIGN_OR_RETURN(operand, BindExpr(*expr.args[0], ctx));
  }
  CR_ASSIGN_OR_RETURN(PlanPtr root, BindQueryNode(*expr.subquery, ctx.scope));
  auto plan = std::make_shared<LogicalPlan>();
  plan->id_counter = id_counter_;
  auto e = std::make_shared<Expression>();
  e->kind = ExprKind::kSubquery;
  e->negated = expr.negated;
  if (expr.kind == ast::ExprKind::kExists) {
    e->subquery_kind = SubqueryKind::kExists;
    e->type = kBoolean;
  } else {
    if (root->columns.size() != 1) {
      return Error(expr.subquery->pos,
                   "subquery must return one column, not " + std::to_string(root->columns.size()));
    }
    if (expr.kind == ast::ExprKind::kScalarSubquery) {
      e->subquery_kind = SubqueryKind::kScalar;
      e->type = root->columns[0].type;
      if (e->type.id == TypeId::kNull) e->type = DataType::Of(TypeId::kInt);
    } else {
      e->subquery_kind = SubqueryKind::kIn;
      e->type = kBoolean;
      auto common = CommonType(operand->type, root->columns[0].type, options_.dialect);
      // SQLite never finds a blob equal to a number (or date, boolean): both sides are
      // compared as text, the blob's behind a \x01 that no other value's text holds.
      bool blob_left = operand->type.id == TypeId::kBinary;
      bool blob_right = root->columns[0].type.id == TypeId::kBinary;
      bool apart_blobs = options_.dialect == Dialect::kSqlite && !common && blob_left != blob_right;
      const DataType kText = DataType::Of(TypeId::kString);
      auto as_text = [&](ExprPtr side, bool blob) {
        side = CastTo(side, kText);
        if (!blob) return side;
        return MakeOperator(OperatorKind::kConcat, kText, {MakeLiteral(kText, "\x01"), side});
      };
      if (apart_blobs) {
        operand = as_text(operand, blob_left);
        common = kText;
      }
      if (!common) {
        return Error(expr.pos, "IN compares " + operand->type.ToString() + " with " +
                                   root->columns[0].type.ToString());
      }
      if (common->id == TypeId::kNull) common = DataType::Of(TypeId::kInt);
      operand = CastTo(operand, *common);
      if (root->columns[0].type != *common) {
        auto project = NewNode(PlanKind::kProject);
        const ColumnInfo& c = root->columns[0];
        auto ref = std::make_shared<Expression>();
        ref->kind = ExprKind::kColumnRef;
        ref->type = c.type;
        ref->binding = c.binding;
        ref->name = c.name;
        project->expressions.push_back(apart_blobs ? as_text(ref, blob_right)
                                                   : CastTo(ref, *common));
        project->columns.push_back(
            ColumnInfo{c.name, *common, ColumnBinding{project->id, 0}, "", ""});
        project->children.push_back(root);
        root = project;
      }
      e->children.push_back(operand);
    }
  }
  plan->root = root;
  plan->output_count = root->columns.size();
  e->subquery = plan;
  return e;
}

}  // namespace cleanroom::sql
