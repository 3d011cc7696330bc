// `cleanroom bench governance --clients N --seconds S`: drives a real governance service with
// durable ES384-signed writes (dataset consent switches, signed before the timed window so that
// the figure is the server's) and authenticated reads over kept-alive connections, then prints
// writes/s, reads/s and latency percentiles. Without --governance it starts
// `cleanroom governance serve` as a child process on a free loopback port.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/command_registry.h"
#include "crypto/identity.h"
#include "governance/service.h"
#include "govwire/governance_client.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::GovernanceClient;
using govwire::Json;
using Clock = std::chrono::steady_clock;

struct BenchFlags {
  int clients = 64;
  int seconds = 10;
  int members = 4;
  int presign_per_second = 3500;  // pre-signed writes per second of the write phase
  std::string data_dir;
};

// The service under test, as a child process.
struct ChildServer {
  pid_t pid = -1;
  std::string url;
  std::string fingerprint;
  ~ChildServer() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }
};

Status StartServer(const std::string& data_dir, ChildServer* child) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) return Status::Internal("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    ::dup2(pipefd[1], STDOUT_FILENO);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    ::execl("/proc/self/exe", "cleanroom", "governance", "serve", "--data-dir", data_dir.c_str(),
            "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::close(pipefd[1]);
  child->pid = pid;
  FILE* out = ::fdopen(pipefd[0], "r");
  char line[512];
  while (std::fgets(line, sizeof(line), out) != nullptr) {
    std::string l(line);
    if (l.rfind("service fingerprint ", 0) == 0) child->fingerprint = l.substr(20, 64);
    if (l.rfind("listening on ", 0) == 0) {
      child->url = l.substr(13);
      while (!child->url.empty() && (child->url.back() == '\n' || child->url.back() == '\r')) {
        child->url.pop_back();
      }
      break;
    }
  }
  // Keep reading (and dropping) the child's output so that it never blocks on a full pipe.
  std::thread([out] {
    char buf[512];
    while (std::fgets(buf, sizeof(buf), out) != nullptr) {
    }
    std::fclose(out);
  }).detach();
  if (child->url.empty()) return Status::Unavailable("the governance service did not start");
  return Status::OK();
}

Status Check(const Result<ApiReply>& reply) {
  if (!reply.ok()) return reply.status();
  return reply->ToStatus();
}

struct Phase {
  std::vector<double> latencies_ms;
  uint64_t errors = 0;
  double seconds = 0;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void PrintPhase(const char* name, Phase& phase) {
  double rate = static_cast<double>(phase.latencies_ms.size()) / phase.seconds;
  double p50 = Percentile(phase.latencies_ms, 0.50);
  double p99 = Percentile(phase.latencies_ms, 0.99);
  std::printf("%-6s %10.0f /s  ok %zu  errors %llu  p50 %.2f ms  p99 %.2f ms\n", name, rate,
              phase.latencies_ms.size(), static_cast<unsigned long long>(phase.errors), p50, p99);
}

Status RunBench(const BenchFlags& f) {
  if (f.clients < 1 || f.seconds < 1 || f.members < 1) {
    return Status::InvalidArgument("--clients, --seconds and --members must be positive");
  }
  std::string data_dir = f.data_dir;
  bool temp = data_dir.empty();
  if (temp) {
    char templ[] = "/tmp/cleanroom-bench-gov-XXXXXX";
    if (::mkdtemp(templ) == nullptr) return Status::Internal("mkdtemp failed");
    data_dir = templ;
  }
  // The operator's init: a one-time token, which the first member uses to propose.
  CR_ASSIGN_OR_RETURN(std::string token, governance::Service::Initialise(data_dir, {}));
  ChildServer server;
  CR_RETURN_IF_ERROR(StartServer(data_dir, &server));
  std::printf("governance bench: service %s, %d clients, %d members, %d s per phase\n",
              server.url.c_str(), f.clients, f.members, f.seconds);

  // The collaboration: every member a provider with one dataset.
  std::vector<crypto::MemberIdentity> members;
  for (int i = 0; i < f.members; ++i) {
    CR_ASSIGN_OR_RETURN(crypto::MemberIdentity id,
                        crypto::GenerateIdentity("member" + std::to_string(i)));
    members.push_back(std::move(id));
  }
  Json list = Json::array();
  for (const auto& m : members) {
    CR_ASSIGN_OR_RETURN(Json entry,
                        govwire::ContractMember(m.public_identity, {"provider", "analyst"}));
    list.push_back(entry);
  }
  Json contract = {{"name", "bench"}, {"members", list}, {"evidenceKinds", {"simulated"}}};
  std::vector<std::unique_ptr<GovernanceClient>> setup;
  for (const auto& m : members) {
    CR_ASSIGN_OR_RETURN(auto c, GovernanceClient::Create(server.url, server.fingerprint, m));
    setup.push_back(std::move(c));
  }
  setup[0]->set_bootstrap_token(token);
  CR_ASSIGN_OR_RETURN(ApiReply proposed, setup[0]->Write("/v1/collab/proposals", "collab.propose",
                                                         {{"version", 1}, {"contract", contract}}));
  CR_RETURN_IF_ERROR(proposed.ToStatus());
  std::string hash = proposed.body["result"]["contractHash"];
  for (size_t i = 1; i < setup.size(); ++i) {
    CR_RETURN_IF_ERROR(Check(setup[i]->Write("/v1/collab/votes", "collab.accept",
                                             {{"version", 1}, {"contractHash", hash}})));
  }
  for (size_t i = 0; i < setup.size(); ++i) {
    Json schema =
        Json::array({{{"name", "id"}, {"type", "string"}}, {{"name", "v"}, {"type", "bigint"}}});
    Json doc = {{"name", "d" + std::to_string(i)},
                {"format", "parquet"},
                {"schema", schema},
                {"allowedFields", {"id", "v"}},
                {"location", "file:///bench"},
                {"contentHash", std::string(64, '0')},
                {"keyId", "k"}};
    CR_RETURN_IF_ERROR(
        Check(setup[i]->Write("/v1/datasets", "dataset.register", {{"dataset", doc}})));
  }
  CR_ASSIGN_OR_RETURN(std::string collaboration, setup[0]->CollaborationId());
  setup.clear();

  // Clients, and their writes signed before the timed window.
  std::vector<std::unique_ptr<GovernanceClient>> clients(static_cast<size_t>(f.clients));
  for (int i = 0; i < f.clients; ++i) {
    CR_ASSIGN_OR_RETURN(clients[i], GovernanceClient::Create(server.url, server.fingerprint,
                                                             members[i % f.members]));
  }
  size_t per_client = static_cast<size_t>(f.presign_per_second) * f.seconds / f.clients + 1;
  std::vector<std::vector<Bytes>> signed_writes(static_cast<size_t>(f.clients));
  auto sign_start = Clock::now();
  {
    std::vector<std::thread> signers;
    std::atomic<bool> failed{false};
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 0; t < threads; ++t) {
      signers.emplace_back([&, t] {
        for (size_t c = t; c < clients.size(); c += threads) {
          std::string dataset = "d" + std::to_string(c % members.size());
          for (size_t k = 0; k < per_client; ++k) {
            auto m = clients[c]->Sign(k % 2 == 0 ? "dataset.disable" : "dataset.enable",
                                      {{"collaboration", collaboration}, {"dataset", dataset}});
            if (!m.ok()) failed = true;
            if (m.ok()) signed_writes[c].push_back(std::move(m).value());
          }
        }
      });
    }
    for (auto& t : signers) t.join();
    if (failed) return Status::Internal("signing the bench writes failed");
  }
  double sign_seconds = std::chrono::duration<double>(Clock::now() - sign_start).count();
  std::printf("signed %zu writes in %.1f s before the timed window\n", per_client * clients.size(),
              sign_seconds);

  auto run_phase = [&](bool writes) {
    Phase phase;
    std::vector<std::vector<double>> lat(clients.size());
    std::vector<uint64_t> errors(clients.size(), 0);
    std::atomic<size_t> exhausted{0};
    auto start = Clock::now();
    auto deadline = start + std::chrono::seconds(f.seconds);
    std::vector<std::thread> threads;
    for (size_t c = 0; c < clients.size(); ++c) {
      threads.emplace_back([&, c] {
        std::string path = "/v1/datasets/d" + std::to_string(c % members.size());
        size_t next = 0;
        lat[c].reserve(per_client);
        while (Clock::now() < deadline) {
          if (writes && next == signed_writes[c].size()) {
            ++exhausted;
            break;
          }
          auto t0 = Clock::now();
          auto reply = writes ? clients[c]->PostSigned(path + "/consent", signed_writes[c][next++])
                              : clients[c]->Get(path);
          double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          if (reply.ok() && reply->ok()) {
            lat[c].push_back(ms);
          } else {
            ++errors[c];
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    phase.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (size_t c = 0; c < clients.size(); ++c) {
      phase.latencies_ms.insert(phase.latencies_ms.end(), lat[c].begin(), lat[c].end());
      phase.errors += errors[c];
    }
    if (exhausted > 0) {
      std::printf("note: %zu clients used up their pre-signed writes (raise --presign-rate)\n",
                  exhausted.load());
    }
    return phase;
  };
  Phase writes = run_phase(true);
  Phase reads = run_phase(false);
  PrintPhase("writes", writes);
  PrintPhase("reads", reads);
  clients.clear();
  if (temp) {
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  return Status::OK();
}

void SetupBenchGovernance(CLI::App& root, ExitCode& exit_code) {
  CLI::App* bench = CommandGroup(root, "bench", "Benchmarks");
  auto f = std::make_shared<BenchFlags>();
  CLI::App* cmd = bench->add_subcommand(
      "governance", "Signed writes and authenticated reads against a real governance service");
  cmd->add_option("--clients", f->clients, "Concurrent clients (kept-alive connections)")
      ->capture_default_str();
  cmd->add_option("--seconds", f->seconds, "Length of each phase (writes, then reads)")
      ->capture_default_str();
  cmd->add_option("--members", f->members, "Members of the bench collaboration")
      ->capture_default_str();
  cmd->add_option("--presign-rate", f->presign_per_second,
                  "Writes signed ahead per second of the write phase")
      ->capture_default_str();
  cmd->add_option("--data-dir", f->data_dir, "The service's data dir (default: a temporary one)");
  cmd->callback([f, &exit_code] {
    Status st = RunBench(*f);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupBenchGovernance);
}  // namespace cleanroom::cli
