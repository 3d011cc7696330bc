// SHA-256 throughput on one core: OpenSSL's one stream against 1 to 4 interleaved SHA-NI lanes
// (crypto/sha256_lanes.h), over the same buffer cut into equal leaves. The process pins itself to
// CPU 0; figures are GB per CPU-second of this thread (and wall).
//
// usage: bench_crypto_sha256_lanes [SIZE_MIB] [LEAF_KIB]
#include <sched.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "crypto/hash.h"
#include "crypto/sha256_lanes.h"

namespace cr = cleanroom;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <typename F>
void Measure(const char* name, double gb, F&& work) {
  double best_cpu = 1e30, best_wall = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    auto wall = std::chrono::steady_clock::now();
    double cpu = ThreadCpuSeconds();
    work();
    best_cpu = std::min(best_cpu, ThreadCpuSeconds() - cpu);
    best_wall = std::min(
        best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count());
  }
  std::printf("%-36s %8.2f GB/cpu-s %8.2f GB/s wall\n", name, gb / best_cpu, gb / best_wall);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const size_t leaf = (argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 64) << 10;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0)
    std::fprintf(stderr, "could not pin to CPU 0\n");
  cr::Bytes data(mib << 20);
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(data.data() + i, &v, 8);
  }
  const double gb = static_cast<double>(data.size()) / 1e9;
  std::printf("SHA-256 of %zu MiB in %zu KiB leaves, one core; SHA-NI lanes %s\n", mib, leaf >> 10,
              cr::crypto::Sha256LanesAccelerated() ? "available" : "NOT available (OpenSSL)");
  std::vector<cr::ByteSpan> leaves;
  for (size_t off = 0; off < data.size(); off += leaf) {
    leaves.emplace_back(data.data() + off, std::min(leaf, data.size() - off));
  }
  std::vector<cr::crypto::Sha256Digest> digests(leaves.size());
  volatile uint8_t sink = 0;
  Measure("OpenSSL SHA-256, one stream", gb, [&] { sink = sink ^ cr::crypto::Sha256(data)[0]; });
  Measure("OpenSSL SHA-256, per leaf", gb, [&] {
    for (size_t i = 0; i < leaves.size(); ++i) digests[i] = cr::crypto::Sha256(leaves[i]);
  });
  for (size_t lanes = 1; lanes <= cr::crypto::kSha256MaxLanes; ++lanes) {
    char name[64];
    std::snprintf(name, sizeof(name), "SHA-NI, %zu interleaved lane%s", lanes,
                  lanes > 1 ? "s" : "");
    Measure(name, gb, [&] { cr::crypto::Sha256Many(leaves, digests.data(), lanes); });
  }
  return 0;
}
