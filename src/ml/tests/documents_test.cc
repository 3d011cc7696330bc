// Model and job documents: what each kind of job needs, refusals naming the field, and the rules
// between a job and the model it uses.
#include "ml/documents.h"

#include <gtest/gtest.h>

namespace cleanroom::ml {
namespace {

using nlohmann::json;

json Model() {
  return {
      {"name", "risk"},
      {"format", "xgboost-ubjson"},
      {"features", {"age", "income"}},
      {"objective", "binary:logistic"},
      {"policy",
       {{"inferenceFor", {"insurer"}}, {"fineTuning", true}, {"derivedModelRecipients", {"bank"}}}},
      {"location", "file:///models/risk.enc"},
      {"contentHash", std::string(64, 'A')},
      {"keyId", "risk-1"}};
}

json Training() {
  return {
      {"name", "train risk"},
      {"kind", "training"},
      {"steps",
       {"SELECT b.age, b.income, i.claimed AS label FROM bank b JOIN insurer i ON b.id = i.id"}},
      {"label", "label"},
      {"training",
       {{"rounds", 50}, {"params", {{"objective", "binary:logistic"}, {"max_depth", 4}}}}},
      {"evaluation", {{"heldOutFraction", 0.2}, {"metrics", {"auc", "logloss"}}}},
      {"recipients", {"bank"}}};
}

json Inference() {
  return {{"name", "score insurer"},
          {"kind", "inference"},
          {"steps", {"SELECT age, income FROM insurer_customers"}},
          {"model", "risk"},
          {"output", {{"predictions", "scores"}, {"decimals", 2}}},
          {"recipients", {"insurer"}}};
}

TEST(MlDocuments, ValidDocumentsParse) {
  auto m = ParseModelDocument(Model());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->format, ModelFormat::kUbjson);
  EXPECT_EQ(m->content_hash, std::string(64, 'a'));
  EXPECT_TRUE(m->fine_tuning);
  auto t = ParseJobDocument(Training());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->kind, JobKind::kTraining);
  EXPECT_EQ(t->training->rounds, 50);
  EXPECT_DOUBLE_EQ(t->held_out_fraction, 0.2);
  auto i = ParseJobDocument(Inference());
  ASSERT_TRUE(i.ok()) << i.status().ToString();
  EXPECT_EQ(i->decimals, 2);
  json fine = Training();
  fine["kind"] = "fine-tuning";
  fine["model"] = "risk";
  ASSERT_TRUE(ParseJobDocument(fine).ok());
}

TEST(MlDocuments, RefusalsNameTheField) {
  struct Case {
    json doc;
    bool model;
    const char* field;
  };
  std::vector<Case> cases;
  auto model = [&cases](const char* field, auto edit) {
    json d = Model();
    edit(d);
    cases.push_back({d, true, field});
  };
  auto job = [&cases](json base, const char* field, auto edit) {
    edit(base);
    cases.push_back({base, false, field});
  };
  model("model.format", [](json& d) { d["format"] = "xgboost-binary"; });
  model("model.name", [](json& d) { d["name"] = "risk model"; });
  model("model.features[1]", [](json& d) { d["features"] = {"age", "age"}; });
  model("model.policy.fineTune", [](json& d) { d["policy"]["fineTune"] = true; });
  model("model.policy.derivedModelRecipients", [](json& d) { d["policy"]["fineTuning"] = false; });
  model("model.contentHash", [](json& d) { d["contentHash"] = "abc"; });
  model("model.owner", [](json& d) { d["owner"] = "x"; });
  job(Training(), "job.label", [](json& d) { d.erase("label"); });
  job(Training(), "job.training.params.max_dept",
      [](json& d) { d["training"]["params"]["max_dept"] = 3; });
  job(Training(), "job.model", [](json& d) { d["model"] = "risk"; });
  job(Training(), "job.output", [](json& d) { d["output"] = {{"predictions", "labels"}}; });
  job(Training(), "job.evaluation.heldOutFraction",
      [](json& d) { d["evaluation"]["heldOutFraction"] = 0.9; });
  job(Training(), "job.evaluation.metrics[0]",
      [](json& d) { d["evaluation"]["metrics"] = {"accuracy"}; });
  job(Training(), "job.kind", [](json& d) { d["kind"] = "clustering"; });
  job(Training(), "job.recipients", [](json& d) { d["recipients"] = json::array(); });
  job(Inference(), "job.model", [](json& d) { d.erase("model"); });
  job(Inference(), "job.training", [](json& d) { d["training"] = {{"rounds", 1}}; });
  job(Inference(), "job.label", [](json& d) { d["label"] = "y"; });
  job(Inference(), "job.output.decimals", [](json& d) { d["output"]["decimals"] = 9; });
  job(Inference(), "job.output.decimals", [](json& d) { d["output"]["predictions"] = "labels"; });
  job(Inference(), "job.output.format", [](json& d) { d["output"]["format"] = "csv"; });
  for (const Case& c : cases) {
    Status s = c.model ? ParseModelDocument(c.doc).status() : ParseJobDocument(c.doc).status();
    ASSERT_FALSE(s.ok()) << c.field << " in " << c.doc.dump();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(c.field), std::string::npos)
        << s.message() << " should name " << c.field;
  }
}

TEST(MlDocuments, JobsMustFitTheModelsPolicy) {
  ModelDocument model = *ParseModelDocument(Model());
  JobDocument inference = *ParseJobDocument(Inference());
  // The insurer scores its own rows and receives the predictions.
  EXPECT_TRUE(CheckJobAgainstModel(inference, model, "bank", {"insurer"}).ok());
  // Nobody else receives row-level predictions of the insurer's rows, the model owner included.
  inference.recipients = {"insurer", "bank"};
  EXPECT_EQ(CheckJobAgainstModel(inference, model, "bank", {"insurer"}).code(),
            StatusCode::kPermissionDenied);
  inference.recipients = {"bank"};
  EXPECT_EQ(CheckJobAgainstModel(inference, model, "bank", {"insurer"}).code(),
            StatusCode::kPermissionDenied);
  // Rows joined from two parties cannot be scored row by row.
  inference.recipients = {"insurer"};
  EXPECT_EQ(CheckJobAgainstModel(inference, model, "bank", {"insurer", "retailer"}).code(),
            StatusCode::kPermissionDenied);
  // A member the model's owner did not allow.
  inference.recipients = {"retailer"};
  EXPECT_EQ(CheckJobAgainstModel(inference, model, "bank", {"retailer"}).code(),
            StatusCode::kPermissionDenied);
  // The model's owner may always score its own rows.
  inference.recipients = {"bank"};
  EXPECT_TRUE(CheckJobAgainstModel(inference, model, "bank", {"bank"}).ok());

  json fine_doc = Training();
  fine_doc["kind"] = "fine-tuning";
  fine_doc["model"] = "risk";
  JobDocument fine = *ParseJobDocument(fine_doc);
  EXPECT_TRUE(CheckJobAgainstModel(fine, model, "bank", {"bank", "insurer"}).ok());
  fine.recipients = {"insurer"};  // not among derivedModelRecipients
  EXPECT_EQ(CheckJobAgainstModel(fine, model, "bank", {"bank", "insurer"}).code(),
            StatusCode::kPermissionDenied);
  model.fine_tuning = false;
  fine.recipients = {"bank"};
  EXPECT_EQ(CheckJobAgainstModel(fine, model, "bank", {"bank"}).code(),
            StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace cleanroom::ml
