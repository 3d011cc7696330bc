// The container's content hashes of kind sha256-tree-v1, inline (one CPU) and on the helper
// thread (two CPUs), against the tree computed over the same bytes on their own.
#include <gtest/gtest.h>
#include <sched.h>

#include <random>

#include "crypto/container.h"
#include "crypto/sha256_tree.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto::container {
namespace {

// Runs `body` with this process restricted to `cpus` CPUs (when the machine has them), then
// restores the affinity it had.
template <typename Body>
void WithCpus(int cpus, Body&& body) {
  cpu_set_t saved;
  CPU_ZERO(&saved);
  ASSERT_EQ(sched_getaffinity(0, sizeof(saved), &saved), 0);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu = 0, added = 0; cpu < CPU_SETSIZE && added < cpus; ++cpu) {
    if (CPU_ISSET(cpu, &saved)) {
      CPU_SET(cpu, &set);
      ++added;
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
  body();
  ASSERT_EQ(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

TEST(ContainerHashTest, TreeHashesOfPlaintextAndContainerMatchTheTreeOfTheirBytes) {
  DataKey key = std::move(DataKey::Generate()).value();
  for (int cpus : {1, 2}) {
    WithCpus(cpus, [&] {
      for (uint32_t chunk : {1024u, 65536u, 262144u}) {
        for (size_t n : {size_t{0}, size_t{1}, size_t{300000}, (size_t{1} << 20) + 5}) {
          Bytes plaintext = testing::SeededBytes(n, chunk + static_cast<uint32_t>(n));
          EncryptOptions options;
          options.dataset_id = "tree";
          options.chunk_size = chunk;
          options.hash_container = true;
          options.hash_kind = ContentHashKind::kSha256Tree;
          EncryptSummary summary;
          auto container = EncryptBuffer(key, options, plaintext, &summary);
          ASSERT_TRUE(container.ok()) << container.status().ToString();
          const std::string where = std::to_string(cpus) + " cpus, chunk " + std::to_string(chunk) +
                                    ", " + std::to_string(n) + " bytes";
          EXPECT_EQ(summary.plaintext_sha256, Sha256Tree(plaintext)) << where;
          EXPECT_EQ(summary.container_sha256, Sha256Tree(*container)) << where;
          auto reader = Reader::Open(MemoryInput(*container), key);
          ASSERT_TRUE(reader.ok()) << reader.status().ToString();
          Bytes back;
          auto digest = (*reader)->DecryptAll(
              [&back](uint64_t, ByteSpan piece) {
                back.insert(back.end(), piece.begin(), piece.end());
                return Status::OK();
              },
              nullptr, ContentHashKind::kSha256Tree);
          ASSERT_TRUE(digest.ok()) << digest.status().ToString();
          EXPECT_EQ(*digest, summary.plaintext_sha256) << where;
          EXPECT_EQ(back, plaintext) << where;
        }
      }
    });
  }
}

}  // namespace
}  // namespace cleanroom::crypto::container
