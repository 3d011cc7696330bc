// `cleanroom console --identity DIR [--governance URL] [--listen 127.0.0.1:PORT]`: the member's
// web console on loopback (src/console, docs/console.md). The key stays in this process.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command_registry.h"
#include "cli/run_result.h"
#include "console/access_guard.h"
#include "console/console_server.h"
#include "govwire/cli_support.h"
#include "runtime/storage.h"

#ifndef CLEANROOM_WEB_ROOT
#define CLEANROOM_WEB_ROOT ""
#endif

namespace cleanroom::cli {
namespace {

struct ConsoleFlags {
  govwire::ClientFlags client;
  std::string listen = "127.0.0.1:0";
  std::string storage;  // empty: the default (runtime::StorageUrlOrDefault)
  std::string web_root = CLEANROOM_WEB_ROOT;
};

// "HOST:PORT" or "[::1]:PORT".
Status SplitListen(const std::string& listen, console::ConsoleOptions* options) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size() ||
      listen.size() - colon > 6 ||
      listen.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    return Status::InvalidArgument("--listen: expected 127.0.0.1:PORT");
  }
  options->host = listen.substr(0, colon);
  options->port = std::stoi(listen.substr(colon + 1));
  if (options->port > 65535)
    return Status::InvalidArgument("--listen: the port must be at most 65535");
  // Checked before anything connects: a console that cannot start leaves nothing behind.
  if (!console::IsLoopbackHost(options->host)) {
    return Status::InvalidArgument(
        "--listen: the console serves loopback only (127.0.0.1, ::1 or "
        "localhost): it signs with your key");
  }
  return Status::OK();
}

Status RunConsole(const ConsoleFlags& f) {
  console::ConsoleOptions options;
  CR_RETURN_IF_ERROR(SplitListen(f.listen, &options));
  options.identity_dir = f.client.identity;
  options.web_root = f.web_root;
  if (options.web_root.empty())
    return Status::InvalidArgument("--web-root: required (no built-in web app)");
  // The signal mask is set before any thread starts, so one thread waits for SIGINT / SIGTERM.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  std::string name = client->identity().public_identity.name;
  std::string id = client->member_id();
  // Results are opened with the key the console holds, checked against governance's record.
  std::string storage = f.storage;
  console::ResultOpener opener = [storage](
                                     govwire::GovernanceClient& governance,
                                     const std::string& run) -> Result<console::OpenedResult> {
    CR_ASSIGN_OR_RETURN(OpenedRun opened,
                        OpenRunResult(&governance, storage, run, governance.identity()));
    std::string format = opened.record.value("outputFormat", "csv");
    return console::OpenedResult{std::move(opened.record), format, std::move(opened.output)};
  };
  CR_ASSIGN_OR_RETURN(auto server,
                      console::ConsoleServer::Start(options, std::move(client), opener));
  std::printf(
      "console of %s (%s) on http://127.0.0.1:%d/\n"
      "open this link in your browser (it holds this launch's secret: do not share it):\n"
      "%s\n",
      name.c_str(), govwire::ShortId(id).c_str(), server->port(), server->LoginUrl().c_str());
  std::fflush(stdout);
  console::ConsoleServer* raw = server.get();
  std::thread waiter([&signals, raw] {
    int sig = 0;
    sigwait(&signals, &sig);
    raw->Stop();
  });
  server->Wait();
  waiter.join();
  return Status::OK();
}

void SetupConsole(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<ConsoleFlags>();
  CLI::App* c = root.add_subcommand(
      "console",
      "The member's web console on loopback: review, approve, switch consent, open "
      "results, audit (the key stays in this process)");
  govwire::AddClientFlags(c, &flags->client);
  c->add_option("--listen", flags->listen, "127.0.0.1:PORT (loopback only; port 0: any free port)")
      ->capture_default_str();
  c->add_option("--storage", flags->storage,
                std::string("Where results are: file://DIR (" +
                            std::string(runtime::kDefaultStorageText) + ")"));
  c->add_option("--web-root", flags->web_root, "The built web app (default: the build's)")
      ->capture_default_str();
  c->callback([flags, &exit_code] {
    if (flags->client.json) {
      exit_code.value =
          ReportError(Status::InvalidArgument("console: --json is not an option here"));
      return;
    }
    Status st = RunConsole(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupConsole);
}  // namespace cleanroom::cli
