// `cleanroom run request|show|list`: runs of accepted queries (the runtime fills them in).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command_registry.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::Json;
using govwire::ApiReply;
using govwire::ClientFlags;
using govwire::ShortId;

struct RunFlags {
  ClientFlags client;
  std::string id;
  std::string hash;
  double wait_seconds = 0;  // > 0: wait until the run finishes, at most this long
};

void PrintRun(const Json& r) {
  std::printf("run %s of query %s: %s\nrequested by %s (seqno %llu)\n", r["id"].get<std::string>().c_str(),
              r["query"].get<std::string>().c_str(), r["state"].get<std::string>().c_str(),
              ShortId(r["requester"]).c_str(), r["seqno"].get<unsigned long long>());
  if (!r["report"].is_null()) std::printf("report %s\n", r["report"].dump().c_str());
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
  CR_RETURN_IF_ERROR(govwire::PrintReply(reply, f.client.json,
                                                    govwire::PrintWriteResult));
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
      return Status::Unavailable("run " + run + " is still " + state + " after " +
                                 std::to_string(f.wait_seconds) + " s");
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
  s->callback([show, report] {
    report(govwire::GetAndPrint(show->client, "/v1/runs/" + show->id, PrintRun));
  });

  auto list = std::make_shared<ClientFlags>();
  CLI::App* l = group->add_subcommand("list", "List the runs");
  govwire::AddClientFlags(l, list.get());
  l->callback([list, report] {
    report([&]() -> Status {
      CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(*list));
      return govwire::PrintReply(client->Get("/v1/runs"), list->json, [](const Json& body) {
        for (const auto& r : body["runs"]) {
          std::printf("%-6s query %-6s %-10s by %s\n", r["id"].get<std::string>().c_str(),
                      r["query"].get<std::string>().c_str(), r["state"].get<std::string>().c_str(),
                      ShortId(r["requester"]).c_str());
        }
      });
    }());
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupRun);
}  // namespace cleanroom::cli
