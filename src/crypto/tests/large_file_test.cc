// A container over 4 GiB (label: slow): encrypted and decrypted streaming, never held in memory.
// The plaintext is generated on the fly (a counter pattern, so every chunk differs), the
// container goes to a sparse-friendly temporary file, and reads at the far end check the 64-bit
// offsets and chunk indices.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "crypto/container.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto::container {
namespace {

constexpr uint64_t kSize = (uint64_t{4} << 30) + 12345;  // Just over 4 GiB.

// The plaintext byte block at `offset` (8-byte aligned words holding their own offset).
void Fill(uint64_t offset, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n;) {
    uint64_t word_at = (offset + i) & ~uint64_t{7};
    uint64_t word = word_at * 0x9E3779B97F4A7C15ULL;
    size_t from = static_cast<size_t>(offset + i - word_at);
    size_t k = std::min<size_t>(8 - from, n - i);
    std::memcpy(out + i, reinterpret_cast<uint8_t*>(&word) + from, k);
    i += k;
  }
}

TEST(LargeContainerTest, OverFourGiBStreamingAndRandomAccess) {
  std::string dir = testing::MakeTempDir();
  std::string path = dir + "/large.enc";
  auto key = DataKey::Generate();
  ASSERT_TRUE(key.ok());
  uint64_t pos = 0;
  Sha256Hasher expected_hash;
  ReadFn read = [&](uint8_t* buffer, size_t size) -> Result<size_t> {
    size_t n = static_cast<size_t>(std::min<uint64_t>(size, kSize - pos));
    Fill(pos, buffer, n);
    expected_hash.Update(ByteSpan(buffer, n));
    pos += n;
    return n;
  };
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  WriteFn write = [f](ByteSpan d) {
    return std::fwrite(d.data(), 1, d.size(), f) == d.size() ? Status::OK()
                                                             : Status::Internal("write failed");
  };
  EncryptOptions options;
  options.dataset_id = "large";
  options.chunk_size = 4u << 20;
  auto summary = EncryptStream(*key, options, read, write);
  std::fclose(f);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->plaintext_size, kSize);
  EXPECT_EQ(summary->plaintext_sha256, expected_hash.Finish());
  EXPECT_EQ(std::filesystem::file_size(path), summary->container_size);

  auto input = OpenFileInput(path);
  ASSERT_TRUE(input.ok());
  auto reader = Reader::Open(std::move(input).value(), *key);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->plaintext_size(), kSize);
  // Random access beyond 4 GiB, across the last chunk boundary.
  for (uint64_t offset : {kSize - 5000, (uint64_t{4} << 30) - 100, uint64_t{3} << 30}) {
    auto got = (*reader)->ReadRange(offset, 4096);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    Bytes want(4096);
    Fill(offset, want.data(), want.size());
    EXPECT_EQ(*got, want) << offset;
  }
  // A full streaming decryption in bounded memory, checked chunk by chunk.
  uint64_t checked = 0;
  Bytes want;
  auto digest = (*reader)->DecryptAll([&](uint64_t, ByteSpan chunk) {
    want.resize(chunk.size());
    Fill(checked, want.data(), want.size());
    if (!std::equal(chunk.begin(), chunk.end(), want.begin())) {
      return Status::Internal("plaintext differs at offset " + std::to_string(checked));
    }
    checked += chunk.size();
    return Status::OK();
  });
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(checked, kSize);
  EXPECT_EQ(*digest, summary->plaintext_sha256);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cleanroom::crypto::container
