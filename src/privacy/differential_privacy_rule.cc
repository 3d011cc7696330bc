// The differential-privacy rule (docs/differential-privacy.md "The model"): a dataset whose owner
// set differentialPrivacy bounds is read only by a differentially private query; a query's
// settings are validated against every DP dataset it reads (narrowing only, epsilon within the
// budget, bounds naming datasets and columns that exist). The DP rewrite (dp_rewrite.cc) then
// runs the shapes it supports and refuses the others as Unimplemented.
#include "privacy/checker_internal.h"

namespace cleanroom::privacy::internal {

Status CheckDifferentialPrivacy(const PolicyFile& policies, const std::set<std::string>& read) {
  std::set<std::string> dp_read;
  for (const std::string& dataset : read) {
    auto it = policies.datasets.find(dataset);
    if (it != policies.datasets.end() && it->second.differential_privacy.has_value()) {
      dp_read.insert(dataset);
    }
  }
  if (!policies.privacy.has_value()) {
    if (dp_read.empty()) return Status::OK();
    return Status::PermissionDenied(
        "differential privacy rule: dataset " + *dp_read.begin() +
        " is read only by differentially private queries (state the query's privacy settings: "
        "epsilon, and delta for the gaussian mechanism)");
  }
  const QueryDpSettings& query = *policies.privacy;
  if (dp_read.empty()) {
    return Status::InvalidArgument(
        "query privacy settings: the query reads no dataset with differentialPrivacy bounds "
        "(differential privacy is per privacy unit; its owner must bound it)");
  }
  for (const std::string& dataset : dp_read) {
    CR_RETURN_IF_ERROR(
        NarrowBounds(*policies.datasets.at(dataset).differential_privacy, query, dataset).status());
  }
  for (const auto& [key, bounds] : query.columns) {
    if (dp_read.count(key.substr(0, key.find('.'))) == 0) {
      return Status::InvalidArgument("query privacy settings: field 'bounds." + key +
                                     "' names a dataset the query does not read with "
                                     "differentialPrivacy bounds");
    }
  }
  return Status::OK();
}

}  // namespace cleanroom::privacy::internal
