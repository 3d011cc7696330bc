// `cleanroom query propose|list|show|approve|reject|withdraw|enable|disable`: queries, their
// approval by the owners of the datasets they read, and approvers' switches.
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "crypto/identity.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::ClientFlags;
using govwire::Json;

struct ProposeFlags {
  ClientFlags client;
  std::string document_file;
  std::string name;
  std::vector<std::string> steps;
  std::vector<std::string> step_files;
  std::string guards, privacy;  // JSON text
  std::string output_format;
  std::vector<std::string> recipients, runners;  // member ids or identity directories
};

// A member named by id (64 hex digits) or by its identity directory.
Result<std::string> MemberId(const std::string& text) {
  struct stat st;
  if (::stat(text.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    CR_ASSIGN_OR_RETURN(crypto::MemberPublicIdentity id, crypto::LoadPublicIdentity(text));
    return id.member_id;
  }
  return govwire::NormalizeSha256Hex(text, "member id");
}

Result<Json> BuildQuery(const ProposeFlags& f) {
  Json q = Json::object();
  if (!f.document_file.empty()) {
    CR_ASSIGN_OR_RETURN(q, govwire::ReadJsonFile(f.document_file));
  }
  if (!f.name.empty()) q["name"] = f.name;
  std::vector<std::string> steps = f.steps;
  for (const std::string& file : f.step_files) {
    CR_ASSIGN_OR_RETURN(std::string sql, ReadFileToString(file));
    steps.push_back(sql);
  }
  if (!steps.empty()) q["steps"] = steps;
  if (!f.guards.empty()) {
    CR_ASSIGN_OR_RETURN(q["guards"], govwire::ParseJson(f.guards, "--guards"));
  }
  if (!f.privacy.empty()) {
    CR_ASSIGN_OR_RETURN(q["privacy"], govwire::ParseJson(f.privacy, "--privacy"));
  }
  if (!f.output_format.empty()) q["outputFormat"] = f.output_format;
  for (auto [flag, list] :
       {std::pair{"recipients", &f.recipients}, std::pair{"runners", &f.runners}}) {
    if (list->empty()) continue;
    Json ids = Json::array();
    for (const std::string& m : *list) {
      CR_ASSIGN_OR_RETURN(std::string id, MemberId(m));
      ids.push_back(id);
    }
    q[flag] = ids;
  }
  return q;
}

// A JSON value for people: strings as they are, lists joined, anything else as compact JSON.
std::string Plain(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ", ") + Plain(item);
    return out;
  }
  return value.dump();
}

// Governance's checked summary of the query: what each output column is made of and the
// privacy rules that apply to it.
void PrintCheck(const Json& check) {
  if (check.is_object() && check.contains("features")) {  // an ML job (docs/ml.md)
    std::printf("checked by governance (ML feature query, rows stay inside): %s\n",
                check.value("verdict", "").c_str());
    std::printf("  features: %s\n", Plain(check["features"]).c_str());
    if (check.contains("label")) std::printf("  label: %s\n", Plain(check["label"]).c_str());
    for (const auto& [dataset, units] : check.value("minTrainingUnits", Json::object()).items()) {
      std::printf("  training floor on %s: %s distinct privacy units\n", dataset.c_str(),
                  units.dump().c_str());
    }
    for (const auto& [dataset, units] : check.value("minLeafUnits", Json::object()).items()) {
      std::printf("  leaf and held-out floor on %s: %s distinct privacy units\n", dataset.c_str(),
                  units.dump().c_str());
    }
    return;
  }
  if (!check.is_object() || !check.contains("summary")) {
    std::printf("checked summary: none recorded\n");
    return;
  }
  const Json& summary = check["summary"];
  std::printf("checked by governance: %s\n", check.value("verdict", "").c_str());
  for (const auto& c : summary.value("columns", Json::array())) {
    const Json sources = c.value("sources", Json::array());
    std::printf("  output column %s: from %s, %s\n", c.value("name", "").c_str(),
                sources.empty() ? "rows (no column)" : Plain(sources).c_str(),
                c.value("aggregated", false) ? "aggregated" : "NOT aggregated");
  }
  for (const auto& f : summary.value("floors", Json::array())) {
    const Json owner = f.value("owner", Json::object());
    std::printf(
        "  floors on %s: at least %lld rows, groups of at least %lld distinct privacy units"
        " (the owner's own: %lld rows, %lld units)\n",
        f.value("dataset", "").c_str(), static_cast<long long>(f.value("minRowCount", int64_t{0})),
        static_cast<long long>(f.value("minGroupUnits", int64_t{0})),
        static_cast<long long>(owner.value("minRowCount", int64_t{0})),
        static_cast<long long>(owner.value("minGroupUnits", int64_t{0})));
  }
  for (const auto& rule : summary.value("suppressionRules", Json::array())) {
    std::printf("  suppression: %s\n", Plain(rule).c_str());
  }
  for (const auto& filter : summary.value("postFilters", Json::array())) {
    std::printf("  post-filter: %s\n", Plain(filter).c_str());
  }
}

void PrintQuery(const Json& q, const MemberNames& names) {
  std::printf("query %s (%s) %s%s\nhash %s\nproposer %s\n", q["id"].get<std::string>().c_str(),
              q["name"].get<std::string>().c_str(), q["state"].get<std::string>().c_str(),
              q["enabled"].get<bool>() ? "" : ", SWITCHED OFF",
              q["queryHash"].get<std::string>().c_str(), names.Of(q["proposer"]).c_str());
  for (const auto& a : q["approvers"]) {
    std::string id = a;
    std::string vote =
        q["votes"].contains(id) ? q["votes"][id]["vote"].get<std::string>() : "pending";
    std::printf("approver %s %s\n", names.Of(id).c_str(), vote.c_str());
  }
  for (const auto& m : q["disabledBy"]) std::printf("switched off by %s\n", names.Of(m).c_str());
  const Json& bound = q["bound"];
  for (const auto& d : bound["datasets"]) {
    std::printf("reads %s v%d of %s\n", d["name"].get<std::string>().c_str(),
                d["version"].get<int>(), names.Of(d["owner"]).c_str());
  }
  const Json& doc = bound["query"];
  int i = 0;
  for (const auto& s : doc["steps"])
    std::printf("step %d: %s\n", ++i, s.get<std::string>().c_str());
  std::printf("recipients: %s\n", names.List(doc.value("recipients", Json::array())).c_str());
  Json runners = doc.value("runners", Json::array());
  if (runners.empty()) runners.push_back(q["proposer"]);
  std::printf("runners: %s\noutput format: %s\n", names.List(runners).c_str(),
              doc.value("outputFormat", "csv").c_str());
  Json guards = doc.value("guards", Json::object());
  std::printf("guards: %s\n",
              guards.empty() ? "none beyond the datasets' floors" : guards.dump().c_str());
  std::printf("differential privacy: none\n");
  PrintCheck(bound.value("check", Json()));
}

void PrintList(const Json& body) {
  for (const auto& q : InNumericOrder(body["queries"])) {
    std::printf("%-6s %-24s %-10s %s approvers %zu\n", q["id"].get<std::string>().c_str(),
                q["name"].get<std::string>().c_str(), q["state"].get<std::string>().c_str(),
                q["enabled"].get<bool>() ? "on " : "OFF", q["approvers"].size());
  }
}

struct IdFlags {
  ClientFlags client;
  std::string id;
  std::string hash;
};

// Votes on the query's exact hash: the one given, or the one the service shows.
Status Vote(const IdFlags& f, bool accept) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  std::string hash = f.hash;
  if (hash.empty()) {
    CR_ASSIGN_OR_RETURN(ApiReply q, client->Get("/v1/queries/" + f.id));
    CR_RETURN_IF_ERROR(q.ToStatus());
    if (!q.body.contains("queryHash") || !q.body["queryHash"].is_string()) {
      return Status::NotFound("query '" + f.id + "' does not exist");
    }
    hash = q.body["queryHash"];
    if (!f.client.json)
      std::printf("%s query %s, hash %s\n", accept ? "approving" : "rejecting", f.id.c_str(),
                  hash.c_str());
  }
  return govwire::PrintReply(
      client->Write("/v1/queries/" + f.id + "/votes", accept ? "query.accept" : "query.reject",
                    {{"query", f.id}, {"queryHash", hash}}),
      f.client.json, govwire::PrintWriteResult);
}

Status Simple(const IdFlags& f, const std::string& suffix, const std::string& type) {
  return govwire::WriteAndPrint(f.client, "/v1/queries/" + f.id + "/" + suffix, type,
                                {{"query", f.id}});
}

void SetupQuery(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "query", "Queries and their approval");
  group->require_subcommand(1);
  auto report = [&exit_code](const Status& st) { exit_code.value = st.ok() ? 0 : ReportError(st); };

  auto p = std::make_shared<ProposeFlags>();
  CLI::App* pc = group->add_subcommand(
      "propose", "Propose a query; its approvers are the owners of the datasets it reads");
  govwire::AddClientFlags(pc, &p->client);
  pc->add_option("--document", p->document_file, "The query document as a JSON file");
  pc->add_option("--name", p->name, "The query's name");
  pc->add_option("--sql", p->steps, "A step of SQL (repeat: earlier steps define temp views)");
  pc->add_option("--sql-file", p->step_files, "A step of SQL from a file (repeatable)");
  pc->add_option("--guards", p->guards, "Guards as JSON");
  pc->add_option("--privacy", p->privacy,
                 "Differential-privacy settings as JSON (docs/differential-privacy.md; validated, "
                 "then refused until DP execution exists)");
  pc->add_option("--output-format", p->output_format, "csv, parquet or ndjson");
  pc->add_option("--recipient", p->recipients, "A recipient: member id or identity directory");
  pc->add_option("--runner", p->runners, "A member allowed to run it (default: you)");
  pc->callback([p, report] {
    report([&]() -> Status {
      CR_ASSIGN_OR_RETURN(Json q, BuildQuery(*p));
      CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(p->client));
      return govwire::PrintReply(client->Write("/v1/queries", "query.propose", {{"query", q}}),
                                 p->client.json, govwire::PrintWriteResult);
    }());
  });

  auto list = std::make_shared<ClientFlags>();
  CLI::App* l = group->add_subcommand("list", "List the queries");
  govwire::AddClientFlags(l, list.get());
  l->callback([list, report] { report(govwire::GetAndPrint(*list, "/v1/queries", PrintList)); });

  auto show = std::make_shared<IdFlags>();
  CLI::App* s =
      group->add_subcommand("show",
                            "Show a query: SQL, datasets, approvers and votes, recipients, "
                            "runners, guards and governance's checked summary");
  govwire::AddClientFlags(s, &show->client);
  s->add_option("id", show->id, "The query id")->required();
  s->callback([show, report] {
    report(ShowWithNames(show->client, "/v1/queries/" + show->id, PrintQuery));
  });

  for (bool accept : {true, false}) {
    auto v = std::make_shared<IdFlags>();
    CLI::App* vc = group->add_subcommand(
        accept ? "approve" : "reject",
        accept ? "Approve a query by its exact hash" : "Reject a query (one rejection rejects it)");
    govwire::AddClientFlags(vc, &v->client);
    vc->add_option("id", v->id, "The query id")->required();
    vc->add_option("--hash", v->hash, "The query hash you reviewed (default: the service's)");
    vc->callback([v, accept, report] { report(Vote(*v, accept)); });
  }

  struct Verb {
    const char* name;
    const char* suffix;
    const char* type;
    const char* help;
  };
  for (Verb verb :
       {Verb{"withdraw", "withdraw", "query.withdraw", "Withdraw your proposal"},
        Verb{"enable", "consent", "query.enable", "Release your switch on a query"},
        Verb{"disable", "consent", "query.disable", "Switch a query you approve off"}}) {
    auto f = std::make_shared<IdFlags>();
    CLI::App* c = group->add_subcommand(verb.name, verb.help);
    govwire::AddClientFlags(c, &f->client);
    c->add_option("id", f->id, "The query id")->required();
    c->callback([f, verb, report] { report(Simple(*f, verb.suffix, verb.type)); });
  }
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupQuery);
}  // namespace cleanroom::cli
