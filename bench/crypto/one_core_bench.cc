// Issue 4, point 4: encrypt and decrypt of a 1 GiB file on ONE core (the process pins itself to
// CPU 0), with every hash the product records and every check it makes, in memory (the input is
// copied from a 16 MiB random pattern, as a read from the page cache would; sealed chunks go to a
// discarding sink). Each case runs REPEATS times; the best is printed, as GB per second of wall
// time and per CPU-second of the (single) thread. Old (plain SHA-256) and new (sha256-tree-v1)
// hashes run side by side so that their ratio holds even on a busy machine.
//
//   encrypt + plaintext hash    what `cleanroom encrypt` records (content_sha256)
//   encrypt + container hash    what `dataset publish` records (the document's contentHash)
//   decrypt + plaintext hash    what `cleanroom decrypt` prints
//   contentHash check + decrypt what the runtime does before the engine reads a byte: the hash
//                               of the ciphertext as stored, then every chunk authenticated
//
// usage: bench_crypto_one_core [SIZE_MIB] [REPEATS]
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>

#include "crypto/container.h"
#include "crypto/sha256_lanes.h"
#include "crypto/sha256_tree.h"
#include "pattern_source.h"

namespace cr = cleanroom;
namespace container = cleanroom::crypto::container;
using container::ContentHashKind;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void Die(const cr::Status& s) {
  std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

int repeats = 3;
double gigabytes = 0;

// Runs `work` `repeats` times and prints the best wall and CPU throughput.
void Case(const char* name, const std::function<void()>& work) {
  double best_wall = 1e30, best_cpu = 1e30;
  for (int i = 0; i < repeats; ++i) {
    auto wall = std::chrono::steady_clock::now();
    double cpu = ThreadCpuSeconds();
    work();
    best_cpu = std::min(best_cpu, ThreadCpuSeconds() - cpu);
    best_wall = std::min(
        best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count());
  }
  std::printf("%-58s %8.2f %8.2f\n", name, gigabytes / best_wall, gigabytes / best_cpu);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t size = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024) << 20;
  if (argc > 2) repeats = std::max(1, std::atoi(argv[2]));
  gigabytes = static_cast<double>(size) / 1e9;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    std::fprintf(stderr, "bench: cannot pin to CPU 0\n");
    return 1;
  }
  auto key = container::DataKey::Generate();
  if (!key.ok()) Die(key.status());
  const cr::Bytes pattern = cr::bench::MakePattern();
  std::printf("one core (CPU 0), %.2f GB plaintext, 256 KiB chunks, best of %d; SHA-NI lanes: %s\n",
              gigabytes, repeats, cr::crypto::Sha256LanesAccelerated() ? "yes" : "no (OpenSSL)");
  std::printf("%-58s %8s %8s\n", "case", "GB/s", "GB/cpu-s");

  // Encryption: the plaintext source and a discarding sink; the summary's hashes are checked
  // against a recomputation below.
  auto encrypt = [&](bool plaintext, bool whole, ContentHashKind kind) {
    container::EncryptOptions options;
    options.dataset_id = "bench";
    options.hash_plaintext = plaintext;
    options.hash_container = whole;
    options.hash_kind = kind;
    uint64_t pos = 0;
    auto summary =
        container::EncryptStream(*key, options, cr::bench::PatternSource(pattern, size, pos),
                                 [](cr::ByteSpan) { return cr::Status::OK(); });
    if (!summary.ok()) Die(summary.status());
    return *summary;
  };
  const auto kPlain = ContentHashKind::kSha256;
  const auto kTree = ContentHashKind::kSha256Tree;
  Case("encrypt, no hash", [&] { encrypt(false, false, kPlain); });
  Case("encrypt + plaintext SHA-256 (before)", [&] { encrypt(true, false, kPlain); });
  Case("encrypt + plaintext sha256-tree-v1 (cleanroom encrypt)",
       [&] { encrypt(true, false, kTree); });
  Case("encrypt + container SHA-256 (before)", [&] { encrypt(false, true, kPlain); });
  Case("encrypt + container sha256-tree-v1 (dataset publish)",
       [&] { encrypt(false, true, kTree); });
  Case("encrypt + both sha256-tree-v1", [&] { encrypt(true, true, kTree); });

  // The container in memory, as the runtime maps it from storage.
  cr::Bytes sealed;
  sealed.reserve(size + size / 1000 + 4096);
  container::EncryptSummary recorded;
  {
    container::EncryptOptions options;
    options.dataset_id = "bench";
    options.hash_container = true;
    options.hash_kind = kTree;
    uint64_t pos = 0;
    auto summary = container::EncryptStream(
        *key, options, cr::bench::PatternSource(pattern, size, pos), [&sealed](cr::ByteSpan d) {
          sealed.insert(sealed.end(), d.begin(), d.end());
          return cr::Status::OK();
        });
    if (!summary.ok()) Die(summary.status());
    recorded = *summary;
  }
  auto reader = container::Reader::Open(container::MemoryInput(sealed), *key);
  if (!reader.ok()) Die(reader.status());
  auto discard = [](uint64_t, cr::ByteSpan) { return cr::Status::OK(); };
  // The bench's own check: what the writer recorded is what the reader and the one-call tree
  // compute over the bytes.
  auto decrypted = (*reader)->DecryptAll(discard, nullptr, kTree);
  if (!decrypted.ok()) Die(decrypted.status());
  if (*decrypted != recorded.plaintext_sha256 ||
      cr::crypto::Sha256Tree(sealed) != recorded.container_sha256) {
    std::fprintf(stderr, "bench: recorded hashes differ from the recomputed ones\n");
    return 1;
  }
  Case("decrypt, no hash", [&] {
    if (auto s = (*reader)->DecryptEach(discard); !s.ok()) Die(s);
  });
  Case("decrypt + plaintext SHA-256 (before)", [&] {
    if (auto d = (*reader)->DecryptAll(discard, nullptr, kPlain); !d.ok()) Die(d.status());
  });
  Case("decrypt + plaintext sha256-tree-v1 (cleanroom decrypt)", [&] {
    if (auto d = (*reader)->DecryptAll(discard, nullptr, kTree); !d.ok()) Die(d.status());
  });
  volatile uint8_t sink = 0;
  Case("contentHash SHA-256 check + decrypt (before)", [&] {
    sink = sink ^ cr::crypto::Sha256(sealed)[0];
    if (auto s = (*reader)->DecryptEach(discard); !s.ok()) Die(s);
  });
  Case("contentHash sha256-tree-v1 check + decrypt (runtime)", [&] {
    sink = sink ^ cr::crypto::Sha256Tree(sealed)[0];
    if (auto s = (*reader)->DecryptEach(discard); !s.ok()) Die(s);
  });
  return 0;
}
