#include "crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdlib>

#include "crypto/openssl_util.h"

namespace cleanroom::crypto {
namespace {

const EVP_MD* Md(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return EVP_sha256();
    case HashAlgorithm::kSha384:
      return EVP_sha384();
    case HashAlgorithm::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

// Hash failures on valid inputs mean a broken libcrypto: there is no sensible recovery.
void Check(int ok) {
  if (ok != 1) std::abort();
}

}  // namespace

size_t HashSize(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kSha384:
      return 48;
    case HashAlgorithm::kSha512:
      return 64;
  }
  return 32;
}

Sha256Digest Sha256(ByteSpan data) {
  Sha256Digest out;
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr));
  return out;
}

Bytes Hash(HashAlgorithm algorithm, ByteSpan data) {
  Bytes out(HashSize(algorithm));
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), out.data(), &len, Md(algorithm), nullptr));
  return out;
}

std::string Sha256Hex(ByteSpan data) {
  Sha256Digest d = Sha256(data);
  return HexEncode(d);
}

struct Sha256Hasher::State {
  internal::MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  if (!state_->ctx) std::abort();
  Check(EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr));
}
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(ByteSpan data) {
  Check(EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()));
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(state_->ctx.get(), out.data(), &len));
  Check(EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr));
  return out;
}

Bytes Hmac(HashAlgorithm algorithm, ByteSpan key, ByteSpan data) {
  Bytes out(HashSize(algorithm));
  unsigned int len = 0;
  // HMAC() with a null key pointer and length 0 is valid HMAC with an empty key.
  static const uint8_t kEmpty = 0;
  if (HMAC(Md(algorithm), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
           data.data(), data.size(), out.data(), &len) == nullptr) {
    std::abort();
  }
  return out;
}

Bytes HkdfExtract(HashAlgorithm algorithm, ByteSpan salt, ByteSpan ikm) {
  // RFC 5869 section 2.2: an absent salt is HashLen zero bytes.
  if (salt.empty()) {
    Bytes zero(HashSize(algorithm), 0);
    return Hmac(algorithm, zero, ikm);
  }
  return Hmac(algorithm, salt, ikm);
}

Result<Bytes> HkdfExpand(HashAlgorithm algorithm, ByteSpan prk, ByteSpan info, size_t length) {
  size_t hash_len = HashSize(algorithm);
  if (length > 255 * hash_len) {
    return Status::InvalidArgument("HKDF-Expand: requested length exceeds 255 * hash length");
  }
  if (prk.size() < hash_len) return Status::InvalidArgument("HKDF-Expand: PRK too short");
  Bytes out;
  out.reserve(length + hash_len);
  Bytes t;
  Bytes block;
  for (uint8_t counter = 1; out.size() < length; ++counter) {
    block.assign(t.begin(), t.end());
    block.insert(block.end(), info.begin(), info.end());
    block.push_back(counter);
    SecureWipe(t);
    t = Hmac(algorithm, prk, block);
    out.insert(out.end(), t.begin(), t.end());
  }
  SecureWipe(t);
  SecureWipe(block);
  // Wipe the tail beyond `length` before shrinking so no key stream remains in the spare capacity.
  SecureWipe(out.data() + length, out.size() - length);
  out.resize(length);
  return out;
}

}  // namespace cleanroom::crypto
