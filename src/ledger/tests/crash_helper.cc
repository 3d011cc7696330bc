// ledger_crash_helper DIR KEY_PEM CERT_PEM THREADS: opens the ledger in DIR and appends from
// THREADS threads until killed, writing "SEQNO TAG\n" to stdout for every acknowledged (durable)
// append. Driven by crash_test.cc, which kills it with SIGKILL.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "ledger/ledger.h"

using namespace cleanroom;
using namespace cleanroom::ledger;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: ledger_crash_helper DIR KEY_PEM CERT_PEM THREADS\n");
    return 2;
  }
  auto key = ReadFileToString(argv[2]);
  auto cert = ReadFileToString(argv[3]);
  if (!key.ok() || !cert.ok()) return 2;
  auto signer = TreeHeadSigner::FromPem(*key, *cert);
  if (!signer.ok()) return 2;
  LedgerOptions options;
  options.directory = argv[1];
  options.signer = *signer;
  options.max_segment_bytes = 32 << 10;  // Small, so that crashes also hit segment rolls.
  options.max_tree_head_delay = std::chrono::milliseconds(50);
  auto ledger = Ledger::Open(options, nullptr);
  if (!ledger.ok()) {
    std::fprintf(stderr, "open failed: %s\n", ledger.status().ToString().c_str());
    return 1;
  }
  int threads = std::stoi(argv[4]);
  std::vector<std::thread> workers;
  workers.reserve(threads > 0 ? static_cast<size_t>(threads) : 0);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        std::string tag =
            std::to_string(getpid()) + "-" + std::to_string(t) + "-" + std::to_string(i);
        RequestRecord record;
        record.signed_request = ToBytes("crash test request " + tag);
        record.result = tag;
        auto ticket = (*ledger)->AppendAsync(std::move(record));
        if (!ticket.ok() || !ticket->Wait().ok()) {
          std::fprintf(stderr, "append failed\n");
          _exit(1);
        }
        // One write() of less than PIPE_BUF bytes: lines never interleave.
        std::string line = std::to_string(ticket->seqno) + " " + tag + "\n";
        if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          _exit(1);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
