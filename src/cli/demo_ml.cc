// The ML part of `cleanroom demo` (docs/ml.md): the advertiser trains a loyalty model on the
// publisher's impressions (features the publisher allows for ML) labelled by its own customers'
// loyalty tier, reads the held-out metric from the signed run record, opens the model and
// publishes it; the publisher scores its own impressions with it and alone receives the
// predictions.
#include <filesystem>

#include "base/file.h"
#include "cli/demo_parties.h"
#include "crypto/identity.h"
#include "runtime/model_publish.h"
#include "runtime/sealed_result.h"

namespace cleanroom::cli {
namespace {

using govwire::Json;

// `proposer` proposes `job`; every other approver approves its hash. Returns (id, hash).
Result<std::pair<std::string, std::string>> AgreeOnJob(DemoWorld& world,
                                                       const std::string& proposer,
                                                       const Json& job) {
  CR_ASSIGN_OR_RETURN(Json proposed, Write(*world.party(proposer).client, "/v1/jobs", "job.propose",
                                           {{"job", job}}));
  std::string id = proposed["result"].value("id", "");
  std::string hash = proposed["result"].value("queryHash", "");
  const std::string kind = job.value("kind", "");
  Say(proposer + " proposes " + id + (kind == "inference" ? ", an " : ", a ") + kind +
      " job; governance checked its feature query (row-level inside, features "
      "the owners allow): approvers are the owners of the data read and of the model");
  CR_ASSIGN_OR_RETURN(Json view, Get(*world.party(proposer).client, "/v1/queries/" + id));
  for (const auto& approver : view["pendingVotes"]) {
    for (DemoParty& p : world.parties()) {
      if (p.client->member_id() != approver.get<std::string>()) continue;
      CR_RETURN_IF_ERROR(Write(*p.client, "/v1/queries/" + id + "/votes", "query.accept",
                               {{"query", id}, {"queryHash", hash}})
                             .status());
      Say("  " + p.name + " approves it");
    }
  }
  return std::make_pair(id, hash);
}

// Who can open run `run`'s sealed output: name -> bytes.
Result<std::map<std::string, Bytes>> Open(DemoWorld& world, const std::string& run) {
  CR_ASSIGN_OR_RETURN(Json view, Get(*world.party("advertiser").client, "/v1/runs/" + run));
  if (view.value("state", "") != "succeeded") {
    return Status::Internal("demo: run " + run + " is " + view.value("state", "") + ": " +
                            view.value("reason", ""));
  }
  std::map<std::string, Bytes> opened;
  for (DemoParty& p : world.parties()) {
    CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, crypto::LoadIdentity(p.identity_dir));
    auto output = runtime::OpenSealedResult(world.storage(), run, identity,
                                            view["report"]["record"].value("outputHash", ""));
    if (output.ok()) opened[p.name] = std::move(output).value();
  }
  return opened;
}

}  // namespace

Status RunMlJobs(DemoWorld& world, const std::string& dir) {
  const std::string advertiser = world.party("advertiser").client->member_id();
  const std::string publisher = world.party("publisher").client->member_id();
  Json training = {
      {"name", "loyalty_model"},
      {"kind", "training"},
      {"steps",
       {"SELECT c.hashed_email, i.hashed_email AS impression_person, i.cost, i.campaign_id,\n"
        "       CASE WHEN c.loyalty_tier IN ('gold', 'platinum') THEN 1 ELSE 0 END AS loyal\n"
        "FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email"}},
      {"label", "loyal"},
      // min_child_weight 25: at least 100 rows a leaf (the logistic hessian is at most 1/4 a
      // row), so that every leaf holds the owners' floor of 25 people (docs/ml.md).
      {"training",
       {{"rounds", 20},
        {"params",
         {{"objective", "binary:logistic"},
          {"max_depth", 4},
          {"min_child_weight", 25},
          {"seed", 7}}}}},
      {"evaluation", {{"heldOutFraction", 0.2}, {"metrics", {"auc", "logloss"}}}},
      {"recipients", {advertiser}}};
  CR_ASSIGN_OR_RETURN(auto job, AgreeOnJob(world, "advertiser", training));
  CR_ASSIGN_OR_RETURN(std::string run, RequestAndRun(world, job.first, job.second, "advertiser"));
  CR_ASSIGN_OR_RETURN(Json view, Get(*world.party("advertiser").client, "/v1/runs/" + run));
  const Json& outcome = view["report"]["record"]["job"];
  Say("  trained on " + std::to_string(outcome.value("trainingRows", 0)) + " rows, " +
      std::to_string(outcome.value("boostedRounds", 0)) + " trees; held-out metrics (" +
      std::to_string(outcome.value("heldOutRows", 0)) +
      " rows, aggregates only): " + outcome.value("metrics", Json::object()).dump());
  CR_ASSIGN_OR_RETURN(auto models, Open(world, run));
  if (!models.count("advertiser")) return Status::Internal("demo: the model did not open");
  const std::string model_file = dir + "/results/loyalty_model.json";
  CR_RETURN_IF_ERROR(WriteFileAtomic(model_file, AsStringView(models["advertiser"]), 0600));
  Say("  only the advertiser opens the model (" + std::to_string(models.size()) +
      " recipient) -> " + model_file);

  runtime::ModelPublishRequest request{model_file, "loyalty", {{"inferenceFor", {publisher}}}};
  CR_ASSIGN_OR_RETURN(runtime::PublishedDataset published,
                      runtime::PublishModel(request, world.storage()));
  CR_ASSIGN_OR_RETURN(Json registered, Write(*world.party("advertiser").client, "/v1/models",
                                             "model.register", {{"model", published.document}}));
  CR_ASSIGN_OR_RETURN(govwire::ApiReply secret,
                      govwire::StoreDatasetKey(*world.party("advertiser").client, "loyalty",
                                               registered["result"].value("version", int64_t{1}),
                                               published.document["keyId"], published.key.bytes()));
  CR_RETURN_IF_ERROR(secret.ToStatus());
  Say("advertiser publishes the model 'loyalty' encrypted like a dataset, key sealed with "
      "governance; its policy lets it score the publisher's rows only");

  Json inference = {{"name", "score_impressions"},
                    {"kind", "inference"},
                    {"model", "loyalty"},
                    {"steps", {"SELECT hashed_email, cost, campaign_id FROM impressions"}},
                    {"output", {{"decimals", 4}}},
                    {"recipients", {publisher}}};
  CR_ASSIGN_OR_RETURN(job, AgreeOnJob(world, "publisher", inference));
  CR_ASSIGN_OR_RETURN(run, RequestAndRun(world, job.first, job.second, "publisher"));
  CR_ASSIGN_OR_RETURN(auto predictions, Open(world, run));
  for (DemoParty& p : world.parties()) {
    size_t lines = 0;
    if (predictions.count(p.name)) {
      for (uint8_t b : predictions[p.name]) lines += b == '\n';
      SecureWipe(predictions[p.name]);
    }
    Say("  " + p.name + " received " + std::to_string(lines > 0 ? lines - 1 : 0) + " predictions");
  }
  return Status::OK();
}

}  // namespace cleanroom::cli
