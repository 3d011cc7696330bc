// The probe rule: an IN or EXISTS subquery filters the outer rows by what it finds in a
// protected dataset. The outer groups pass their floors on the outer rows, but the subquery's
// answer may rest on one person: `EXISTS (SELECT 1 FROM customers WHERE region = 'east' AND
// age_band = '45+')` or `age_band IN (SELECT age_band FROM customers WHERE region = 'east')`
// turn one person's attribute into the presence of a large group; an aggregate with HAVING in
// the subquery (never thresholded) turns one person's value into a bit. So, over the rows of an
// aggregate-only dataset, a filtering subquery must be linked to the outer row through the
// dataset's join or privacy_unit column (a semi join on the same person: `hashed_email IN
// (SELECT hashed_email ...)`, or a correlated `i.hashed_email = c.hashed_email`), and holds no
// aggregate over the dataset's rows.
#include <functional>

#include "checker_internal.h"

namespace cleanroom::privacy::internal {
namespace {

using sql::ExprKind;

bool IsLinkRole(ColumnRole role) {
  return role == ColumnRole::kJoin || role == ColumnRole::kPrivacyUnit;
}

class ProbeCheck {
 public:
  explicit ProbeCheck(CheckContext& ctx) : ctx_(ctx) {}

  Status Check(const sql::Expression& subquery) {
    const sql::PlanNode& root = *subquery.subquery->root;
    CR_RETURN_IF_ERROR(NoAggregates(root));
    std::set<std::string> protected_rows;
    for (const std::string& ds : ctx_.lineage.RowLevelDatasets(root)) {
      const DatasetPolicy* p = ctx_.PolicyOf(ds);
      if (p != nullptr && p->output == OutputMode::kAggregate) protected_rows.insert(ds);
    }
    if (protected_rows.empty()) return Status::OK();
    // The datasets whose rows are tied to the outer row's person.
    if (subquery.subquery_kind == sql::SubqueryKind::kIn && !root.columns.empty()) {
      Link(ctx_.lineage.OfBinding(root.columns[0].binding));
    }
    CollectEqualities(root);
    for (const Origin& inner : outer_links_) Link(inner);
    for (bool grew = true; grew;) {  // equalities between two linking columns inside
      grew = false;
      for (const auto& [a, b] : pairs_) {
        if (Linked(a) && !Linked(b)) grew = Link(b) || grew;
        if (Linked(b) && !Linked(a)) grew = Link(a) || grew;
      }
    }
    for (const std::string& ds : protected_rows) {
      if (linked_.count(ds) != 0) continue;
      return Status::PermissionDenied(
          "subquery rule: an " +
          std::string(subquery.subquery_kind == sql::SubqueryKind::kExists ? "EXISTS" : "IN") +
          " subquery reads the rows of dataset " + ds +
          " (aggregate-only) without matching them to the outer row on its join or privacy_unit "
          "column: its answer could rest on one person (join the dataset and group instead)");
    }
    return Status::OK();
  }

 private:
  // An aggregate inside a filtering subquery is not thresholded.
  Status NoAggregates(const sql::PlanNode& node) {
    if (node.kind == sql::PlanKind::kAggregate) {
      for (const std::string& ds : ctx_.lineage.RowLevelDatasets(*node.children[0])) {
        const DatasetPolicy* p = ctx_.PolicyOf(ds);
        if (p == nullptr) continue;
        if (p->output == OutputMode::kAggregate ||
            MergeFloors(*p, ctx_.policies->query, ds).min_group_units > 0) {
          return Status::PermissionDenied(
              "subquery rule: an aggregate over the rows of dataset " + ds +
              " inside an IN or EXISTS subquery is not thresholded (a HAVING on one person's "
              "group would be a probe); aggregate in the outer query or a derived table");
        }
      }
    }
    if (node.kind == sql::PlanKind::kGet && node.is_view && node.view_plan &&
        node.view_plan->root) {
      CR_RETURN_IF_ERROR(NoAggregates(*node.view_plan->root));
    }
    for (const auto& c : node.children) CR_RETURN_IF_ERROR(NoAggregates(*c));
    return Status::OK();
  }

  // A value's linking column (a join or privacy_unit column, exactly), or nothing.
  bool LinkOrigin(const Trace& t, Origin* out) {
    if (!t.identity || t.origins.size() != 1) return false;
    const Origin& o = *t.origins.begin();
    const DatasetPolicy* p = ctx_.PolicyOf(o.dataset);
    if (p == nullptr || !IsLinkRole(p->RoleOf(o.column))) return false;
    *out = o;
    return true;
  }
  bool Link(const Trace& t) {
    Origin o;
    return LinkOrigin(t, &o) && Link(o);
  }
  bool Link(const Origin& o) { return linked_.insert(o.dataset).second; }
  bool Linked(const Origin& o) const { return linked_.count(o.dataset) != 0; }

  void Equality(const sql::Expression& left, const sql::Expression& right) {
    bool left_outer = left.kind == ExprKind::kColumnRef && left.depth > 0;
    bool right_outer = right.kind == ExprKind::kColumnRef && right.depth > 0;
    Origin a;
    Origin b;
    bool a_link = !left_outer && LinkOrigin(ctx_.lineage.OfExpression(left), &a);
    bool b_link = !right_outer && LinkOrigin(ctx_.lineage.OfExpression(right), &b);
    if (a_link && right_outer) outer_links_.push_back(a);
    if (b_link && left_outer) outer_links_.push_back(b);
    if (a_link && b_link) pairs_.push_back({a, b});
  }
  void Conjuncts(const sql::ExprPtr& e) {
    if (e == nullptr || e->kind != ExprKind::kOperator) return;
    if (e->op == sql::OperatorKind::kAnd) {
      for (const auto& c : e->children) Conjuncts(c);
    } else if (e->op == sql::OperatorKind::kEqual && e->children.size() == 2) {
      Equality(*e->children[0], *e->children[1]);
    }
  }
  void CollectEqualities(const sql::PlanNode& node) {
    if (node.kind == sql::PlanKind::kFilter) Conjuncts(node.condition);
    if (node.kind == sql::PlanKind::kJoin && node.join_type == sql::JoinType::kInner) {
      for (const auto& [l, r] : node.equi_keys) Equality(*l, *r);
      Conjuncts(node.condition);
    }
    for (const auto& c : node.children) CollectEqualities(*c);
  }

  CheckContext& ctx_;
  std::set<std::string> linked_;
  std::vector<Origin> outer_links_;               // inner linking column = outer reference
  std::vector<std::pair<Origin, Origin>> pairs_;  // two linking columns equal inside
};

}  // namespace

Status CheckFilterSubquery(CheckContext& ctx, const sql::Expression& subquery) {
  if (!subquery.subquery || !subquery.subquery->root) return Status::OK();
  if (subquery.subquery_kind != sql::SubqueryKind::kIn &&
      subquery.subquery_kind != sql::SubqueryKind::kExists) {
    return Status::OK();
  }
  ProbeCheck check(ctx);
  return check.Check(subquery);
}

}  // namespace cleanroom::privacy::internal
