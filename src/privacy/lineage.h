#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sql/plan.h"

namespace cleanroom::privacy {

// A base-table column a value is computed from, without an aggregate in between.
struct Origin {
  std::string dataset;  // lower-case table name
  std::string column;   // lower-case column name
  bool operator<(const Origin& o) const {
    return dataset != o.dataset ? dataset < o.dataset : column < o.column;
  }
};

// How a value derives from the datasets: the raw columns it is computed from, and whether it
// is exactly one of them (an identity, possibly renamed or cast) or a transformation.
struct Trace {
  std::set<Origin> origins;
  bool identity = false;    // true: the value is exactly origins' single column
  bool aggregated = false;  // computed by an aggregate (or window) over rows

  void Merge(const Trace& other, bool keep_identity);
};

// Column lineage across the plans of one script: the statement plans, the temp views they
// read, and the subquery plans inside expressions. Node ids are unique within a script.
// Not thread-safe.
class Lineage {
 public:
  // Indexes every node of `plan`, its subquery plans and the view plans it reads.
  void AddPlan(const sql::LogicalPlan& plan);
  // nullptr when the id is unknown.
  const sql::PlanNode* Node(int id) const;

  Trace OfBinding(sql::ColumnBinding binding);
  Trace OfExpression(const sql::Expression& expr);

  // Datasets whose individual rows reach `node`'s output rows without passing an aggregate
  // (semi / anti join right sides excluded: they filter but do not emit rows).
  std::set<std::string> RowLevelDatasets(const sql::PlanNode& node);
  // Every base table read anywhere below `node`, including subquery and view plans.
  std::set<std::string> ReadDatasets(const sql::PlanNode& node);

  // Drops memoized traces (after a rewrite changed nodes).
  void Reset();

 private:
  void IndexNode(const sql::PlanNode& node);
  void IndexExpression(const sql::Expression& expr);

  std::map<int, const sql::PlanNode*> nodes_;
  std::map<std::pair<int, int>, Trace> memo_;
  std::set<const sql::LogicalPlan*> indexed_plans_;
};

}  // namespace cleanroom::privacy
