// Throughput of the encrypted dataset container: encrypt and decrypt of a file (default 1 GiB),
// in memory (the crypto pipeline alone, with and without the SHA-256 of the plaintext) and file
// to file (page cache, fsync on commit), and the cost of random 4 KiB reads. The process pins
// itself: "1 core" rows run on CPU 0 only (the hash then runs inline, on the same core as the
// cipher); "2 cores" rows may use CPUs 0 and 1 (the hash runs on a helper thread).
//
// usage: bench_crypto_container WORK_DIR [SIZE_MIB] [CHUNK_KIB...]
#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/file.h"
#include "crypto/container.h"
#include "pattern_source.h"

namespace cr = cleanroom;
namespace container = cleanroom::crypto::container;

namespace {

// Wall time, this process's CPU time (all threads) and the CPU time of the busiest thread. On a
// shared machine the wall time includes waiting for a core, so the CPU times are the honest
// cost: a "1 core" row does all its work on one thread (GB/cpu-s is its throughput on a core of
// its own); a "2 cores" row runs the cipher on the main thread and the hash on a helper, so on
// two free cores it runs at about GB per busiest-thread CPU-second (the pipeline's slower
// stage; the handoffs between the threads are in their CPU times). The wall column is the
// measurement; judge it only with the load average near zero.
struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  double main_cpu = Seconds(CLOCK_THREAD_CPUTIME_ID);
  static double Seconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
  double Wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double Cpu() const { return Seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu; }
  // The main thread's CPU time or the other threads' together, whichever is larger.
  double BusiestThreadCpu() const {
    double total = Cpu(), main = Seconds(CLOCK_THREAD_CPUTIME_ID) - main_cpu;
    return std::max(main, total - main);
  }
};

void Row(const char* name, const Timer& t, double gb) {
  double wall = t.Wall(), cpu = t.Cpu(), busiest = t.BusiestThreadCpu();
  std::printf("%-42s %7.3f %7.2f %7.3f %8.2f %7.3f %8.2f\n", name, wall, gb / wall, cpu, gb / cpu,
              busiest, gb / busiest);
}

// Restricts this process to the first `cpus` CPUs (1 or 2). False when the machine has fewer.
bool PinToCpus(int cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int i = 0; i < cpus; ++i) CPU_SET(i, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

const char* Cores(int cpus) { return cpus == 1 ? "1 core" : "2 cores"; }

void Die(const cr::Status& s) {
  std::fprintf(stderr, "bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s WORK_DIR [SIZE_MIB] [CHUNK_KIB...]\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  uint64_t size = (argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024) << 20;
  std::vector<uint32_t> chunk_sizes;
  for (int i = 3; i < argc; ++i) chunk_sizes.push_back(std::atoi(argv[i]) << 10);
  if (chunk_sizes.empty()) chunk_sizes = {64 << 10, 256 << 10, 1 << 20, 4 << 20};
  const double gb = static_cast<double>(size) / 1e9;

  auto key = container::DataKey::Generate();
  if (!key.ok()) Die(key.status());
  const cr::Bytes pattern = cr::bench::MakePattern();
  std::mt19937_64 rng(1);

  std::printf("crypto container bench: %.2f GB plaintext\n", gb);
  std::printf("%-42s %7s %7s %7s %8s %7s %8s\n", "case", "wall s", "GB/s", "cpu s", "GB/cpu-s",
              "max-thr", "GB/thr-s");
  // 1. The pipeline in memory, per chunk size: source memcpy -> SHA-256 -> AES-256-GCM -> sink.
  struct Run {
    uint32_t chunk;
    bool hash;
    int cpus;
  };
  std::vector<Run> runs;
  runs.reserve(3 * chunk_sizes.size());
  for (uint32_t chunk : chunk_sizes) runs.push_back({chunk, true, 1});
  for (uint32_t chunk : chunk_sizes) runs.push_back({chunk, true, 2});
  for (uint32_t chunk : chunk_sizes) runs.push_back({chunk, false, 1});
  for (const Run& run : runs) {
    if (!PinToCpus(run.cpus)) continue;
    container::EncryptOptions options;
    options.chunk_size = run.chunk;
    options.hash_plaintext = run.hash;
    uint64_t pos = 0, written = 0;
    Timer timer;
    auto summary = container::EncryptStream(
        *key, options, cr::bench::PatternSource(pattern, size, pos), [&written](cr::ByteSpan d) {
          written += d.size();
          return cr::Status::OK();
        });
    if (!summary.ok()) Die(summary.status());
    char name[64];
    std::snprintf(name, sizeof(name), "encrypt mem %4u KiB %s, %s", run.chunk >> 10,
                  run.hash ? "+SHA-256" : "no hash ", Cores(run.cpus));
    Row(name, timer, gb);
  }

  // 2. File to file with the default chunk size.
  std::string plain = dir + "/plain.bin", enc = dir + "/plain.enc", out = dir + "/plain.out";
  {
    cr::AtomicFileWriter w;
    if (auto s = w.Open(plain); !s.ok()) Die(s);
    for (uint64_t done = 0; done < size; done += pattern.size()) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(pattern.size(), size - done));
      if (auto s = w.Append(cr::ByteSpan(pattern.data(), n)); !s.ok()) Die(s);
    }
    if (auto s = w.Commit(); !s.ok()) Die(s);
  }
  const int file_cpus = PinToCpus(2) ? 2 : 1;
  if (file_cpus == 1) PinToCpus(1);
  container::EncryptOptions options;
  Timer enc_timer;
  auto summary = container::EncryptFile(*key, options, plain, enc);
  if (!summary.ok()) Die(summary.status());
  Row(file_cpus == 2 ? "encrypt file->file +SHA-256, 2 cores"
                     : "encrypt file->file +SHA-256, 1 core",
      enc_timer, gb);

  // 3. Decrypt: into a discarding callback (the runtime's in-memory path), then file to file.
  {
    auto input = container::OpenFileInput(enc);
    if (!input.ok()) Die(input.status());
    auto reader = container::Reader::Open(std::move(input).value(), *key);
    if (!reader.ok()) Die(reader.status());
    for (int cpus : {1, 2}) {
      if (!PinToCpus(cpus)) continue;
      Timer timer;
      uint64_t seen = 0;
      auto digest = (*reader)->DecryptAll([&seen](uint64_t, cr::ByteSpan c) {
        seen += c.size();
        return cr::Status::OK();
      });
      if (!digest.ok()) Die(digest.status());
      if (*digest != summary->plaintext_sha256 || seen != size) {
        std::fprintf(stderr, "bench: decrypted content differs\n");
        return 1;
      }
      Row(cpus == 1 ? "decrypt file->callback +SHA-256, 1 core"
                    : "decrypt file->callback +SHA-256, 2 cores",
          timer, gb);
    }
    PinToCpus(1);
    Timer fast;
    uint64_t seen = 0;
    auto status = (*reader)->DecryptEach([&seen](uint64_t, cr::ByteSpan c) {
      seen += c.size();
      return cr::Status::OK();
    });
    if (!status.ok()) Die(status);
    Row("decrypt file->callback no hash, 1 core", fast, gb);
  }
  if (file_cpus == 2) PinToCpus(2);
  Timer dec_timer;
  auto dec = container::DecryptFile(*key, enc, out);
  if (!dec.ok()) Die(dec.status());
  Row(file_cpus == 2 ? "decrypt file->file +SHA-256, 2 cores"
                     : "decrypt file->file +SHA-256, 1 core",
      dec_timer, gb);
  PinToCpus(1);

  // 4. Random 4 KiB reads.
  {
    auto input = container::OpenFileInput(enc);
    if (!input.ok()) Die(input.status());
    auto reader = container::Reader::Open(std::move(input).value(), *key);
    if (!reader.ok()) Die(reader.status());
    const int reads = 2000;
    std::uniform_int_distribution<uint64_t> offsets(0, size - 4096);
    Timer timer;
    for (int i = 0; i < reads; ++i) {
      uint64_t offset =
          offsets(rng) & ~uint64_t{4095};  // 4 KiB-aligned pages never straddle chunks.
      auto page = (*reader)->ReadRange(offset, 4096);
      if (!page.ok()) Die(page.status());
    }
    double t = timer.Wall(), cpu = timer.Cpu();
    std::printf(
        "random 4 KiB reads: %d reads, %.1f us wall / %.1f us cpu per read, %.3f chunks "
        "decrypted per read (%.1f MiB/s of 4 KiB reads by wall time)\n",
        reads, 1e6 * t / reads, 1e6 * cpu / reads,
        static_cast<double>((*reader)->chunks_decrypted()) / reads, reads * 4096.0 / (1 << 20) / t);
  }
  // 5. Random 4 KiB reads per chunk size, over a 256 MiB container in memory.
  for (uint32_t chunk : chunk_sizes) {
    container::EncryptOptions small;
    small.chunk_size = chunk;
    small.hash_plaintext = false;
    uint64_t pos = 0, small_size = std::min<uint64_t>(size, 256u << 20);
    cr::Bytes sealed;
    sealed.reserve(small_size + small_size / 1000 + 4096);
    auto s = container::EncryptStream(
        *key, small, cr::bench::PatternSource(pattern, small_size, pos), [&sealed](cr::ByteSpan d) {
          sealed.insert(sealed.end(), d.begin(), d.end());
          return cr::Status::OK();
        });
    if (!s.ok()) Die(s.status());
    auto reader = container::Reader::Open(container::MemoryInput(sealed), *key);
    if (!reader.ok()) Die(reader.status());
    const int reads = 2000;
    std::uniform_int_distribution<uint64_t> offsets(0, small_size - 4096);
    Timer timer;
    for (int i = 0; i < reads; ++i) {
      auto page = (*reader)->ReadRange(offsets(rng) & ~uint64_t{4095}, 4096);
      if (!page.ok()) Die(page.status());
    }
    std::printf("random 4 KiB reads, %4u KiB chunks: %7.1f us cpu per read, %.3f chunks per read\n",
                chunk >> 10, 1e6 * timer.Cpu() / reads,
                static_cast<double>((*reader)->chunks_decrypted()) / reads);
  }
  ::unlink(plain.c_str());
  ::unlink(enc.c_str());
  ::unlink(out.c_str());
  return 0;
}
