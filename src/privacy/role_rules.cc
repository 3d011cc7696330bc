// The column-role rules: where join, privacy_unit and aggregate columns may appear.
#include "checker_internal.h"
#include "sql/function/function_registry.h"

namespace cleanroom::privacy::internal {
namespace {

using sql::ExprKind;
using sql::OperatorKind;
using sql::PlanKind;

// Checks a use of a value against the roles of the columns it derives from.
Status CheckUse(CheckContext& ctx, const Trace& trace, Use use, const std::string& rule) {
  for (const Origin& o : trace.origins) {
    const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
    if (p == nullptr) continue;
    ColumnRole role = p->RoleOf(o.column);
    switch (role) {
      case ColumnRole::kDimension:
        break;
      case ColumnRole::kJoin:
      case ColumnRole::kPrivacyUnit:
        if (use == Use::kJoinKey && trace.identity) break;
        if (use == Use::kJoinKey) {
          return Denied(rule, o, role, "may be joined on only as itself, not transformed");
        }
        return Denied(rule, o, role, std::string("may not be used in ") + UseName(use));
      case ColumnRole::kAggregate:
        return Denied(rule, o, role,
                      std::string("may not be used in ") + UseName(use) +
                          " (only inside its allowed aggregate functions)");
    }
  }
  return Status::OK();
}

// An equality between two plain columns (a join written in WHERE or in a correlated
// subquery) is a join condition, not a filter.
bool IsColumnEquality(CheckContext& ctx, const sql::Expression& e) {
  if (e.kind != ExprKind::kOperator || e.op != OperatorKind::kEqual || e.children.size() != 2) {
    return false;
  }
  for (const auto& side : e.children) {
    Trace t = ctx.lineage.OfExpression(*side);
    if (!t.identity || t.origins.size() != 1) return false;
  }
  return true;
}

void SplitConjuncts(const sql::ExprPtr& e, std::vector<sql::ExprPtr>& out) {
  if (e->kind == ExprKind::kOperator && e->op == OperatorKind::kAnd) {
    for (const auto& c : e->children) SplitConjuncts(c, out);
  } else {
    out.push_back(e);
  }
}

Status CheckJoinKey(CheckContext& ctx, const sql::Expression& e, const std::string& rule) {
  return CheckUse(ctx, ctx.lineage.OfExpression(e), Use::kJoinKey, rule);
}

// `x [NOT] IN (SELECT y ...)`: a semi / anti join on x = y.
bool IsInSubquery(const sql::Expression& e) {
  return e.kind == ExprKind::kSubquery && e.subquery_kind == sql::SubqueryKind::kIn &&
         e.children.size() == 1 && e.subquery && e.subquery->root &&
         e.subquery->root->columns.size() == 1;
}

Status CheckPredicate(CheckContext& ctx, const sql::ExprPtr& condition, const std::string& rule) {
  std::vector<sql::ExprPtr> conjuncts;
  SplitConjuncts(condition, conjuncts);
  for (const auto& c : conjuncts) {
    if (IsColumnEquality(ctx, *c)) {
      CR_RETURN_IF_ERROR(CheckJoinKey(ctx, *c->children[0], rule));
      CR_RETURN_IF_ERROR(CheckJoinKey(ctx, *c->children[1], rule));
      continue;
    }
    const sql::Expression* in = c.get();
    if (in->kind == ExprKind::kOperator && in->op == OperatorKind::kNot &&
        in->children.size() == 1) {
      in = in->children[0].get();
    }
    if (IsInSubquery(*in)) {
      CR_RETURN_IF_ERROR(CheckJoinKey(ctx, *in->children[0], rule));
      Trace inner = ctx.lineage.OfBinding(in->subquery->root->columns[0].binding);
      CR_RETURN_IF_ERROR(CheckUse(ctx, inner, Use::kJoinKey, rule));
      continue;
    }
    CR_RETURN_IF_ERROR(CheckUse(ctx, ctx.lineage.OfExpression(*c), Use::kFilter, rule));
  }
  return Status::OK();
}

std::string Upper(const char* s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

// The argument rules of an aggregate call (also of an aggregate used over a window).
Status CheckAggregateCall(CheckContext& ctx, const sql::Expression& call, const std::string& rule) {
  std::string fn = call.function != nullptr ? Upper(call.function->name) : "";
  Trace args;
  for (const auto& c : call.children)
    args.Merge(ctx.lineage.OfExpression(*c), call.children.size() == 1);
  for (const Origin& o : args.origins) {
    const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
    if (p == nullptr) continue;
    ColumnRole role = p->RoleOf(o.column);
    switch (role) {
      case ColumnRole::kDimension:
        break;
      case ColumnRole::kJoin:
      case ColumnRole::kPrivacyUnit:
        if (fn == "COUNT" && call.distinct && call.children.size() == 1 && args.identity &&
            call.kind == ExprKind::kAggregate) {
          break;
        }
        return Denied(rule, o, role,
                      "may be aggregated only as COUNT(DISTINCT column), not by " +
                          (fn.empty() ? std::string("this call") : fn));
      case ColumnRole::kAggregate: {
        const ColumnPolicy* cp = p->Find(o.column);
        bool allowed = cp != nullptr && cp->functions.count(fn) != 0;
        if (!allowed) {
          return Denied(
              rule, o, role, "may not be aggregated by " + fn + " (allowed: " + [&] {
                std::string s;
                if (cp) {
                  for (const auto& f : cp->functions) s += (s.empty() ? "" : ", ") + f;
                }
                return s;
              }() + ")");
        }
        if (!args.identity) {
          return Denied(rule, o, role, "may be aggregated only as itself, not transformed");
        }
        break;
      }
    }
  }
  if (call.filter)
    CR_RETURN_IF_ERROR(CheckPredicate(ctx, call.filter, rule + " (aggregate FILTER)"));
  return Status::OK();
}

}  // namespace

const char* UseName(Use use) {
  switch (use) {
    case Use::kOutput:
      return "the output";
    case Use::kFilter:
      return "a filter";
    case Use::kJoinKey:
      return "a join condition";
    case Use::kGroup:
      return "GROUP BY";
    case Use::kOrder:
      return "ORDER BY";
    case Use::kWindowKey:
      return "a window's PARTITION BY or ORDER BY";
    case Use::kAggregateArg:
      return "an aggregate";
  }
  return "the query";
}

Status CheckRoles(CheckContext& ctx, const sql::PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kFilter:
      CR_RETURN_IF_ERROR(CheckPredicate(ctx, node.condition, "filter rule"));
      break;
    case PlanKind::kJoin:
      for (const auto& [left, right] : node.equi_keys) {
        CR_RETURN_IF_ERROR(CheckJoinKey(ctx, *left, "join rule"));
        CR_RETURN_IF_ERROR(CheckJoinKey(ctx, *right, "join rule"));
      }
      if (node.condition) CR_RETURN_IF_ERROR(CheckPredicate(ctx, node.condition, "join rule"));
      break;
    case PlanKind::kAggregate:
      for (const auto& g : node.groups) {
        CR_RETURN_IF_ERROR(CheckUse(ctx, ctx.lineage.OfExpression(*g), Use::kGroup, "group rule"));
      }
      for (const auto& a : node.expressions) {
        CR_RETURN_IF_ERROR(CheckAggregateCall(ctx, *a, "aggregate rule"));
      }
      CR_RETURN_IF_ERROR(CheckAggregateInputs(ctx, node));
      break;
    case PlanKind::kWindow:
      for (const auto& w : node.expressions) {
        for (const auto& k : w->partition_by) {
          CR_RETURN_IF_ERROR(
              CheckUse(ctx, ctx.lineage.OfExpression(*k), Use::kWindowKey, "window rule"));
        }
        for (const auto& k : w->order_by) {
          CR_RETURN_IF_ERROR(
              CheckUse(ctx, ctx.lineage.OfExpression(*k.expr), Use::kWindowKey, "window rule"));
        }
        CR_RETURN_IF_ERROR(CheckAggregateCall(ctx, *w, "window rule"));
      }
      break;
    case PlanKind::kSort:
      for (const auto& k : node.sort_keys) {
        CR_RETURN_IF_ERROR(
            CheckUse(ctx, ctx.lineage.OfExpression(*k.expr), Use::kOrder, "order rule"));
      }
      break;
    default:
      break;
  }
  CR_RETURN_IF_ERROR(CheckSubqueries(ctx, node));
  for (const auto& child : node.children) CR_RETURN_IF_ERROR(CheckRoles(ctx, *child));
  return Status::OK();
}

}  // namespace cleanroom::privacy::internal
