// docs/formats/encrypted-dataset.md is the contract: this test builds containers from the
// document's description alone, with OpenSSL's EVP calls directly (none of the container code),
// and checks that our reader opens them and that our writer produces the same bytes.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>

#include "crypto/container.h"
#include "crypto/tests/known_answer_access.h"

namespace cleanroom::crypto::container {
namespace {

void PutBE(Bytes& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

Bytes EvpSha256(ByteSpan data) {
  Bytes out(32);
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr), 1);
  return out;
}

// "key_id: first 16 bytes of HMAC-SHA256(DEK, "cleanroom.container.key-id.v1")".
Bytes DocumentKeyId(ByteSpan dek) {
  static const std::string kLabel = "cleanroom.container.key-id.v1";
  uint8_t mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), dek.data(), static_cast<int>(dek.size()),
       reinterpret_cast<const uint8_t*>(kLabel.data()), kLabel.size(), mac, &len);
  return Bytes(mac, mac + 16);
}

// AES-256-GCM with a 96-bit nonce; returns ciphertext || tag.
Bytes EvpSeal(ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(plaintext.size() + 16);
  int len = 0;
  EXPECT_EQ(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())), 1);
  if (!plaintext.empty()) {
    EXPECT_EQ(EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(),
                                static_cast<int>(plaintext.size())),
              1);
  }
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx, out.data() + plaintext.size(), &len), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + plaintext.size()), 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// The container exactly as the document lays it out.
Bytes DocumentContainer(ByteSpan dek, const std::string& dataset_id, uint32_t chunk_size,
                        const std::array<uint8_t, 4>& nonce_prefix, ByteSpan plaintext) {
  Bytes header = {0x43, 0x52, 0x45, 0x4E, 0x43, 0x44, 0x53, 0x0A};  // magic "CRENCDS\n"
  PutBE(header, 1, 2);                                              // version
  PutBE(header, 1, 2);                                              // aead: AES-256-GCM
  PutBE(header, chunk_size, 4);                                     // chunk_size C
  header.insert(header.end(), nonce_prefix.begin(), nonce_prefix.end());
  Bytes key_id = DocumentKeyId(dek);
  header.insert(header.end(), key_id.begin(), key_id.end());
  PutBE(header, dataset_id.size(), 2);  // dataset_id_len L
  header.insert(header.end(), dataset_id.begin(), dataset_id.end());
  Bytes header_hash = EvpSha256(header);  // SHA-256 of bytes [0, 38+L)
  header.insert(header.end(), header_hash.begin(), header_hash.end());
  EXPECT_EQ(header.size(), 70 + dataset_id.size());  // H = 70 + L

  Bytes out = header;
  // Chunks of exactly C bytes but the last (1..C bytes); an empty plaintext is one empty chunk.
  const size_t n = plaintext.empty() ? 1 : (plaintext.size() + chunk_size - 1) / chunk_size;
  for (size_t i = 0; i < n; ++i) {
    size_t from = i * chunk_size;
    size_t len = std::min<size_t>(chunk_size, plaintext.size() - from);
    Bytes nonce(nonce_prefix.begin(), nonce_prefix.end());  // N_i = prefix || I2OSP(i, 8)
    PutBE(nonce, i, 8);
    Bytes aad = header_hash;  // A_i = header_hash || I2OSP(i, 8) || final_i
    PutBE(aad, i, 8);
    aad.push_back(i + 1 == n ? 0x01 : 0x00);
    Bytes sealed = EvpSeal(dek, nonce, aad, plaintext.subspan(from, len));
    EXPECT_EQ(out.size(), header.size() + i * (chunk_size + 16));  // offset H + i(C + 16)
    out.insert(out.end(), sealed.begin(), sealed.end());
  }
  return out;
}

Bytes Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

TEST(ContainerFormatTest, ContainersBuiltFromTheDocumentMatchOurWriterAndReader) {
  Bytes dek = Random(32, 1);
  DataKey key = std::move(DataKey::FromBytes(dek)).value();
  EXPECT_EQ(Bytes(key.key_id().begin(), key.key_id().end()), DocumentKeyId(dek));
  const std::array<uint8_t, 4> prefix = {0xA1, 0xB2, 0xC3, 0xD4};
  const uint32_t chunk = 1024;
  for (size_t size : {size_t{0}, size_t{1}, size_t{chunk}, size_t{chunk + 1}, 7 * size_t{chunk},
                      7 * size_t{chunk} + 500}) {
    for (const std::string& id :
         {std::string(), std::string("sales/2026-11"), std::string(1024, 'x')}) {
      SCOPED_TRACE("plaintext " + std::to_string(size) + " bytes, dataset id " +
                   std::to_string(id.size()) + " bytes");
      Bytes plaintext = Random(size, 2 + static_cast<uint32_t>(size));
      Bytes document = DocumentContainer(dek, id, chunk, prefix, plaintext);

      // Our writer, with the same nonce prefix, produces the document's bytes exactly.
      EncryptOptions options;
      options.dataset_id = id;
      options.chunk_size = chunk;
      EncryptSummary summary;
      auto ours =
          testing::KnownAnswerAccess::EncryptBuffer(key, options, prefix, plaintext, &summary);
      ASSERT_TRUE(ours.ok()) << ours.status().ToString();
      EXPECT_EQ(*ours, document);
      EXPECT_EQ(summary.header.encoded_size, 70 + id.size());
      EXPECT_EQ(Bytes(summary.plaintext_sha256.begin(), summary.plaintext_sha256.end()),
                EvpSha256(plaintext));

      // Our reader opens the document's container: the sizes follow the document's formulas.
      auto reader = Reader::Open(MemoryInput(document), key);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      const uint64_t body = document.size() - (70 + id.size());
      const uint64_t n = (body + chunk + 16 - 1) / (chunk + 16);
      EXPECT_EQ((*reader)->chunk_count(), n);
      EXPECT_EQ((*reader)->plaintext_size(),
                (n - 1) * chunk + (body - (n - 1) * (chunk + 16)) - 16);
      EXPECT_EQ((*reader)->header().dataset_id, id);
      auto back = (*reader)->DecryptToBuffer();
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(*back, plaintext);
    }
  }
}

TEST(ContainerFormatTest, TheDekFileIsTheDocumentedJson) {
  Bytes dek = Random(32, 3);
  DataKey key = std::move(DataKey::FromBytes(dek)).value();
  std::string text = key.Serialize();
  EXPECT_EQ(text, "{\"format\":\"cleanroom-dek\",\"version\":1,\"alg\":\"A256GCM\",\"key_id\":\"" +
                      HexEncode(DocumentKeyId(dek)) + "\",\"key\":\"" + Base64Encode(dek) +
                      "\"}\n");
  SecureWipe(text.data(), text.size());
}

TEST(ContainerFormatTest, TheDocumentsRefusalsAreDataLoss) {
  Bytes dek = Random(32, 4);
  DataKey key = std::move(DataKey::FromBytes(dek)).value();
  const Bytes good = DocumentContainer(dek, "ds", 1024, {1, 2, 3, 4}, Random(3000, 5));
  // Each header field out of range, with the header hash recomputed so that only the field is
  // wrong (the hash check alone would refuse any edit otherwise).
  struct Edit {
    const char* what;
    size_t offset;
    Bytes value;
  };
  for (const Edit& edit : {Edit{"version 2", 8, {0, 2}}, Edit{"aead 2", 10, {0, 2}},
                           Edit{"chunk size 1023", 12, {0, 0, 0x03, 0xFF}},
                           Edit{"chunk size 64 MiB + 1", 12, {0x04, 0, 0, 1}}}) {
    Bytes bad = good;
    std::copy(edit.value.begin(), edit.value.end(), bad.begin() + edit.offset);
    Bytes hash = EvpSha256(ByteSpan(bad.data(), 40));
    std::copy(hash.begin(), hash.end(), bad.begin() + 40);
    auto reader = Reader::Open(MemoryInput(bad), key);
    ASSERT_FALSE(reader.ok()) << edit.what;
    EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss) << edit.what;
  }
  // B = 0: the header alone.
  auto header_only = Reader::Open(MemoryInput(ByteSpan(good.data(), 72)), key);
  ASSERT_FALSE(header_only.ok());
  EXPECT_NE(header_only.status().message().find("chunk 0"), std::string::npos);
  // A last chunk shorter than its tag.
  auto short_last = Reader::Open(MemoryInput(ByteSpan(good.data(), 72 + 2 * 1040 + 15)), key);
  ASSERT_FALSE(short_last.ok());
  EXPECT_NE(short_last.status().message().find("chunk 2 of 3"), std::string::npos)
      << short_last.status().message();
}

}  // namespace
}  // namespace cleanroom::crypto::container
