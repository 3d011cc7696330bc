// The subtotal rule: one query holds at most one aggregate over the rows of a dataset with a
// minGroupUnits floor, and never its grouping sets. Two aggregates over the same people (a
// ROLLUP total and its children, two UNION branches, two joined derived tables, an outer
// aggregate that reads the rows again beside an inner one) can be subtracted: the difference is
// a suppressed group, or a population smaller than the floor. An outer aggregate over an inner
// one's released groups only does not read the rows, so it is not counted.
// Refusing is the choice documented in docs/privacy.md (no complementary suppression).
#include <map>

#include "checker_internal.h"
#include "sql/catalog.h"

namespace cleanroom::privacy::internal {
namespace {

struct Released {
  const sql::PlanNode* node = nullptr;
  std::set<std::string> floored;  // floored datasets whose rows it aggregates
};

std::string SetOperationOrJoin(const std::vector<const sql::PlanNode*>& path) {
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if ((*it)->kind == sql::PlanKind::kSetOperation)
      return "a set operation (UNION, EXCEPT, INTERSECT)";
  }
  return "a join, a nested aggregate that reads the rows again, or a second reference";
}

class SubtotalWalk {
 public:
  explicit SubtotalWalk(CheckContext& ctx) : ctx_(ctx) {}

  Status Walk(const sql::PlanNode& node) {
    path_.push_back(&node);
    if (node.kind == sql::PlanKind::kAggregate) {
      Released r{&node, FlooredRowLevel(node)};
      if (!r.floored.empty()) {
        if (!node.grouping_sets.empty()) {
          return Status::PermissionDenied(
              "subtotal rule: GROUPING SETS, ROLLUP and CUBE are refused over the rows of "
              "dataset " +
              *r.floored.begin() +
              ", which has a minGroupUnits floor: a subtotal minus its released groups gives the "
              "suppressed ones (run one GROUP BY per grouping instead)");
        }
        for (const Released& other : released_) {
          if (other.node->id == node.id) continue;  // one view read twice: the same cells
          for (const std::string& ds : r.floored) {
            if (other.floored.count(ds) == 0) continue;
            return Status::PermissionDenied(
                "subtotal rule: the query combines two aggregates over the rows of dataset " + ds +
                ", which has a minGroupUnits floor, through " + SetOperationOrJoin(path_) +
                ": their released cells could be subtracted (one query, one aggregate per "
                "protected dataset)");
          }
        }
        released_.push_back(r);
      }
    }
    Status status = WalkInputs(node);
    path_.pop_back();
    return status;
  }

 private:
  Status WalkInputs(const sql::PlanNode& node) {
    if (node.kind == sql::PlanKind::kGet && node.is_view && node.view_plan &&
        node.view_plan->root) {
      return Walk(*node.view_plan->root);
    }
    bool filter_only =
        node.kind == sql::PlanKind::kJoin &&
        (node.join_type == sql::JoinType::kSemi || node.join_type == sql::JoinType::kAnti);
    for (size_t i = 0; i < node.children.size(); ++i) {
      // A semi / anti join's right side only filters: its values are not released.
      if (filter_only && i > 0) continue;
      CR_RETURN_IF_ERROR(Walk(*node.children[i]));
    }
    return Status::OK();
  }

  std::set<std::string> FlooredRowLevel(const sql::PlanNode& aggregate) {
    std::set<std::string> out;
    for (const std::string& ds : ctx_.lineage.RowLevelDatasets(*aggregate.children[0])) {
      const DatasetPolicy* p = ctx_.PolicyOf(ds);
      if (p != nullptr && MergeFloors(*p, ctx_.policies->query, ds).min_group_units > 0) {
        out.insert(ds);
      }
    }
    return out;
  }

  CheckContext& ctx_;
  std::vector<Released> released_;
  std::vector<const sql::PlanNode*> path_;
};

}  // namespace

Status CheckSubtotals(CheckContext& ctx, const sql::LogicalPlan& plan) {
  SubtotalWalk walk(ctx);
  return walk.Walk(*plan.root);
}

}  // namespace cleanroom::privacy::internal
