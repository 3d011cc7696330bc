// ledger_bench [--clients N] [--seconds S] [--dir DIR]: N threads append ~1 KiB records to a
// fresh ledger for S seconds, each waiting until its append is durable (group commit), then
// measures receipts and offline verification. Prints one line per figure.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/tests/test_keys.h"
#include "ledger/verify.h"

using namespace cleanroom;
using namespace cleanroom::ledger;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int clients = 64;
  double seconds = 5;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  bool own_dir = dir.empty();
  if (own_dir) dir = testing::MakeTempDir("ledger-bench");
  LedgerOptions options;
  options.directory = dir + "/ledger";
  options.signer = testing::NewTestSigner();
  auto ledger = Ledger::Open(options, nullptr);
  if (!ledger.ok()) {
    std::fprintf(stderr, "open: %s\n", ledger.status().ToString().c_str());
    return 1;
  }

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<uint64_t> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(clients > 0 ? static_cast<size_t>(clients) : 0);
  auto start = Clock::now();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      RequestRecord base;
      base.signer_id = std::string(64, 'a');
      base.signed_request = Bytes(1024, static_cast<uint8_t>(t));  // The size of a signed vote.
      base.result = "{\"state\":\"accepted\"}";
      while (!stop.load(std::memory_order_relaxed)) {
        auto t0 = Clock::now();
        auto ticket = (*ledger)->AppendAsync(base);
        if (!ticket.ok() || !ticket->Wait().ok()) {
          ++failures;
          break;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty() ? 0.0
                                : latencies_ms[static_cast<size_t>(p * (latencies_ms.size() - 1))];
  };
  LedgerStats stats = (*ledger)->stats();
  std::printf(
      "ledger appends: %d clients, %.1f s: %.0f durable appends/s, p50 %.2f ms, p99 %.2f ms, "
      "%.1f records per fsync, %llu tree heads, %llu failures\n",
      clients, elapsed, latencies_ms.size() / elapsed, pct(0.50), pct(0.99),
      stats.batches ? static_cast<double>(stats.records_written) / stats.batches : 0.0,
      static_cast<unsigned long long>(stats.tree_heads),
      static_cast<unsigned long long>(failures.load()));

  // Receipts: proofs from the in-memory tree plus one read of the entry from disk.
  if (!(*ledger)->Sync().ok()) return 1;
  uint64_t last = (*ledger)->durable_seqno();
  auto r0 = Clock::now();
  int receipts = 0;
  for (uint64_t s = 2; s <= last && receipts < 20000; s += std::max<uint64_t>(1, last / 20000)) {
    if (!(*ledger)->GetReceipt(s).ok()) return 1;
    ++receipts;
  }
  double receipt_s = std::chrono::duration<double>(Clock::now() - r0).count();
  std::printf("ledger receipts: %.0f receipts/s (%d receipts)\n", receipts / receipt_s, receipts);
  ledger->reset();

  auto v0 = Clock::now();
  VerifyReport report;
  Status verified = VerifyLedger(options.directory, {}, &report);
  double verify_s = std::chrono::duration<double>(Clock::now() - v0).count();
  std::printf("ledger verify: %s, %llu entries in %.2f s (%.0f entries/s, %llu tree heads)\n",
              verified.ok() ? "OK" : verified.ToString().c_str(),
              static_cast<unsigned long long>(report.entries_checked), verify_s,
              report.entries_checked / verify_s,
              static_cast<unsigned long long>(report.tree_heads_checked));

  auto o0 = Clock::now();
  auto reopened = Ledger::Open(options, nullptr);
  double open_s = std::chrono::duration<double>(Clock::now() - o0).count();
  std::printf("ledger reopen (replay): %.2f s for %llu entries\n", open_s,
              static_cast<unsigned long long>(report.entries_checked));
  if (reopened.ok()) reopened->reset();
  if (own_dir) std::filesystem::remove_all(dir);
  return verified.ok() && failures == 0 ? 0 : 1;
}
