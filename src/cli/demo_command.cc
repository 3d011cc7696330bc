// `cleanroom demo`: a three-party clean-room collaboration on loopback, end to end, narrated one
// line per step. An advertiser (customers), a publisher (impressions) and a measurement partner
// (conversions) create and accept the collaboration, publish their encrypted datasets with
// privacy policies, approve (and once reject) the analyst's queries; the runtime obtains the
// keys with attested (simulated, INSECURE) evidence, runs the checked queries and seals the
// results to their recipients, who open them; a consent revocation blocks the next run; the
// ledger is verified offline at the end. Everything is left in the directory it names.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/demo_parties.h"
#include "engine/engine.h"
#include "engine/table_printer.h"
#include "govwire/cli_support.h"
#include "ledger/verify.h"
#include "runtime/dataset_publish.h"
#include "runtime/sealed_result.h"
#include "sql/frontend.h"
#include "workload/generator.h"
#include "workload/schema.h"

namespace cleanroom::cli {

using govwire::ApiReply;
using govwire::GovernanceClient;
using govwire::Json;

namespace {
std::chrono::steady_clock::time_point g_start;  // when the demo started
}  // namespace

void Say(const std::string& line) {
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
  std::printf("demo [%5.1fs] %s\n", s, line.c_str());
  std::fflush(stdout);
}

Result<Json> Write(GovernanceClient& client, const std::string& path, const std::string& type,
                   const Json& payload) {
  CR_ASSIGN_OR_RETURN(ApiReply reply, client.Write(path, type, payload));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  return reply.body;
}

Result<Json> Get(GovernanceClient& client, const std::string& path) {
  CR_ASSIGN_OR_RETURN(ApiReply reply, client.Get(path));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  return reply.body;
}

Result<std::string> RequestAndRun(DemoWorld& world, const std::string& id, const std::string& hash,
                                  const std::string& requester) {
  DemoParty& analyst = world.party(requester);
  CR_ASSIGN_OR_RETURN(Json requested, Write(*analyst.client, "/v1/runs", "run.request",
                                            {{"query", id}, {"queryHash", hash}}));
  std::string run = requested["result"].value("run", "");
  Say(requester + " requests run " + run + " of " + id);
  CR_ASSIGN_OR_RETURN(runtime::RuntimeServer * runtime,
                      world.runtime([](const std::string& line) { Say("  runtime: " + line); }));
  CR_RETURN_IF_ERROR(runtime->ProcessPending().status());
  return run;
}

namespace {

using govwire::ApiReply;
using govwire::GovernanceClient;
using govwire::Json;

struct DemoFlags {
  uint64_t scale = 10'000;
  std::string dir;
};

// Each owner's privacy policy (docs/privacy.md): the columns queries may see, the person column,
// what may only be aggregated, and the smallest group of people an output row may describe.
constexpr char kPolicies[] = R"({
  "customers": {"allowedFields": ["hashed_email", "age_band", "region", "loyalty_tier", "lifetime_value"],
                "privacyUnit": "hashed_email",
                "columns": {"lifetime_value": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
                "minGroupUnits": 25,
                "machineLearning": {"labels": ["loyalty_tier"]}},
  "impressions": {"allowedFields": ["hashed_email", "campaign_id", "ts", "cost", "device"],
                  "privacyUnit": "hashed_email",
                  "columns": {"cost": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
                  "minGroupUnits": 25,
                  "machineLearning": {"features": ["cost", "campaign_id"]}},
  "conversions": {"allowedFields": ["hashed_email", "campaign_id", "conversion_ts", "conversion_value"],
                  "privacyUnit": "hashed_email",
                  "columns": {"conversion_value": {"role": "aggregate", "functions": ["SUM", "AVG"]}},
                  "minGroupUnits": 50}
})";

struct DemoQuery {
  const char* name;
  const char* title;
  std::vector<const char*> recipients;
  const char* rejected_by;  // an owner who rejects it, or nullptr
  const char* sql;
};

const std::vector<DemoQuery>& DemoQueries() {
  static const std::vector<DemoQuery> queries = {
      {"audience_overlap",
       "audience overlap: customers the publisher also reached",
       {"advertiser", "publisher"},
       nullptr,
       "SELECT COUNT(DISTINCT c.hashed_email) AS overlap_customers\n"
       "FROM customers c JOIN impressions i ON c.hashed_email = i.hashed_email"},
      {"reach_by_age_band",
       "reach and frequency by age band",
       {"advertiser"},
       nullptr,
       "SELECT c.age_band, COUNT(DISTINCT i.hashed_email) AS reach, COUNT(*) AS impressions\n"
       "FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email\n"
       "GROUP BY c.age_band ORDER BY c.age_band"},
      {"attribution",
       "conversions within 7 days of an impression of the same campaign, by loyalty tier",
       {"advertiser", "measurement"},
       nullptr,
       "SELECT c.loyalty_tier, COUNT(DISTINCT v.hashed_email) AS converters,\n"
       "       SUM(v.conversion_value) AS attributed_value\n"
       "FROM customers c\n"
       "JOIN impressions i ON i.hashed_email = c.hashed_email\n"
       "JOIN conversions v ON v.hashed_email = i.hashed_email AND v.campaign_id = i.campaign_id\n"
       "WHERE v.conversion_ts >= i.ts AND v.conversion_ts < i.ts + INTERVAL 7 DAYS\n"
       "GROUP BY c.loyalty_tier ORDER BY c.loyalty_tier"},
      {"spend_by_device_region",
       "publisher spend by device and customer region",
       {"advertiser"},
       "publisher",
       "SELECT i.device, c.region, SUM(i.cost) AS spend\n"
       "FROM impressions i JOIN customers c ON i.hashed_email = c.hashed_email\n"
       "GROUP BY i.device, c.region"},
  };
  return queries;
}

// The owner of each generated table.
const std::map<std::string, std::string>& Owners() {
  static const std::map<std::string, std::string> owners = {
      {"customers", "advertiser"}, {"impressions", "publisher"}, {"conversions", "measurement"}};
  return owners;
}

Result<std::string> PrepareDirectory(const std::string& requested) {
  if (!requested.empty()) {
    std::error_code error;
    std::filesystem::create_directories(requested, error);
    if (!std::filesystem::is_empty(requested, error) || error) {
      return Status::InvalidArgument("--dir " + requested + ": must be a new or empty directory");
    }
    return requested;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "cleanroom-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::Internal("cannot create a demo directory under " +
                            std::filesystem::temp_directory_path().string());
  }
  return pattern;
}

Status CreateCollaboration(DemoWorld& world) {
  Json members = Json::array();
  for (DemoParty& p : world.parties()) {
    CR_ASSIGN_OR_RETURN(crypto::MemberPublicIdentity id,
                        crypto::LoadPublicIdentity(p.identity_dir));
    CR_ASSIGN_OR_RETURN(Json member, govwire::ContractMember(id, p.roles, p.name));
    members.push_back(member);
  }
  Json contract = {{"name", "advertising measurement demo"},
                   {"members", members},
                   {"allowedMeasurements", {world.measurement()}},
                   {"evidenceKinds", {"simulated"}},
                   {"simulatedPlatformKeys", {world.platform_key_id()}},
                   {"privacyDefaults", Json::object()}};
  DemoParty& advertiser = world.party("advertiser");
  CR_ASSIGN_OR_RETURN(Json proposed,
                      Write(*advertiser.client, "/v1/collab/proposals", "collab.propose",
                            {{"version", 1}, {"contract", contract}}));
  std::string hash = proposed["result"].value("contractHash", "");
  Say("advertiser proposes the collaboration contract (3 members, the runtime measurement " +
      world.measurement().substr(0, 16) + "..., simulated evidence from platform key " +
      world.platform_key_id().substr(0, 16) + "...), hash " + hash.substr(0, 16) + "...");
  for (const char* who : {"publisher", "measurement"}) {
    CR_RETURN_IF_ERROR(Write(*world.party(who).client, "/v1/collab/votes", "collab.accept",
                             {{"version", 1}, {"contractHash", hash}})
                           .status());
    Say(std::string(who) + " accepts that exact hash");
  }
  CR_ASSIGN_OR_RETURN(Json collab, Get(*advertiser.client, "/v1/collab"));
  Say("the collaboration is " + collab.value("state", "") + ": every member accepted it");
  return Status::OK();
}

Status PublishDatasets(DemoWorld& world, const std::string& data_dir) {
  Json policies = Json::parse(kPolicies);
  for (const workload::WorkloadTable& table : workload::WorkloadTables()) {
    DemoParty& owner = world.party(Owners().at(table.name));
    runtime::PublishRequest request;
    request.file = data_dir + "/" + table.name + ".csv";
    request.name = table.name;
    request.format = "csv";
    request.policy = policies[table.name];
    std::vector<sql::Column> schema;
    for (const workload::WorkloadColumn& c : table.columns) {
      CR_ASSIGN_OR_RETURN(sql::DataType type, sql::ParseTypeName(c.spark_type));
      schema.push_back({c.name, type});
    }
    request.schema = schema;
    CR_ASSIGN_OR_RETURN(runtime::PublishedDataset published,
                        runtime::PublishDataset(request, world.storage()));
    auto registered =
        Write(*owner.client, "/v1/datasets", "dataset.register", {{"dataset", published.document}});
    if (!registered.ok()) {
      (void)world.storage().Remove(published.storage_key);
      return registered.status();
    }
    int64_t version = (*registered)["result"].value("version", int64_t{1});
    CR_ASSIGN_OR_RETURN(ApiReply secret, govwire::StoreDatasetKey(
                                             *owner.client, table.name, version,
                                             published.document["keyId"], published.key.bytes()));
    CR_RETURN_IF_ERROR(secret.ToStatus());
    char line[320];
    std::snprintf(line, sizeof(line),
                  "%s publishes %s: %.1f MiB encrypted (AES-256-GCM, %llu chunks) into storage, "
                  "document registered, key sealed with governance; policy: person column "
                  "hashed_email, groups of at least %d people",
                  owner.name.c_str(), table.name.c_str(),
                  published.summary.plaintext_size / 1048576.0,
                  static_cast<unsigned long long>(published.summary.chunk_count),
                  request.policy.value("minGroupUnits", 0));
    Say(line);
  }
  return Status::OK();
}

// Proposes every demo query; the owners approve or reject. Returns name -> (id, hash) of the
// accepted ones.
Result<std::map<std::string, std::pair<std::string, std::string>>> AgreeOnQueries(
    DemoWorld& world) {
  std::map<std::string, std::pair<std::string, std::string>> accepted;
  DemoParty& analyst = world.party("advertiser");
  for (const DemoQuery& q : DemoQueries()) {
    Json recipients = Json::array();
    for (const char* r : q.recipients) recipients.push_back(world.party(r).client->member_id());
    Json doc = {{"name", q.name},
                {"steps", {q.sql}},
                {"outputFormat", "csv"},
                {"recipients", recipients},
                {"runners", {analyst.client->member_id()}}};
    CR_ASSIGN_OR_RETURN(Json proposed,
                        Write(*analyst.client, "/v1/queries", "query.propose", {{"query", doc}}));
    std::string id = proposed["result"].value("id", "");
    CR_ASSIGN_OR_RETURN(Json view, Get(*analyst.client, "/v1/queries/" + id));
    std::string hash = view.value("queryHash", "");
    Say("analyst (advertiser) proposes " + id + ", " + q.title +
        "; governance parsed the SQL: "
        "its approvers are the owners of the datasets it reads (the advertiser approves its own by "
        "proposing)");
    for (const auto& approver : view["pendingVotes"]) {
      for (DemoParty& p : world.parties()) {
        if (p.client->member_id() != approver.get<std::string>()) continue;
        bool reject = q.rejected_by != nullptr && p.name == q.rejected_by;
        CR_RETURN_IF_ERROR(Write(*p.client, "/v1/queries/" + id + "/votes",
                                 reject ? "query.reject" : "query.accept",
                                 {{"query", id}, {"queryHash", hash}})
                               .status());
        Say("  " + p.name +
            (reject ? " REJECTS it (its spend by device stays private)" : " approves it"));
      }
    }
    CR_ASSIGN_OR_RETURN(Json after, Get(*analyst.client, "/v1/queries/" + id));
    Say("  " + id + " is " + after.value("state", ""));
    if (after.value("state", "") == "accepted") accepted[q.name] = {id, hash};
  }
  return accepted;
}

Status PrintResultTable(const std::string& file) {
  CR_ASSIGN_OR_RETURN(auto engine, engine::Engine::Open({.threads = 1}));
  engine::TableSource source;
  source.name = "result";
  source.path = file;
  source.format = engine::Format::kCsv;
  CR_RETURN_IF_ERROR(engine->LoadTable(source));
  CR_RETURN_IF_ERROR(engine->Lock());
  sql::Catalog catalog = engine->catalog();
  CR_ASSIGN_OR_RETURN(auto compiled, sql::CompileScript("SELECT * FROM result", catalog));
  CR_ASSIGN_OR_RETURN(auto result, engine->RunCompiled(compiled));
  uint64_t rows = 0;
  return engine::PrintTable(
      *result,
      [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return Status::OK();
      },
      rows);
}

Status OpenResults(DemoWorld& world, const std::string& dir, const std::string& run) {
  CR_ASSIGN_OR_RETURN(Json view, Get(*world.party("advertiser").client, "/v1/runs/" + run));
  if (view.value("state", "") != "succeeded") {
    Say("run " + run + " is " + view.value("state", "") + ": " + view.value("reason", ""));
    return Status::OK();
  }
  const Json& record = view["report"]["record"];
  std::string output_hash = record.value("outputHash", "");
  bool printed = false;
  for (DemoParty& p : world.parties()) {
    CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, crypto::LoadIdentity(p.identity_dir));
    auto opened = runtime::OpenSealedResult(world.storage(), run, identity, output_hash);
    if (!opened.ok()) {
      Say("  " + p.name + " is not a recipient and cannot open it (" +
          std::string(StatusCodeName(opened.status().code())) + ")");
      continue;
    }
    std::string file = dir + "/results/" + run + "-" + p.name + ".csv";
    Status written = WriteFileAtomic(file, AsStringView(*opened), 0600);
    SecureWipe(*opened);
    CR_RETURN_IF_ERROR(written);
    Say("  " + p.name +
        " opens the result with its X25519 key, output hash verified against "
        "the signed run record -> " +
        file);
    if (!printed) {
      CR_RETURN_IF_ERROR(PrintResultTable(file));
      printed = true;
    }
  }
  int suppressed = 0;
  for (const auto& note : record.value("suppressed", Json::array())) {
    if (note.value("rows", 0) == 0) continue;
    suppressed += note.value("rows", 0);
    Say("  note: " + std::to_string(note.value("rows", 0)) + " row(s) suppressed by " +
        note.value("rule", "") + " (too few people in the group)");
  }
  if (suppressed == 0)
    Say("  note: every output group is above the owners' floors; nothing suppressed");
  return Status::OK();
}

Status AuditLedger(DemoWorld& world) {
  world.StopService();
  ledger::VerifyOptions options;
  options.member_verifier = ledger::CoseMemberSignatureVerifier();
  options.check_request_freshness = true;
  ledger::VerifyReport report;
  CR_RETURN_IF_ERROR(ledger::VerifyLedger(world.ledger_dir(), options, &report));
  Say("cleanroom audit verify --ledger " + world.ledger_dir() + ": ledger OK, " +
      std::to_string(report.entries_checked) + " entries, " +
      std::to_string(report.member_signatures_checked) + " member signatures and " +
      std::to_string(report.tree_heads_checked) + " signed tree heads verified");
  return Status::OK();
}

Status RunDemo(const DemoFlags& flags) {
  g_start = std::chrono::steady_clock::now();
  CR_ASSIGN_OR_RETURN(std::string dir, PrepareDirectory(flags.dir));
  Say("working directory " + dir + " (left in place when the demo ends)");
  workload::WorkloadOptions options;
  options.customers = flags.scale;
  CR_ASSIGN_OR_RETURN(workload::WorkloadSummary summary,
                      workload::GenerateWorkload(options, dir + "/data"));
  Say("generated " + std::to_string(summary.customers) + " customers (advertiser), " +
      std::to_string(summary.impressions) + " impressions (publisher), " +
      std::to_string(summary.conversions) + " conversions (measurement partner) in " + dir +
      "/data; they share only hashed_email");

  CR_ASSIGN_OR_RETURN(std::unique_ptr<DemoWorld> world, DemoWorld::Start(dir));
  Say("identities in " + dir +
      "/members: advertiser (provider, analyst, recipient), publisher "
      "(provider, analyst, recipient), measurement (provider, recipient): ECDSA P-384 signing "
      "keys, "
      "X25519 keys for results");
  Say("governance service on " + world->url() + ", certificate fingerprint " +
      world->fingerprint().substr(0, 16) + "..., ledger in " + world->ledger_dir());
  Say("runtime measurement (SHA-384 of cleanroom and libduckdb) " +
      world->measurement().substr(0, 16) +
      "...; attestation is SIMULATED here (INSECURE: a local platform key signs the report)");
  CR_RETURN_IF_ERROR(CreateCollaboration(*world));
  CR_RETURN_IF_ERROR(PublishDatasets(*world, dir + "/data"));
  CR_ASSIGN_OR_RETURN(auto accepted, AgreeOnQueries(*world));

  std::error_code ignored;
  std::filesystem::create_directories(dir + "/results", ignored);
  for (const DemoQuery& q : DemoQueries()) {
    auto it = accepted.find(q.name);
    if (it == accepted.end()) continue;
    CR_ASSIGN_OR_RETURN(std::string run,
                        RequestAndRun(*world, it->second.first, it->second.second, "advertiser"));
    CR_RETURN_IF_ERROR(OpenResults(*world, dir, run));
  }

  CR_RETURN_IF_ERROR(RunMlJobs(*world, dir));

  const auto& reach = accepted.at("reach_by_age_band");
  DemoParty& analyst = world->party("advertiser");
  CR_ASSIGN_OR_RETURN(Json requested, Write(*analyst.client, "/v1/runs", "run.request",
                                            {{"query", reach.first}, {"queryHash", reach.second}}));
  std::string run = requested["result"].value("run", "");
  Say("advertiser requests run " + run + " of " + reach.first + " again");
  CR_RETURN_IF_ERROR(Write(*world->party("publisher").client, "/v1/datasets/impressions/consent",
                           "dataset.disable", {{"dataset", "impressions"}})
                         .status());
  Say("publisher switches its consent for impressions OFF before the runtime picks the run up");
  CR_ASSIGN_OR_RETURN(runtime::RuntimeServer * runtime,
                      world->runtime([](const std::string& line) { Say("  runtime: " + line); }));
  CR_RETURN_IF_ERROR(runtime->ProcessPending().status());
  CR_ASSIGN_OR_RETURN(Json view, Get(*analyst.client, "/v1/runs/" + run));
  Say("run " + run + " is " + view.value("state", "") + ": " + view.value("reason", "") +
      " (no key was released; the refusal is in the ledger)");

  CR_RETURN_IF_ERROR(AuditLedger(*world));
  Say("done. Files: " + dir +
      "/{data,members,governance,storage,results}; audit again with: "
      "cleanroom audit verify --ledger " +
      dir + "/governance/ledger");
  return Status::OK();
}

void SetupDemo(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* cmd =
      root.add_subcommand("demo", "A three-party clean-room collaboration on loopback, end to end");
  cmd->add_option("--scale", flags->scale, "Advertiser customers to generate")
      ->capture_default_str();
  cmd->add_option("--dir", flags->dir,
                  "A new or empty directory for the demo's files (default: a new one)");
  cmd->callback([flags, &exit_code] {
    Status status = RunDemo(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupDemo);
}  // namespace cleanroom::cli
