// The wire messages: what one side writes the other reads back unchanged, and what either side
// refuses (unknown fields, missing fields, keys that do not match the work order, bounds).
#include <gtest/gtest.h>

#include <functional>

#include "govwire/key_release.h"
#include "govwire/run_record.h"
#include "govwire/work_order.h"

namespace cleanroom::govwire {
namespace {

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

WorkOrder SampleWork() {
  WorkOrder work;
  work.query = {"q1", kHashA, Json{{"name", "n"}, {"steps", {"SELECT 1"}}}};
  work.datasets.push_back({"Customers", 2, kHashB, Json{{"name", "customers"}, {"keyId", "ab"}}});
  work.recipients.push_back({"m1", "PEM"});
  work.budget.push_back({"customers", 2, "laplace", "0.5", "0", ""});
  return work;
}

KeyReleaseReply SampleReply() {
  KeyReleaseReply reply;
  reply.run_id = "r7";
  reply.seqno = 42;
  reply.keys.push_back({"customers", 2, "ab", {Bytes{1, 2}, Bytes{3, 4, 5}}});
  reply.token = {Bytes{6}, Bytes{7, 8}};
  reply.work = SampleWork();
  return reply;
}

TEST(KeyReleaseReply, RoundTrips) {
  auto back = KeyReleaseReply::FromJson(SampleReply().ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->run_id, "r7");
  EXPECT_EQ(back->seqno, 42u);
  ASSERT_EQ(back->keys.size(), 1u);
  EXPECT_EQ(back->keys[0].key.sealed, (Bytes{3, 4, 5}));
  EXPECT_EQ(back->token.enc, Bytes{6});
  EXPECT_EQ(back->work.datasets[0].document_hash, kHashB);
  EXPECT_EQ(back->work.query.document["steps"][0], "SELECT 1");
  EXPECT_EQ(back->ToJson(), SampleReply().ToJson());
}

TEST(KeyReleaseReply, AModelEntryIsMarkedAndTheMarkRoundTrips) {
  KeyReleaseReply reply = SampleReply();
  reply.keys.push_back({"risk", 1, "cd", {Bytes{1}, Bytes{2}}});
  reply.work.datasets.push_back({"risk", 1, kHashA, Json{{"name", "risk"}}, true});
  Json body = reply.ToJson();
  EXPECT_FALSE(body["work"]["datasets"][0].contains("model"));  // a dataset carries no mark
  EXPECT_EQ(body["work"]["datasets"][1]["model"], true);
  auto back = KeyReleaseReply::FromJson(body);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->work.datasets[0].model);
  EXPECT_TRUE(back->work.datasets[1].model);
  // The mark is true or absent: anything else is refused, never read as "not a model".
  for (const Json& bad : {Json(false), Json("yes"), Json(1)}) {
    Json doctored = body;
    doctored["work"]["datasets"][1]["model"] = bad;
    auto parsed = KeyReleaseReply::FromJson(doctored);
    ASSERT_FALSE(parsed.ok()) << bad.dump();
    EXPECT_NE(parsed.status().message().find(".model"), std::string::npos);
  }
}

TEST(KeyReleaseReply, RefusesUnknownFieldsAtEveryLevel) {
  for (const char* pointer : {"", "/token", "/work", "/work/query", "/work/datasets/0",
                              "/work/recipients/0", "/keys/0"}) {
    Json body = SampleReply().ToJson();
    body[Json::json_pointer(pointer)]["extra"] = 1;
    auto parsed = KeyReleaseReply::FromJson(body);
    ASSERT_FALSE(parsed.ok()) << pointer;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("unknown field 'extra'"), std::string::npos);
  }
}

TEST(KeyReleaseReply, RefusesKeysThatDoNotMatchTheWorkOrder) {
  Json other_dataset = SampleReply().ToJson();
  other_dataset["keys"][0]["dataset"] = "orders";
  EXPECT_FALSE(KeyReleaseReply::FromJson(other_dataset).ok());
  Json other_version = SampleReply().ToJson();
  other_version["keys"][0]["version"] = 1;
  EXPECT_FALSE(KeyReleaseReply::FromJson(other_version).ok());
  Json missing_key = SampleReply().ToJson();
  missing_key["keys"] = Json::array();
  EXPECT_FALSE(KeyReleaseReply::FromJson(missing_key).ok());
  Json not_base64 = SampleReply().ToJson();
  not_base64["token"]["sealed"] = "***";
  EXPECT_FALSE(KeyReleaseReply::FromJson(not_base64).ok());
  Json bad_hash = SampleReply().ToJson();
  bad_hash["work"]["query"]["hash"] = "abc";
  EXPECT_FALSE(KeyReleaseReply::FromJson(bad_hash).ok());
  Json no_steps = SampleReply().ToJson();
  no_steps["work"]["query"]["document"].erase("steps");
  EXPECT_FALSE(KeyReleaseReply::FromJson(no_steps).ok());
}

RunRecord SampleRecord() {
  RunRecord record;
  record.run = "r7";
  record.query = "q1";
  record.query_hash = kHashA;
  record.state = RunState::kSucceeded;
  record.inputs.push_back({"customers", 2, kHashB, kHashA, {{"loaded", 3}}});
  record.rows_out = 10;
  record.suppressed.push_back({"minGroupUnits", 2});
  record.output_format = "csv";
  record.output_hash = kHashB;
  record.evidence_kind = "simulated";
  record.evidence_digest = "dd";
  record.evidence_insecure = true;
  record.timings_ms = {{"total", 9}};
  record.finished_at = 1700000000;
  record.runtime_key = "PEM";
  record.budget.push_back({"customers", 2, "gaussian", "1", "0.000001", "9/1073741824"});
  return record;
}

TEST(RunRecord, RoundTrips) {
  Json json = SampleRecord().ToJson();
  auto back = RunRecord::FromJson(json, "record");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), json);
  EXPECT_EQ(back->suppressed[0].rows, 2u);
  EXPECT_TRUE(back->evidence_insecure);
}

TEST(RunRecord, RefusesWhatAReaderCouldMisread) {
  Json unknown = SampleRecord().ToJson();
  unknown["noise"] = "on";
  EXPECT_FALSE(RunRecord::FromJson(unknown, "record").ok());
  Json running = SampleRecord().ToJson();
  running["state"] = "running";
  EXPECT_FALSE(RunRecord::FromJson(running, "record").ok());
  Json failed_without_reason = SampleRecord().ToJson();
  failed_without_reason["state"] = "failed";
  failed_without_reason.erase("outputHash");
  EXPECT_FALSE(RunRecord::FromJson(failed_without_reason, "record").ok());
  failed_without_reason["reason"] = "Internal: x";
  EXPECT_TRUE(RunRecord::FromJson(failed_without_reason, "record").ok());
  Json failed_with_output = failed_without_reason;
  failed_with_output["outputHash"] = kHashA;
  EXPECT_FALSE(RunRecord::FromJson(failed_with_output, "record").ok());
  Json negative_rows = SampleRecord().ToJson();
  negative_rows["rowsOut"] = -1;
  EXPECT_FALSE(RunRecord::FromJson(negative_rows, "record").ok());
  Json many_timings = SampleRecord().ToJson();
  for (int i = 0; i < 40; ++i) many_timings["timingsMs"]["t" + std::to_string(i)] = i;
  EXPECT_FALSE(RunRecord::FromJson(many_timings, "record").ok());
}

// The budget charges a work order carries and a record states: read back as written, refused
// when a field is unknown or the mechanism and rho disagree.
TEST(RunBudgetCharge, RoundTripsInTheWorkOrderAndTheRecord) {
  auto work = WorkOrder::FromJson(SampleWork().ToJson(), "work");
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  ASSERT_EQ(work->budget.size(), 1u);
  EXPECT_EQ(work->budget[0], SampleWork().budget[0]);
  auto record = RunRecord::FromJson(SampleRecord().ToJson(), "record");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->budget, SampleRecord().budget);

  Json gaussian_without_rho = SampleRecord().ToJson();
  gaussian_without_rho["budget"][0].erase("rho");
  EXPECT_FALSE(RunRecord::FromJson(gaussian_without_rho, "record").ok());
  Json unknown = SampleWork().ToJson();
  unknown["budget"][0]["refund"] = true;
  EXPECT_FALSE(WorkOrder::FromJson(unknown, "work").ok());
  Json other_mechanism = SampleWork().ToJson();
  other_mechanism["budget"][0]["mechanism"] = "exponential";
  EXPECT_FALSE(WorkOrder::FromJson(other_mechanism, "work").ok());
}

// An ML job's outcome (docs/ml.md): typed, succeeded runs only, nothing unread.
TEST(RunRecord, CarriesAnMlJobsOutcome) {
  RunRecord record = SampleRecord();
  record.job = {{"kind", "training"},  {"features", {"age", "claims"}},
                {"trainingRows", 960}, {"heldOutRows", 240},
                {"boostedRounds", 20}, {"metrics", {{"auc", 0.91}, {"logloss", nullptr}}}};
  Json json = record.ToJson();
  auto back = RunRecord::FromJson(json, "record");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), json);
  EXPECT_EQ(back->job["boostedRounds"], 20);
  auto refused = [&json](const std::function<void(Json&)>& change) {
    Json changed = json;
    change(changed);
    return !RunRecord::FromJson(changed, "record").ok();
  };
  EXPECT_TRUE(refused([](Json& j) { j["job"]["rows"] = 3; }));
  EXPECT_TRUE(refused([](Json& j) { j["job"]["kind"] = "clustering"; }));
  EXPECT_TRUE(refused([](Json& j) { j["job"]["trainingRows"] = -1; }));
  EXPECT_TRUE(refused([](Json& j) { j["job"]["metrics"]["auc"] = "high"; }));
  EXPECT_TRUE(refused([](Json& j) { j["job"].erase("features"); }));
  EXPECT_TRUE(refused([](Json& j) {
    j["state"] = "failed";
    j["reason"] = "Internal: x";
    j.erase("outputHash");
  }));
}

TEST(RuntimeRunList, ParsesStatesAsTheEnum) {
  RuntimeRunList list{{{"r1", RunState::kRequested}, {"r2", RunState::kFailed}}};
  auto back = RuntimeRunList::FromJson(list.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->runs[1].state, RunState::kFailed);
  Json unknown_state = list.ToJson();
  unknown_state["runs"][0]["state"] = "paused";
  EXPECT_FALSE(RuntimeRunList::FromJson(unknown_state).ok());
}

TEST(ParseJson, IsBoundedInDepthAndValues) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto parsed = ParseJson(deep, "body");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("deeper than 64"), std::string::npos);
  std::string wide = "[";
  for (int i = 0; i < 200001; ++i) wide += i ? ",0" : "0";
  wide += "]";
  EXPECT_FALSE(ParseJson(wide, "body").ok());
}

}  // namespace
}  // namespace cleanroom::govwire
