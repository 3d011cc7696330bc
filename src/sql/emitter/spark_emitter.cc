// The Spark emitter: the plan's blocks as the DuckDB emitter shapes them (emit_plan.cc), with
// Spark's quoting and keywords, and every expression written in Spark SQL.
#include "sql/emitter/spark_emitter.h"

#include <set>

#include "sql/emitter/emitter_internal.h"
#include "sql/function/function_registry.h"
#include "sql/function/spark_builtins.h"

namespace cleanroom::sql {

std::string QuoteSparkIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string QuoteSparkString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

namespace {

bool IsSparkBuiltin(std::string_view name) {
  static const std::set<std::string, std::less<>> kNames = [] {
    std::set<std::string, std::less<>> names;
    for (const SparkBuiltin& b : SparkBuiltins()) {
      if (b.refused == nullptr) names.insert(b.name);
    }
    return names;
  }();
  return kNames.count(name) > 0;
}

class SparkEmitter : public DuckDbEmitter {
 public:
  explicit SparkEmitter(const EmitOptions& options) : DuckDbEmitter(options) {}

  std::string Quote(std::string_view name) const override { return QuoteSparkIdentifier(name); }
  Result<std::string> EmitExpr(const Expression& expr) override;

 protected:
  const char* JoinKeyword(JoinType type) const override {
    if (type == JoinType::kSemi) return "LEFT SEMI JOIN";
    if (type == JoinType::kAnti) return "LEFT ANTI JOIN";
    return DuckDbEmitter::JoinKeyword(type);
  }
  std::string ValuesFrom(const std::string& rows, const std::string& alias,
                         const std::string& columns) const override {
    return "VALUES " + rows + " AS " + alias + "(" + columns + ")";
  }

 private:
  Result<std::string> Literal(const Expression& expr) const;
  Result<std::string> Operator(const Expression& expr, bool safe);
  Result<std::string> Call(const Expression& expr);
  Result<std::vector<std::string>> Children(const Expression& expr);
  bool safe() const { return options().safe_arithmetic; }
};

Result<std::vector<std::string>> SparkEmitter::Children(const Expression& expr) {
  std::vector<std::string> args;
  for (const auto& c : expr.children) {
    CR_ASSIGN_OR_RETURN(std::string a, EmitExpr(*c));
    args.push_back(std::move(a));
  }
  return args;
}

// try_add(a + b) and its kin: the operator under safe arithmetic (Spark's own try_* form).
bool IsTryArithmeticCall(const Expression& expr) {
  if (expr.function == nullptr || expr.children.size() != 1 ||
      expr.children[0]->kind != ExprKind::kOperator) {
    return false;
  }
  std::string_view name = expr.function->name;
  return name == "try_add" || name == "try_subtract" || name == "try_multiply" ||
         name == "try_divide" || name == "try_mod";
}

Result<std::string> SparkEmitter::EmitExpr(const Expression& expr) {
  switch (expr.kind) {
    case ExprKind::kColumnRef:
      return ColumnName(expr.binding);
    case ExprKind::kLiteral:
      return Literal(expr);
    case ExprKind::kOperator:
      return Operator(expr, safe());
    case ExprKind::kFunction:
      if (IsTryArithmeticCall(expr)) return Operator(*expr.children[0], true);
      return Call(expr);
    case ExprKind::kAggregate:
    case ExprKind::kWindow:
      return Call(expr);
    case ExprKind::kCast: {
      CR_ASSIGN_OR_RETURN(std::string operand, EmitExpr(*expr.children[0]));
      bool try_cast = expr.try_cast || safe();
      return std::string(try_cast ? "try_cast(" : "CAST(") + operand + " AS " +
             expr.type.ToString() + ")";
    }
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t pairs = (expr.children.size() - (expr.has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        CR_ASSIGN_OR_RETURN(std::string when, EmitExpr(*expr.children[2 * i]));
        CR_ASSIGN_OR_RETURN(std::string then, EmitExpr(*expr.children[2 * i + 1]));
        out += " WHEN " + when + " THEN " + then;
      }
      if (expr.has_else) {
        CR_ASSIGN_OR_RETURN(std::string otherwise, EmitExpr(*expr.children.back()));
        out += " ELSE " + otherwise;
      }
      return out + " END";
    }
    case ExprKind::kSubquery: {
      if (!expr.subquery) return Status::Internal("subquery without a plan");
      CR_ASSIGN_OR_RETURN(std::string body, EmitSubplan(*expr.subquery));
      switch (expr.subquery_kind) {
        case SubqueryKind::kScalar:
          return "(" + body + ")";
        case SubqueryKind::kExists:
          return std::string(expr.negated ? "(NOT EXISTS (" : "(EXISTS (") + body + "))";
        case SubqueryKind::kIn: {
          CR_ASSIGN_OR_RETURN(std::string operand, EmitExpr(*expr.children[0]));
          return "(" + operand + (expr.negated ? " NOT IN (" : " IN (") + body + "))";
        }
      }
      return Status::Internal("unknown subquery kind");
    }
    case ExprKind::kLambda: {
      CR_ASSIGN_OR_RETURN(std::string body, EmitExpr(*expr.children[0]));
      std::string parameters;
      for (size_t i = 1; i < expr.children.size(); ++i) {
        parameters += (i > 1 ? ", " : "") + expr.children[i]->name;
      }
      return "(" + parameters + ") -> " + body;
    }
    case ExprKind::kLambdaVariable:
      return expr.name;
  }
  return Status::Internal("unknown expression");
}

Result<std::string> SparkEmitter::Literal(const Expression& expr) const {
  const DataType& t = expr.type;
  if (expr.is_null) {
    if (t.id == TypeId::kNull) return std::string("NULL");
    return "CAST(NULL AS " + t.ToString() + ")";
  }
  switch (t.id) {
    case TypeId::kBoolean:
      return std::string(expr.value == "true" ? "TRUE" : "FALSE");
    case TypeId::kInt:
      return expr.value[0] == '-' ? "(" + expr.value + ")" : expr.value;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kBigInt:
    case TypeId::kDecimal:
    case TypeId::kFloat:
    case TypeId::kDouble:
      return "CAST(" + QuoteSparkString(expr.value) + " AS " + t.ToString() + ")";
    case TypeId::kString:
      return QuoteSparkString(expr.value);
    case TypeId::kDate:
      return "DATE " + QuoteSparkString(expr.value);
    case TypeId::kTimestamp:
      return "TIMESTAMP " + QuoteSparkString(expr.value);
    case TypeId::kTimestampNtz:
      return "TIMESTAMP_NTZ " + QuoteSparkString(expr.value);
    case TypeId::kInterval:
      return "INTERVAL " + QuoteSparkString(expr.value);
    case TypeId::kBinary:
      return "X" + QuoteSparkString(expr.value);
    default:
      return Status::Unimplemented("Spark engine: a literal of type " + t.ToString() +
                                   " cannot be written for Spark yet");
  }
}

Result<std::string> SparkEmitter::Operator(const Expression& expr, bool safe_here) {
  CR_ASSIGN_OR_RETURN(std::vector<std::string> args, Children(expr));
  const DataType& t = expr.type;
  auto binary = [&](const char* op) { return "(" + args[0] + " " + op + " " + args[1] + ")"; };
  auto call = [&](const char* name) {
    return std::string(name) + "(" + args[0] + ", " + args[1] + ")";
  };
  bool exact = t.IsIntegral() || t.id == TypeId::kDecimal;
  switch (expr.op) {
    case OperatorKind::kAdd:
      return safe_here && exact ? call("try_add") : binary("+");
    case OperatorKind::kSubtract:
      return safe_here && exact ? call("try_subtract") : binary("-");
    case OperatorKind::kMultiply:
      return safe_here && exact ? call("try_multiply") : binary("*");
    case OperatorKind::kDivide:
      return safe_here ? call("try_divide") : binary("/");
    case OperatorKind::kIntegerDivide:
      if (!safe_here) return binary("div");
      return "(CASE WHEN " + args[1] + " = 0 THEN NULL ELSE " + binary("div") + " END)";
    case OperatorKind::kModulo:
      return safe_here ? call("try_mod") : binary("%");
    case OperatorKind::kNegate:
      if (safe_here && exact) {
        return "try_subtract(CAST(0 AS " + t.ToString() + "), " + args[0] + ")";
      }
      return "(- " + args[0] + ")";
    case OperatorKind::kBitAnd:
      return binary("&");
    case OperatorKind::kBitOr:
      return binary("|");
    case OperatorKind::kBitXor:
      return binary("^");
    case OperatorKind::kBitNot:
      return "(~ " + args[0] + ")";
    case OperatorKind::kShiftLeft:
      return call("shiftleft");
    case OperatorKind::kShiftRight:
      return call("shiftright");
    case OperatorKind::kConcat:
      return binary("||");
    case OperatorKind::kEqual:
      return binary("=");
    case OperatorKind::kNotEqual:
      return binary("<>");
    case OperatorKind::kLess:
      return binary("<");
    case OperatorKind::kLessEqual:
      return binary("<=");
    case OperatorKind::kGreater:
      return binary(">");
    case OperatorKind::kGreaterEqual:
      return binary(">=");
    case OperatorKind::kNullSafeEqual:
      return binary("<=>");
    case OperatorKind::kDistinctFrom:
      return "(NOT " + binary("<=>") + ")";
    case OperatorKind::kAnd:
      return binary("AND");
    case OperatorKind::kOr:
      return binary("OR");
    case OperatorKind::kNot:
      return "(NOT " + args[0] + ")";
    case OperatorKind::kIsNull:
      return "(" + args[0] + " IS NULL)";
    case OperatorKind::kIsNotNull:
      return "(" + args[0] + " IS NOT NULL)";
    case OperatorKind::kIsTrue:
      return "(" + args[0] + " IS TRUE)";
    case OperatorKind::kIsNotTrue:
      return "(" + args[0] + " IS NOT TRUE)";
    case OperatorKind::kIsFalse:
      return "(" + args[0] + " IS FALSE)";
    case OperatorKind::kIsNotFalse:
      return "(" + args[0] + " IS NOT FALSE)";
    case OperatorKind::kLike:
    case OperatorKind::kILike: {
      // Spark's default escape character is the backslash, as the plan's semantics assume.
      std::string out = "(" + args[0] + (expr.negated ? " NOT " : " ") +
                        (expr.op == OperatorKind::kLike ? "LIKE " : "ILIKE ") + args[1];
      if (args.size() == 3) out += " ESCAPE " + args[2];
      return out + ")";
    }
    case OperatorKind::kRLike:
      return std::string(expr.negated ? "(NOT " : "(") + args[0] + " RLIKE " + args[1] + ")";
    case OperatorKind::kInList: {
      std::string out = "(" + args[0] + (expr.negated ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < args.size(); ++i) out += (i > 1 ? ", " : "") + args[i];
      return out + "))";
    }
    case OperatorKind::kBetween:
      return "(" + args[0] + (expr.negated ? " NOT BETWEEN " : " BETWEEN ") + args[1] + " AND " +
             args[2] + ")";
  }
  return Status::Internal("unknown operator");
}

// The checker's own functions, in Spark's spelling: the unit hash is Spark's 64-bit xxhash64
// (as DuckDB's hash(), a collision can only merge two people, so a count never exceeds the true
// one); the row count is count(*). The 64-bit bound of the unit count is not used on Spark
// (CheckScript counts exactly there), so its functions have no Spark spelling.
Result<std::string> CheckerFunction(std::string_view name, const std::vector<std::string>& args) {
  if (name == "__cr_unit_hash" && args.size() == 1) return "xxhash64(" + args[0] + ")";
  if (name == "__cr_rows" && args.empty()) return std::string("count(*)");
  return Status::Internal("the checker's function " + std::string(name) + " has no Spark form");
}

Result<std::string> SparkEmitter::Call(const Expression& expr) {
  if (expr.function == nullptr) return Status::Internal("call without a function");
  CR_ASSIGN_OR_RETURN(std::vector<std::string> args, Children(expr));
  std::string_view name = expr.function->name;
  if (name.starts_with("__cr")) return CheckerFunction(name, args);
  if (!IsSparkBuiltin(name)) {
    return Status::Unimplemented("Spark engine: function " + std::string(name) +
                                 " cannot be written for Spark yet");
  }
  std::string spelled(name);
  // Overflow of a sum or an average is NULL under safe arithmetic (ANSI off would wrap).
  if (safe() && expr.kind != ExprKind::kWindow && (name == "sum" || name == "avg") &&
      expr.children.size() == 1 && expr.children[0]->type.IsNumeric()) {
    spelled = name == "sum" ? "try_sum" : "try_avg";
  }
  std::string call = spelled + "(" + (expr.distinct ? "DISTINCT " : "");
  if (name == "count" && args.empty()) call += "*";
  for (size_t i = 0; i < args.size(); ++i) call += (i > 0 ? ", " : "") + args[i];
  call += ")";
  if (expr.kind == ExprKind::kAggregate && !expr.order_by.empty()) {
    CR_ASSIGN_OR_RETURN(std::string keys, EmitSortKeys(expr.order_by));
    call += " WITHIN GROUP (ORDER BY " + keys + ")";
  }
  if (expr.ignore_nulls) call += " IGNORE NULLS";
  if (expr.filter) {
    CR_ASSIGN_OR_RETURN(std::string filter, EmitExpr(*expr.filter));
    call += " FILTER (WHERE " + filter + ")";
  }
  if (expr.kind == ExprKind::kWindow) {
    CR_ASSIGN_OR_RETURN(std::string over, EmitOver(expr));
    call += over;
  }
  return call;
}

}  // namespace

Result<std::string> EmitSparkSql(const LogicalPlan& plan, const EmitOptions& options) {
  SparkEmitter emitter(options);
  return emitter.EmitStatement(plan);
}

}  // namespace cleanroom::sql
