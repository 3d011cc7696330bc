// `cleanroom governance serve|info|pin`: run the governance service, print its certificate
// fingerprint, and pin a service in a member's identity directory.
#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/undo_created.h"
#include "crypto/identity.h"
#include "crypto/x509.h"
#include "governance/http_server.h"
#include "governance/service.h"
#include "govwire/governance_client.h"

namespace cleanroom::cli {
namespace {

struct ServeFlags {
  std::string data_dir;
  std::string listen = "127.0.0.1:7443";
  int threads = 1024;
  int per_peer = 256;
  int request_deadline = 30;
  int64_t run_timeout = 3600;
};

Status ParseListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--listen: expected HOST:PORT");
  }
  *host = listen.substr(0, colon);
  std::string_view text(listen.data() + colon + 1, listen.size() - colon - 1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *port);
  if (ec != std::errc() || end != text.data() + text.size() || *port < 0 || *port > 65535) {
    return Status::InvalidArgument("--listen: the port must be a number from 0 to 65535");
  }
  return Status::OK();
}

Status RunServe(const ServeFlags& flags) {
  governance::HttpServerOptions http;
  CR_RETURN_IF_ERROR(ParseListen(flags.listen, &http.host, &http.port));
  http.threads = flags.threads;
  http.max_connections_per_peer = flags.per_peer;
  http.request_deadline_seconds = flags.request_deadline;
  // SIGINT / SIGTERM end the service cleanly (pending writes made durable, a final tree head);
  // they are blocked here so that every thread inherits the mask and one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // A serve that cannot start (the port taken, say) leaves the data folder as it found it.
  UndoCreated undo({flags.data_dir});
  governance::ServiceOptions options;
  options.data_dir = flags.data_dir;
  options.run_timeout_seconds = flags.run_timeout;
  CR_ASSIGN_OR_RETURN(std::unique_ptr<governance::Service> service,
                      governance::Service::Open(options));
  CR_ASSIGN_OR_RETURN(std::unique_ptr<governance::HttpServer> server,
                      governance::HttpServer::Bind(service.get(), http));
  undo.Keep();
  std::printf("service fingerprint %s\nreplayed %llu ledger entries\nlistening on https://%s:%d\n",
              service->fingerprint().c_str(),
              static_cast<unsigned long long>(service->replayed_entries()), http.host.c_str(),
              server->port());
  std::fflush(stdout);
  governance::HttpServer* raw = server.get();
  std::thread waiter([&signals, raw] {
    int sig = 0;
    sigwait(&signals, &sig);
    raw->Stop();
  });
  Status run = server->Run();
  // Run returned: either a signal stopped it (the waiter is done) or it failed.
  // SIGTERM is blocked in every thread: it wakes the waiter's sigwait, it terminates nothing.
  if (!run.ok())
    pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter.join();
  server.reset();
  service.reset();
  return run;
}

// A founder given as a member's identity directory or as its certificate (PEM file).
Result<std::string> FounderId(const std::string& path) {
  auto identity = crypto::LoadPublicIdentity(path);
  if (identity.ok()) return identity->member_id;
  auto pem = ReadFileToString(path);
  if (!pem.ok())
    return Status::InvalidArgument("--founder " + path +
                                   ": not an identity directory or a certificate file");
  auto certificate = crypto::Certificate::FromPem(*pem);
  if (!certificate.ok()) {
    return Status::InvalidArgument("--founder " + path +
                                   ": not an identity directory or a certificate file");
  }
  return certificate->Sha256Fingerprint();
}

Status RunInit(const std::string& data_dir, const std::vector<std::string>& founders) {
  std::vector<std::string> ids;
  for (const std::string& path : founders) {
    CR_ASSIGN_OR_RETURN(std::string id, FounderId(path));
    ids.push_back(id);
  }
  CR_ASSIGN_OR_RETURN(std::string token, governance::Service::Initialise(data_dir, ids));
  auto identity = crypto::LoadPublicIdentity(data_dir + "/service");
  if (!identity.ok()) return identity.status();
  std::printf("service fingerprint %s\n", identity->certificate.Sha256Fingerprint().c_str());
  if (token.empty()) {
    for (const std::string& id : ids) std::printf("founder %s\n", id.c_str());
  } else {
    std::printf(
        "bootstrap token %s\n(one-time: give it to the member who proposes the contract, "
        "`cleanroom collab create --bootstrap-token TOKEN`)\n",
        token.c_str());
  }
  return Status::OK();
}

Status RunInfo(const std::string& data_dir) {
  auto identity = crypto::LoadPublicIdentity(data_dir + "/service");
  if (!identity.ok()) {
    return Status::NotFound(
        "no service identity in " + data_dir +
        "/service (run `cleanroom governance init` first): " + identity.status().message());
  }
  std::printf("service fingerprint %s\n", identity->certificate.Sha256Fingerprint().c_str());
  return Status::OK();
}

void SetupGovernance(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "governance", "The governance service");
  group->require_subcommand(1);

  auto serve = std::make_shared<ServeFlags>();
  CLI::App* s = group->add_subcommand("serve", "Run the governance service over HTTPS");
  s->add_option("--data-dir", serve->data_dir, "Identity, ledger and sealed secrets")->required();
  s->add_option("--listen", serve->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  s->add_option("--threads", serve->threads,
                "Connections open at once (each holds a thread while open; more are closed)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s->add_option("--max-connections-per-peer", serve->per_peer,
                "Connections open at once from one peer address")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s->add_option("--request-deadline", serve->request_deadline,
                "Seconds a request has to arrive in full (handshake, headers, body); a slower "
                "one has its connection closed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s->add_option("--run-timeout", serve->run_timeout,
                "Seconds a runtime has to report a run after its keys are released, before the "
                "run is marked failed (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  s->callback([serve, &exit_code] {
    Status st = RunServe(*serve);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });

  struct InitFlags {
    std::string data_dir;
    std::vector<std::string> founders;
  };
  auto init = std::make_shared<InitFlags>();
  CLI::App* in = group->add_subcommand(
      "init",
      "Initialise a service: who may propose its first contract (founders, or a one-time "
      "token printed here)");
  in->add_option("--data-dir", init->data_dir, "The service's data directory")->required();
  in->add_option("--founder", init->founders,
                 "A founding member: its identity directory or certificate (PEM); without any, a "
                 "one-time bootstrap token is printed");
  in->callback([init, &exit_code] {
    Status st = RunInit(init->data_dir, init->founders);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });

  auto info_dir = std::make_shared<std::string>();
  CLI::App* i = group->add_subcommand("info", "Print the service certificate's fingerprint");
  i->add_option("--data-dir", *info_dir, "The service's data directory")->required();
  i->callback([info_dir, &exit_code] {
    Status st = RunInfo(*info_dir);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });

  struct PinFlags {
    std::string identity, url, fingerprint;
  };
  auto pin = std::make_shared<PinFlags>();
  CLI::App* p = group->add_subcommand(
      "pin", "Save the service URL and fingerprint in a member's identity directory");
  p->add_option("--identity", pin->identity, "The member's identity directory")->required();
  p->add_option("--governance", pin->url, "https://HOST:PORT")->required();
  p->add_option("--service-fingerprint", pin->fingerprint, "SHA-256 of the service certificate")
      ->required();
  p->callback([pin, &exit_code] {
    Status st = govwire::SavePin(pin->identity, pin->url, pin->fingerprint);
    if (st.ok()) std::printf("pinned %s in %s\n", pin->url.c_str(), pin->identity.c_str());
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupGovernance);
}  // namespace cleanroom::cli
