#include "crypto/container.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "base/file.h"
#include "crypto/tests/test_util.h"

namespace cleanroom::crypto::container {
namespace {

constexpr size_t kChunk = 1024;  // Small chunks: many of them in little data.
constexpr size_t kUnit = kChunk + kTagSize;

Bytes Pattern(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

struct Sealed {
  Bytes container;
  EncryptSummary summary;
};

Sealed Seal(const DataKey& key, ByteSpan plaintext, const std::string& dataset_id = "ds-1") {
  EncryptOptions options;
  options.dataset_id = dataset_id;
  options.chunk_size = kChunk;
  Sealed s;
  auto c = EncryptBuffer(key, options, plaintext, &s.summary);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  s.container = std::move(c).value();
  return s;
}

DataKey NewKey() { return std::move(DataKey::Generate()).value(); }

// DataLoss, and the message names `chunk` (or the header when chunk < 0).
void ExpectDataLoss(const Status& s, int64_t chunk) {
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  std::string want = chunk >= 0 ? "chunk " + std::to_string(chunk) : "header";
  EXPECT_NE(s.message().find(want), std::string::npos) << s.message() << " should name " << want;
}

TEST(ContainerTest, RoundTripsAndRecordsTheContentHash) {
  DataKey key = NewKey();
  for (size_t n : {size_t{0}, size_t{1}, size_t{kChunk - 1}, size_t{kChunk}, size_t{kChunk + 1},
                   size_t{5 * kChunk}, size_t{5 * kChunk + 17}}) {
    Bytes plaintext = Pattern(n);
    Sealed s = Seal(key, plaintext);
    EXPECT_EQ(s.summary.plaintext_size, n);
    EXPECT_EQ(s.summary.chunk_count, n == 0 ? 1 : (n + kChunk - 1) / kChunk);
    EXPECT_EQ(s.summary.container_size, s.container.size());
    EXPECT_EQ(s.summary.plaintext_sha256, Sha256(plaintext));
    auto back = DecryptBuffer(key, s.container);
    ASSERT_TRUE(back.ok()) << n << ": " << back.status().ToString();
    EXPECT_EQ(*back, plaintext) << n;
  }
}

TEST(ContainerTest, ContainerHashIsTheSha256OfTheBytesWritten) {
  DataKey key = NewKey();
  for (bool hash_plaintext : {false, true}) {
    for (size_t n : {size_t{0}, size_t{kChunk}, size_t{kChunk + 1}, size_t{40 * kChunk + 3}}) {
      Bytes plaintext = Pattern(n);
      EncryptOptions options;
      options.chunk_size = kChunk;
      options.hash_plaintext = hash_plaintext;
      options.hash_container = true;
      EncryptSummary summary;
      auto container = EncryptBuffer(key, options, plaintext, &summary);
      ASSERT_TRUE(container.ok()) << container.status().ToString();
      EXPECT_EQ(summary.container_sha256, Sha256(*container)) << n;
      EXPECT_EQ(summary.plaintext_sha256, hash_plaintext ? Sha256(plaintext) : Sha256Digest{});
      EXPECT_EQ(*DecryptBuffer(key, *container), plaintext);
    }
  }
}

TEST(ContainerTest, EmptyFileAndExactlyOneChunk) {
  DataKey key = NewKey();
  Sealed empty = Seal(key, {});
  EXPECT_EQ(empty.summary.chunk_count, 1u);
  EXPECT_EQ(empty.container.size(), empty.summary.header.encoded_size + kTagSize);
  auto reader = Reader::Open(MemoryInput(empty.container), key);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->plaintext_size(), 0u);
  auto chunk = (*reader)->ReadChunk(0);
  ASSERT_TRUE(chunk.ok());
  EXPECT_TRUE(chunk->empty());

  Bytes one = Pattern(kChunk);
  Sealed single = Seal(key, one);
  EXPECT_EQ(single.summary.chunk_count, 1u);
  EXPECT_EQ(single.container.size(), single.summary.header.encoded_size + kUnit);
  EXPECT_EQ(*DecryptBuffer(key, single.container), one);
}

TEST(ContainerTest, RandomAccessDecryptsOneChunk) {
  DataKey key = NewKey();
  Bytes plaintext = Pattern(37 * kChunk + 100);
  Sealed s = Seal(key, plaintext);
  auto reader = Reader::Open(MemoryInput(s.container), key);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->chunk_count(), 38u);
  std::mt19937 rng(7);
  for (int i = 0; i < 50; ++i) {
    uint64_t before = (*reader)->chunks_decrypted();
    size_t offset = rng() % (plaintext.size() - 64);
    offset -= offset % kChunk == kChunk - 1 ? 63 : 0;  // Keep most reads inside one chunk.
    size_t len = std::min<size_t>(64, kChunk - offset % kChunk);
    auto got = (*reader)->ReadRange(offset, len);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, Bytes(plaintext.begin() + offset, plaintext.begin() + offset + len));
    EXPECT_EQ((*reader)->chunks_decrypted() - before, 1u);
  }
  for (uint64_t i : {uint64_t{37}, uint64_t{0}, uint64_t{20}}) {
    auto chunk = (*reader)->ReadChunk(i);
    ASSERT_TRUE(chunk.ok());
    size_t from = i * kChunk;
    size_t len = std::min<size_t>(kChunk, plaintext.size() - from);
    EXPECT_EQ(*chunk, Bytes(plaintext.begin() + from, plaintext.begin() + from + len));
  }
  EXPECT_EQ((*reader)->ReadChunk(38).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE((*reader)->ReadRange(plaintext.size() - 1, 2).ok());
  auto span = (*reader)->ReadRange(kChunk - 10, 3 * kChunk);  // Across chunks.
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(*span, Bytes(plaintext.begin() + kChunk - 10, plaintext.begin() + 4 * kChunk - 10));
}

TEST(ContainerTest, TruncationIsDetected) {
  DataKey key = NewKey();
  Sealed s = Seal(key, Pattern(4 * kChunk + 10));  // Chunks 0..4, the last partial.
  size_t h = s.summary.header.encoded_size;
  // At a chunk boundary: the last remaining chunk was not sealed as final.
  for (size_t keep : {size_t{1}, size_t{2}, size_t{4}}) {
    Bytes cut(s.container.begin(), s.container.begin() + h + keep * kUnit);
    ExpectDataLoss(DecryptBuffer(key, cut).status(), static_cast<int64_t>(keep - 1));
  }
  // Right after the header: no chunk at all.
  ExpectDataLoss(DecryptBuffer(key, Bytes(s.container.begin(), s.container.begin() + h)).status(),
                 0);
  // Mid-chunk.
  Bytes mid(s.container.begin(), s.container.begin() + h + 2 * kUnit + 500);
  ExpectDataLoss(DecryptBuffer(key, mid).status(), 2);
  Bytes tiny_tail(s.container.begin(), s.container.begin() + h + 2 * kUnit + 5);
  ExpectDataLoss(DecryptBuffer(key, tiny_tail).status(), 2);
  // Inside the header.
  ExpectDataLoss(DecryptBuffer(key, Bytes(s.container.begin(), s.container.begin() + 20)).status(),
                 -1);
  // Appending a chunk (or bytes) is detected too.
  Bytes longer = s.container;
  longer.insert(longer.end(), s.container.end() - 26, s.container.end());
  EXPECT_EQ(DecryptBuffer(key, longer).status().code(), StatusCode::kDataLoss);
}

TEST(ContainerTest, ReorderedChunksAreDetected) {
  DataKey key = NewKey();
  Sealed s = Seal(key, Pattern(4 * kChunk));
  size_t h = s.summary.header.encoded_size;
  Bytes swapped = s.container;
  std::swap_ranges(swapped.begin() + h + 1 * kUnit, swapped.begin() + h + 2 * kUnit,
                   swapped.begin() + h + 2 * kUnit);
  ExpectDataLoss(DecryptBuffer(key, swapped).status(), 1);
  auto reader = Reader::Open(MemoryInput(swapped), key);
  ASSERT_TRUE(reader.ok());
  ExpectDataLoss((*reader)->ReadChunk(2).status(), 2);
  EXPECT_TRUE((*reader)->ReadChunk(0).ok());
  EXPECT_TRUE((*reader)->ReadChunk(3).ok());
}

// The public API has no way to choose the nonce prefix: the same plaintext sealed twice under one
// key gets two prefixes, so no chunk nonce repeats.
TEST(ContainerTest, EveryContainerDrawsAFreshNoncePrefix) {
  DataKey key = NewKey();
  Bytes plaintext = Pattern(2 * kChunk, 7);
  Sealed a = Seal(key, plaintext);
  Sealed b = Seal(key, plaintext);
  EXPECT_NE(a.summary.header.nonce_prefix, b.summary.header.nonce_prefix);
  EXPECT_NE(a.container, b.container);
}

TEST(ContainerTest, ChunkFromAnotherFileWithTheSameKeyIsDetected) {
  DataKey key = NewKey();
  Sealed a = Seal(key, Pattern(3 * kChunk, 1), "ds-a");
  Sealed b = Seal(key, Pattern(3 * kChunk, 2),
                  "ds-a");  // Same id, same key: only the header's nonce prefix differs.
  size_t h = a.summary.header.encoded_size;
  ASSERT_EQ(h, b.summary.header.encoded_size);
  Bytes mixed = a.container;
  std::copy(b.container.begin() + h + kUnit, b.container.begin() + h + 2 * kUnit,
            mixed.begin() + h + kUnit);
  ExpectDataLoss(DecryptBuffer(key, mixed).status(), 1);
}

TEST(ContainerTest, EveryFlippedBitIsDetected) {
  DataKey key = NewKey();
  Sealed s = Seal(key, Pattern(3 * kChunk + 300));
  size_t h = s.summary.header.encoded_size;
  // Every byte offset of the header and every 7th of the body, with a varying bit.
  for (size_t offset = 0; offset < s.container.size(); offset += offset < h ? 1 : 7) {
    Bytes bad = s.container;
    bad[offset] ^= static_cast<uint8_t>(1u << (offset % 8));
    Status status = DecryptBuffer(key, bad).status();
    int64_t chunk = offset < h ? -1 : static_cast<int64_t>((offset - h) / kUnit);
    ExpectDataLoss(status, chunk);
    if (status.code() != StatusCode::kDataLoss) break;
  }
}

TEST(ContainerTest, TamperedHeaderWithRecomputedHashIsDetectedAtTheChunks) {
  DataKey key = NewKey();
  Sealed s = Seal(key, Pattern(2 * kChunk), "ds-1");
  // Re-encode the header with another dataset id and a valid hash: every chunk's AAD binds the
  // original header hash, so the chunks refuse it.
  Header forged = s.summary.header;
  forged.dataset_id = "ds-2";
  auto forged_bytes = EncodeHeader(forged);
  ASSERT_TRUE(forged_bytes.ok());
  Bytes bad = *forged_bytes;
  bad.insert(bad.end(), s.container.begin() + s.summary.header.encoded_size, s.container.end());
  ExpectDataLoss(DecryptBuffer(key, bad).status(), 0);
}

TEST(ContainerTest, WrongKeyIsDataLossNamingTheChunk) {
  DataKey key = NewKey(), other = NewKey();
  Sealed s = Seal(key, Pattern(2 * kChunk));
  Status status = DecryptBuffer(other, s.container).status();
  ExpectDataLoss(status, 0);
  EXPECT_NE(status.message().find("wrong key"), std::string::npos);
}

TEST(ContainerTest, HeaderParsingErrors) {
  DataKey key = NewKey();
  Sealed s = Seal(key, Pattern(10));
  auto h = ParseHeader(s.container);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->dataset_id, "ds-1");
  EXPECT_EQ(h->chunk_size, kChunk);
  EXPECT_EQ(h->key_id, key.key_id());
  EXPECT_EQ(ParseHeader(ToBytes("PK\x03\x04 not ours")).status().code(), StatusCode::kDataLoss);
  Header bad;
  bad.chunk_size = 100;
  EXPECT_EQ(EncodeHeader(bad).status().code(), StatusCode::kInvalidArgument);
  bad.chunk_size = kChunk;
  bad.dataset_id = std::string(kMaxDatasetIdSize + 1, 'x');
  EXPECT_EQ(EncodeHeader(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(ContainerTest, DataKeyFileRoundTrip) {
  DataKey key = NewKey();
  std::string text = key.Serialize();
  auto parsed = DataKey::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(std::equal(parsed->bytes().begin(), parsed->bytes().end(), key.bytes().begin()));
  EXPECT_EQ(parsed->key_id(), key.key_id());
  // A corrupted key no longer matches its id; error text never quotes the key.
  std::string corrupt = text;
  size_t at = corrupt.find("\"key\":\"") + 8;
  corrupt[at] = corrupt[at] == 'A' ? 'B' : 'A';
  auto bad = DataKey::Parse(corrupt);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find(Base64Encode(key.bytes()).substr(0, 8)), std::string::npos);
  EXPECT_FALSE(DataKey::Parse("{}").ok());
  EXPECT_FALSE(DataKey::Parse("not json").ok());
  EXPECT_FALSE(DataKey::FromBytes(Bytes(31, 0)).ok());
}

TEST(ContainerTest, FilesAreAtomicAndLeaveNothingOnFailure) {
  std::string dir = testing::MakeTempDir();
  DataKey key = NewKey();
  Bytes plaintext = Pattern(3 * kDefaultChunkSize / 2);
  ASSERT_TRUE(WriteFileAtomic(dir + "/plain", AsStringView(plaintext)).ok());
  EncryptOptions options;
  options.dataset_id = "file-test";
  uint64_t last_progress = 0;
  options.progress = [&](uint64_t done) { last_progress = done; };
  auto summary = EncryptFile(key, options, dir + "/plain", dir + "/plain.enc");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(last_progress, plaintext.size());
  EXPECT_EQ(summary->chunk_count, 2u);
  auto decrypted = DecryptFile(key, dir + "/plain.enc", dir + "/plain.out");
  ASSERT_TRUE(decrypted.ok()) << decrypted.status().ToString();
  EXPECT_EQ(decrypted->plaintext_sha256, summary->plaintext_sha256);
  EXPECT_EQ(decrypted->dataset_id, "file-test");
  EXPECT_EQ(*ReadFileToString(dir + "/plain.out"), AsStringView(plaintext));

  // Wrong key and a tampered last chunk: no output file, no temporary left behind.
  DataKey other = NewKey();
  EXPECT_EQ(DecryptFile(other, dir + "/plain.enc", dir + "/wrong.out").status().code(),
            StatusCode::kDataLoss);
  auto enc = ReadFileToString(dir + "/plain.enc");
  ASSERT_TRUE(enc.ok());
  std::string tampered = *enc;
  tampered[tampered.size() - 3] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(dir + "/tampered.enc", tampered).ok());
  EXPECT_EQ(DecryptFile(key, dir + "/tampered.enc", dir + "/tampered.out").status().code(),
            StatusCode::kDataLoss);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "plain" || name == "plain.enc" || name == "plain.out" ||
                name == "tampered.enc")
        << "left behind: " << name;
  }
  EXPECT_EQ(EncryptFile(key, options, dir + "/missing", dir + "/x.enc").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace cleanroom::crypto::container
