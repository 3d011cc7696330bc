// The row-level-inside mode of the checker, for the feature query of an ML job (docs/ml.md
// "Feature query"): rows go to XGBoost inside the clean room and never leave, so row-level
// output is allowed, but only of what the owners allowed for machine learning.
#include <algorithm>

#include "checker_internal.h"
#include "ml_feature_dependencies.h"

namespace cleanroom::privacy::internal {
namespace {

Status NotAllowed(const Origin& o, const char* as, const char* list) {
  return Status::PermissionDenied(
      "ML feature rule: column " + o.column + " of dataset " + o.dataset + " may not be " + as +
      ": its owner did not allow it (policy.machineLearning." + list + ")");
}

}  // namespace

Result<MlFeatureLayout> CheckMlFeatures(CheckContext& ctx, const sql::LogicalPlan& plan,
                                        const std::set<std::string>& read) {
  const std::string& label = ctx.policies->ml->label;
  MlFeatureLayout layout;
  for (const std::string& ds : read) {
    const DatasetPolicy* p = ctx.PolicyOf(ds);
    if (p == nullptr || !p->machine_learning.has_value()) {
      return Status::PermissionDenied("ML feature rule: dataset " + ds +
                                      " does not allow machine learning (its policy has no "
                                      "machineLearning)");
    }
    if (p->privacy_unit.empty()) {
      return Status::PermissionDenied("ML feature rule: dataset " + ds +
                                      " has no privacy unit, so the units a model is trained on "
                                      "cannot be counted");
    }
    layout.min_training_units[ds] = p->machine_learning->min_training_units;
    layout.min_leaf_units[ds] = std::max(p->machine_learning->min_leaf_units, p->min_group_units);
  }
  bool label_found = false;
  for (const auto& column : plan.Output()) {
    const std::string name = sql::ToLowerAscii(column.name);
    Trace trace = ctx.lineage.OfBinding(column.binding);
    // A privacy unit passed through unchanged is a unit key: counted, never a feature.
    if (trace.identity && trace.origins.size() == 1 && !trace.aggregated) {
      const Origin& o = *trace.origins.begin();
      const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
      if (p != nullptr && p->privacy_unit == o.column) {
        if (name == label) {
          return Denied("ML feature rule", o, ColumnRole::kPrivacyUnit, "may not be the label");
        }
        layout.uses.push_back(MlFeatureLayout::Use::kUnitKey);
        layout.unit_dataset.push_back(o.dataset);
        continue;
      }
    }
    const bool is_label = !label.empty() && name == label;
    if (is_label && label_found) {
      return Status::InvalidArgument("ML feature rule: the feature query outputs the label " +
                                     label + " twice");
    }
    label_found = label_found || is_label;
    // Everything the value depends on, not only its arguments: a window's order keys, a CASE
    // condition or a subquery's filter carry a label or an identity into a feature as well.
    for (const Origin& o : MlDependencies(ctx, column.binding)) {
      const DatasetPolicy* p = ctx.PolicyOf(o.dataset);
      if (p == nullptr) continue;
      ColumnRole role = p->RoleOf(o.column);
      if (role == ColumnRole::kJoin || role == ColumnRole::kPrivacyUnit) {
        return Denied("ML feature rule", o, role,
                      is_label ? "only joins: it may not feed the label"
                               : "only joins: it may not feed a feature");
      }
      const MlDatasetPolicy& ml = *p->machine_learning;  // every dataset read has one (above)
      if (is_label && !ml.labels.count(o.column)) return NotAllowed(o, "a label", "labels");
      if (!is_label && !ml.features.count(o.column)) return NotAllowed(o, "a feature", "features");
    }
    layout.uses.push_back(is_label ? MlFeatureLayout::Use::kLabel : MlFeatureLayout::Use::kFeature);
    layout.unit_dataset.emplace_back();
  }
  if (!label.empty() && !label_found) {
    return Status::InvalidArgument("ML feature rule: the feature query does not output the label " +
                                   label);
  }
  for (const auto& [ds, floor] : layout.min_training_units) {
    (void)floor;
    bool keyed = false;
    for (const std::string& d : layout.unit_dataset) keyed = keyed || d == ds;
    if (!keyed) {
      return Status::InvalidArgument(
          "ML feature rule: the feature query must output the privacy "
          "unit of dataset " +
          ds +
          " unchanged (a unit key: it is counted for the training "
          "floor and never used as a feature)");
    }
  }
  return layout;
}

}  // namespace cleanroom::privacy::internal
