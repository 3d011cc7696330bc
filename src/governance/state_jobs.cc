// ML jobs (docs/ml.md): training, fine-tuning and inference proposed and approved like queries,
// bound to a hash. A job is a query record whose document is the job document: votes, switches,
// runs and key release are the query's. Its approvers are the owners of the datasets its feature
// query reads and the owner of its model.
#include <algorithm>

#include "governance/state.h"
#include "ml/documents.h"
#include "privacy/feature_query_check.h"
#include "sql/catalog.h"

namespace cleanroom::governance {
namespace {

// The checks of a job that need the registered documents: the model's policy for this use, the
// feature query in the checker's row-level-inside mode, and a used model's features. The result
// is what approvers review: the checker's verdict and what each output column is.
Result<Json> CheckJob(const ml::JobDocument& job, const std::vector<const Json*>& documents,
                      const std::vector<std::string>& data_owners) {
  const bool uses_model = !job.model.empty();
  const size_t read = documents.size() - (uses_model ? 1 : 0);
  std::optional<ml::ModelDocument> model;
  if (uses_model) {
    Json registered = *documents.back();
    const std::string owner = registered.value("owner", "");
    registered.erase("owner");
    registered.erase("version");
    CR_ASSIGN_OR_RETURN(model, ml::ParseModelDocument(registered));
    CR_RETURN_IF_ERROR(ml::CheckJobAgainstModel(job, *model, owner, data_owners));
  }
  std::vector<privacy::DeclaredDataset> declared;
  for (size_t i = 0; i < read; ++i) {
    CR_ASSIGN_OR_RETURN(privacy::DeclaredDataset d,
                        privacy::DeclaredDatasetFromDocument(documents[i]->dump()));
    declared.push_back(std::move(d));
  }
  CR_ASSIGN_OR_RETURN(privacy::CheckedProgram program,
                      privacy::CheckFeatureQuery(privacy::JoinSteps(job.steps),
                                                 privacy::MlFeatureMode{job.label}, declared));
  Json features = Json::array();
  Json unit_keys = Json::array();
  std::vector<std::string> feature_names;
  for (size_t i = 0; i < program.output.size(); ++i) {
    switch (program.ml->uses[i]) {
      case privacy::MlFeatureLayout::Use::kFeature:
        features.push_back(program.output[i].name);
        feature_names.push_back(sql::ToLowerAscii(program.output[i].name));
        break;
      case privacy::MlFeatureLayout::Use::kUnitKey:
        unit_keys.push_back(
            {{"column", program.output[i].name}, {"dataset", program.ml->unit_dataset[i]}});
        break;
      case privacy::MlFeatureLayout::Use::kLabel:
        break;
    }
  }
  if (model.has_value()) {
    std::vector<std::string> wanted;
    for (const std::string& f : model->features) wanted.push_back(sql::ToLowerAscii(f));
    if (wanted != feature_names) {
      return Status::InvalidArgument("job.steps: the feature query's features must be model " +
                                     model->name + "'s features, in the model's order");
    }
  }
  Json floors = Json::object();
  for (const auto& [dataset, units] : program.ml->min_training_units) floors[dataset] = units;
  Json leaf_floors = Json::object();
  for (const auto& [dataset, units] : program.ml->min_leaf_units) leaf_floors[dataset] = units;
  Json check = {{"verdict", "accepted"},
                {"features", features},
                {"unitKeys", unit_keys},
                {"minTrainingUnits", floors},
                {"minLeafUnits", leaf_floors}};
  if (!job.label.empty()) check["label"] = job.label;
  return check;
}

}  // namespace

Result<Applied> State::ProposeJob(const Action& a, const ApplyContext& context) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "job"}));
  CR_RETURN_IF_ERROR(ActiveMember(a.signer, kRoleAnalyst).status());
  if (!a.payload.contains("job")) return Status::InvalidArgument("payload.job: missing");
  const Json& document = a.payload["job"];
  CR_ASSIGN_OR_RETURN(ml::JobDocument job, ml::ParseJobDocument(document));
  QueryDocument q;
  q.name = job.name;
  q.steps = job.steps;
  q.recipients = job.recipients;
  q.output_format = "csv";
  ProposalChecks checks;
  checks.model_of_job = job.model;
  checks.check = [&job](const std::vector<const Json*>& documents,
                        const std::vector<std::string>& data_owners) {
    return CheckJob(job, documents, data_owners);
  };
  return AddProposal(a, context, document, std::move(q), checks);
}

}  // namespace cleanroom::governance
