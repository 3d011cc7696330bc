// `cleanroom run request|show|list`: runs of accepted queries (the runtime fills them in).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::ClientFlags;
using govwire::Json;

struct RunFlags {
  ClientFlags client;
  std::string id;
  std::string hash;
  double wait_seconds = 0;  // > 0: wait until the run finishes, at most this long
};

// A run for people: its state, why it failed, what the runtime reported (rows, suppression),
// never the raw signed record (`--json` prints everything).
void PrintRun(const Json& r, const MemberNames& names) {
  std::printf("run %s of query %s: %s\nrequested by %s (seqno %llu)\n",
              r["id"].get<std::string>().c_str(), r["query"].get<std::string>().c_str(),
              r["state"].get<std::string>().c_str(), names.Of(r["requester"]).c_str(),
              r["seqno"].get<unsigned long long>());
  if (r.contains("reason") && r["reason"].is_string()) {
    std::printf("failure reason: %s\n", r["reason"].get<std::string>().c_str());
  }
  const Json release = r.value("release", Json());
  if (release.is_object()) {
    const Json evidence = release.value("evidence", Json::object());
    std::printf("keys released (seqno %llu) to a runtime with %s evidence%s, measurement %s\n",
                release.value("seqno", 0ull), evidence.value("kind", "").c_str(),
                evidence.value("insecure", false) ? " (INSECURE: simulated)" : "",
                evidence.value("measurement", "").c_str());
    for (const auto& key : release.value("keys", Json::array())) {
      std::printf("  key of %s v%lld\n", key.value("dataset", "").c_str(),
                  static_cast<long long>(key.value("version", int64_t{0})));
    }
  }
  const Json budget = r.value("budget", Json::array());
  for (const auto& c : budget) {
    std::printf("privacy budget of %s: %s epsilon %s, delta %s%s\n", c.value("dataset", "").c_str(),
                c.value("state", "") == "refunded" ? "refunded" : "charged",
                c.value("epsilon", "").c_str(), c.value("delta", "").c_str(),
                c.contains("rho") ? (" (rho " + c.value("rho", "") + ")").c_str() : "");
  }
  const Json report = r.value("report", Json());
  if (!report.is_object()) return;
  const Json record = report.value("record", Json::object());
  if (record.contains("rowsOut")) {
    std::printf("rows out: %lld, output hash %s, format %s\n",
                static_cast<long long>(record.value("rowsOut", int64_t{0})),
                record.value("outputHash", "").c_str(), record.value("outputFormat", "").c_str());
  }
  const Json suppressed = record.value("suppressed", Json::array());
  if (suppressed.empty() && record.value("state", "") == "succeeded")
    std::printf("rows suppressed: none\n");
  for (const auto& note : suppressed) {
    std::printf("rows suppressed: %lld by %s\n",
                static_cast<long long>(note.value("rows", int64_t{0})),
                note.value("rule", "").c_str());
  }
  for (const auto& input : record.value("inputs", Json::array())) {
    std::printf("read %s v%lld\n", input.value("dataset", "").c_str(),
                static_cast<long long>(input.value("version", int64_t{0})));
  }
  if (budget.empty()) std::printf("differential privacy: none (no budget spent)\n");
}

// Why a run may still be "requested": governance cannot tell an absent runtime from one it does
// not trust (evidence from an untrusted platform is refused anonymously, outside the ledger), so
// say both and what the contract trusts.
std::string NotPickedUp(govwire::GovernanceClient& client) {
  std::string why =
      ": no runtime has picked it up. Either no runtime serves this governance service (start "
      "`cleanroom runtime serve`), or the runtime's evidence is not one the contract trusts (its "
      "log says why)";
  auto collab = client.Get("/v1/collab");
  if (!collab.ok() || !collab->ok() || !collab->body["activeVersion"].is_number()) return why;
  const Json& versions = collab->body["versions"];
  size_t index = collab->body["activeVersion"].get<size_t>() - 1;
  if (!versions.is_array() || index >= versions.size()) return why;
  const Json contract = versions[index].value("contract", Json::object());
  auto join = [](const Json& list) {
    std::string out;
    for (const auto& item : list) {
      if (item.is_string()) out += (out.empty() ? "" : ", ") + item.get<std::string>();
    }
    return out.empty() ? std::string("none") : out;
  };
  why += ". The contract trusts evidence kinds: " +
         join(contract.value("evidenceKinds", Json::array()));
  why += "; measurements: " + join(contract.value("allowedMeasurements", Json::array()));
  why +=
      "; simulated platform keys: " + join(contract.value("simulatedPlatformKeys", Json::array()));
  why += " (compare `cleanroom runtime measure` and the key `runtime init-platform` printed)";
  return why;
}

Status Request(const RunFlags& f) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  std::string hash = f.hash;
  if (hash.empty()) {
    CR_ASSIGN_OR_RETURN(ApiReply q, client->Get("/v1/queries/" + f.id));
    CR_RETURN_IF_ERROR(q.ToStatus());
    if (!q.body.contains("queryHash") || !q.body["queryHash"].is_string()) {
      return Status::NotFound("query '" + f.id + "' does not exist");
    }
    hash = q.body["queryHash"];
  }
  auto reply = client->Write("/v1/runs", "run.request", {{"query", f.id}, {"queryHash", hash}});
  CR_RETURN_IF_ERROR(govwire::PrintReply(reply, f.client.json, govwire::PrintWriteResult));
  if (f.wait_seconds <= 0) return Status::OK();
  // Poll until the runtime reports (or governance fails the run).
  std::string run = reply->body["result"].value("run", "");
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(f.wait_seconds * 1000));
  while (true) {
    CR_ASSIGN_OR_RETURN(ApiReply view, client->Get("/v1/runs/" + run));
    CR_RETURN_IF_ERROR(view.ToStatus());
    std::string state = view.body.value("state", "");
    if (state == "succeeded") {
      if (!f.client.json) std::printf("run %s succeeded\n", run.c_str());
      return Status::OK();
    }
    if (state == "failed") {
      return Status::FailedPrecondition("run " + run + " failed: " + view.body.value("reason", ""));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::string message = "run " + run + " is still " + state + " after " +
                            std::to_string(static_cast<int64_t>(f.wait_seconds)) + " s";
      if (state == "requested") message += NotPickedUp(*client);
      return Status::Unavailable(message);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void SetupRun(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "run", "Runs of accepted queries");
  group->require_subcommand(1);
  auto report = [&exit_code](const Status& st) { exit_code.value = st.ok() ? 0 : ReportError(st); };

  auto req = std::make_shared<RunFlags>();
  CLI::App* r = group->add_subcommand("request", "Request a run of an accepted query");
  govwire::AddClientFlags(r, &req->client);
  r->add_option("query", req->id, "The query id")->required();
  r->add_option("--hash", req->hash, "The query hash you expect (default: the service's)");
  r->add_option("--wait", req->wait_seconds,
                "Wait up to this many seconds for the run to finish; fail if it fails");
  r->callback([req, report] { report(Request(*req)); });

  auto show = std::make_shared<RunFlags>();
  CLI::App* s = group->add_subcommand("show", "Show a run");
  govwire::AddClientFlags(s, &show->client);
  s->add_option("run", show->id, "The run id")->required();
  s->callback(
      [show, report] { report(ShowWithNames(show->client, "/v1/runs/" + show->id, PrintRun)); });

  auto list = std::make_shared<ClientFlags>();
  CLI::App* l = group->add_subcommand("list", "List the runs");
  govwire::AddClientFlags(l, list.get());
  l->callback([list, report] {
    report(ShowWithNames(*list, "/v1/runs", [](const Json& body, const MemberNames& names) {
      for (const auto& r : InNumericOrder(body["runs"])) {
        std::printf("%-6s query %-6s %-10s by %s\n", r["id"].get<std::string>().c_str(),
                    r["query"].get<std::string>().c_str(), r["state"].get<std::string>().c_str(),
                    names.Of(r["requester"]).c_str());
      }
    }));
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupRun);
}  // namespace cleanroom::cli
