// The owner's unit index (policy `unitIndex`): a column of the dataset's file, outside its
// allowed fields, holding one integer per row, equal on two rows exactly when their privacy
// units are equal (written and checked against the unit at publish). A threshold that would
// otherwise read the unit only to count it (a 64-character hashed email, hundreds of MB to
// decompress and validate) counts the index instead: 4 bytes a row, the same distinct count.
// A query that reads the unit itself (joins on it, counts it) keeps counting the unit, so that
// counts stay shared through the join's equality and no second column is read; and an index
// only ever counts its own dataset's units (two datasets' indexes are never equal), so one
// owner's index cannot stand in for another dataset's floor.
#include "checker_internal.h"

namespace cleanroom::privacy::internal {
namespace {

// Whether an expression in `aggregate` or under it reads the privacy unit of `dataset` (its
// lineage reaches the column, as it is or transformed).
bool ReadsUnit(CheckContext& ctx, const sql::PlanNode& aggregate, const std::string& dataset,
               const std::string& unit) {
  const Origin target{dataset, unit};
  bool reads = false;
  sql::VisitPlan(aggregate, [&](const sql::PlanNode& node) {
    sql::VisitNodeExpressions(node, [&](const sql::Expression& root) {
      sql::VisitExpression(root, [&](const sql::Expression& e) {
        if (reads || e.kind != sql::ExprKind::kColumnRef || e.depth != 0) return;
        reads = ctx.lineage.OfBinding(e.binding).origins.count(target) > 0;
      });
    });
  });
  return reads;
}

}  // namespace

Result<bool> CountsUnitIndex(CheckContext& ctx, const DatasetPolicy& policy,
                             const sql::PlanNode& aggregate, const RowPath& path) {
  if (policy.unit_index.empty() || ctx.physical == nullptr) return false;
  const sql::PlanNode* get = path.nodes.back();
  if (get->is_view) return false;  // a view's rows are not the file's: the unit is counted
  const sql::TableDef* table = ctx.physical->FindTable(get->table_name);
  if (table == nullptr) return false;
  const sql::Column* index = nullptr;
  for (const sql::Column& c : table->columns) {
    if (sql::ToLowerAscii(c.name) == policy.unit_index) index = &c;
  }
  // Declared but absent or not an integer: an error, never a silent fallback to the unit.
  if (index == nullptr) {
    return Status::InvalidArgument("policy of dataset " + path.dataset + ": unitIndex column " +
                                   policy.unit_index + " is not in the table");
  }
  if (!index->type.IsIntegral()) {
    return Status::InvalidArgument("policy of dataset " + path.dataset + ": unitIndex column " +
                                   policy.unit_index + " is not an integer column");
  }
  return !ReadsUnit(ctx, aggregate, path.dataset, policy.privacy_unit);
}

}  // namespace cleanroom::privacy::internal
