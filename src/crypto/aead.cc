#include "crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>

#include "crypto/openssl_util.h"

namespace cleanroom::crypto {
namespace {

const EVP_CIPHER* Cipher(AeadAlgorithm algorithm) {
  switch (algorithm) {
    case AeadAlgorithm::kAes128Gcm:
      return EVP_aes_128_gcm();
    case AeadAlgorithm::kAes256Gcm:
      return EVP_aes_256_gcm();
    case AeadAlgorithm::kChaCha20Poly1305:
      return EVP_chacha20_poly1305();
  }
  return nullptr;
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// OpenSSL's update functions take int lengths: feed large inputs in pieces.
constexpr size_t kMaxUpdate = size_t{1} << 30;

}  // namespace

size_t AeadKeySize(AeadAlgorithm algorithm) {
  return algorithm == AeadAlgorithm::kAes128Gcm ? 16 : 32;
}

const char* AeadName(AeadAlgorithm algorithm) {
  switch (algorithm) {
    case AeadAlgorithm::kAes128Gcm:
      return "AES-128-GCM";
    case AeadAlgorithm::kAes256Gcm:
      return "AES-256-GCM";
    case AeadAlgorithm::kChaCha20Poly1305:
      return "ChaCha20-Poly1305";
  }
  return "unknown";
}

// Two contexts keyed once: one for sealing, one for opening. EVP_CIPHER_CTX_free cleanses the
// key schedule.
struct Aead::State {
  CipherCtxPtr seal;
  CipherCtxPtr open;
};

Result<Aead> Aead::Create(AeadAlgorithm algorithm, ByteSpan key) {
  if (key.size() != AeadKeySize(algorithm)) {
    return Status::InvalidArgument(std::string(AeadName(algorithm)) + ": key must be " +
                                   std::to_string(AeadKeySize(algorithm)) + " bytes");
  }
  auto state = std::make_unique<State>();
  state->seal.reset(EVP_CIPHER_CTX_new());
  state->open.reset(EVP_CIPHER_CTX_new());
  if (!state->seal || !state->open) return internal::OpenSslError("AEAD: context allocation");
  if (EVP_EncryptInit_ex(state->seal.get(), Cipher(algorithm), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(state->open.get(), Cipher(algorithm), nullptr, key.data(), nullptr) != 1) {
    return internal::OpenSslError("AEAD: key setup");
  }
  return Aead(algorithm, std::move(state));
}

Aead::Aead(AeadAlgorithm algorithm, std::unique_ptr<State> state)
    : algorithm_(algorithm), state_(std::move(state)) {}
Aead::Aead(Aead&&) noexcept = default;
Aead& Aead::operator=(Aead&&) noexcept = default;
Aead::~Aead() = default;

Status Aead::SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan in, uint8_t* out, uint8_t* tag) {
  if (nonce.size() != kAeadNonceSize)
    return Status::InvalidArgument("AEAD: nonce must be 12 bytes");
  EVP_CIPHER_CTX* ctx = state_->seal.get();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1) {
    return internal::OpenSslError("AEAD seal: nonce setup");
  }
  for (size_t off = 0; off < aad.size(); off += kMaxUpdate) {
    int n = static_cast<int>(std::min(kMaxUpdate, aad.size() - off));
    if (EVP_EncryptUpdate(ctx, nullptr, &len, aad.data() + off, n) != 1) {
      return internal::OpenSslError("AEAD seal: associated data");
    }
  }
  for (size_t off = 0; off < in.size(); off += kMaxUpdate) {
    int n = static_cast<int>(std::min(kMaxUpdate, in.size() - off));
    if (EVP_EncryptUpdate(ctx, out + off, &len, in.data() + off, n) != 1) {
      return internal::OpenSslError("AEAD seal: encryption");
    }
  }
  if (EVP_EncryptFinal_ex(ctx, out + in.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagSize, tag) != 1) {
    return internal::OpenSslError("AEAD seal: finish");
  }
  return Status::OK();
}

Status Aead::OpenInto(ByteSpan nonce, ByteSpan aad, ByteSpan in, ByteSpan tag, uint8_t* out) {
  if (nonce.size() != kAeadNonceSize)
    return Status::InvalidArgument("AEAD: nonce must be 12 bytes");
  if (tag.size() != kAeadTagSize) return Status::DataLoss("AEAD open: tag missing or truncated");
  EVP_CIPHER_CTX* ctx = state_->open.get();
  int len = 0;
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1) {
    return internal::OpenSslError("AEAD open: nonce setup");
  }
  for (size_t off = 0; off < aad.size(); off += kMaxUpdate) {
    int n = static_cast<int>(std::min(kMaxUpdate, aad.size() - off));
    if (EVP_DecryptUpdate(ctx, nullptr, &len, aad.data() + off, n) != 1) {
      return internal::OpenSslError("AEAD open: associated data");
    }
  }
  for (size_t off = 0; off < in.size(); off += kMaxUpdate) {
    int n = static_cast<int>(std::min(kMaxUpdate, in.size() - off));
    if (EVP_DecryptUpdate(ctx, out + off, &len, in.data() + off, n) != 1) {
      return internal::OpenSslError("AEAD open: decryption");
    }
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagSize,
                          const_cast<uint8_t*>(tag.data())) != 1) {
    return internal::OpenSslError("AEAD open: tag setup");
  }
  if (EVP_DecryptFinal_ex(ctx, out + in.size(), &len) != 1) {
    internal::ClearOpenSslErrors();
    return Status::DataLoss("authentication failed");
  }
  return Status::OK();
}

Result<Bytes> Aead::Seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) {
  Bytes out(plaintext.size() + kAeadTagSize);
  CR_RETURN_IF_ERROR(SealInto(nonce, aad, plaintext, out.data(), out.data() + plaintext.size()));
  return out;
}

Result<Bytes> Aead::Open(ByteSpan nonce, ByteSpan aad, ByteSpan ciphertext) {
  if (ciphertext.size() < kAeadTagSize) return Status::DataLoss("AEAD open: ciphertext too short");
  size_t n = ciphertext.size() - kAeadTagSize;
  Bytes out(n);
  Status s = OpenInto(nonce, aad, ciphertext.first(n), ciphertext.subspan(n), out.data());
  if (!s.ok()) {
    SecureWipe(out);
    return s;
  }
  return out;
}

}  // namespace cleanroom::crypto
