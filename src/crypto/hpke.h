#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/aead.h"
#include "crypto/signature.h"

namespace cleanroom::crypto::testing {
class KnownAnswerAccess;  // Defined only by the crypto tests (src/crypto/tests).
}  // namespace cleanroom::crypto::testing

// HPKE (RFC 9180) on OpenSSL 3.0, which has none of its own. KEMs DHKEM(X25519, HKDF-SHA256)
// (0x0020) and DHKEM(P-256, HKDF-SHA256) (0x0010); KDF HKDF-SHA256 (0x0001); AEADs AES-128-GCM
// (0x0001), AES-256-GCM (0x0002), ChaCha20-Poly1305 (0x0003). Modes base, psk, auth, auth_psk.
namespace cleanroom::crypto::hpke {

enum class Kem : uint16_t { kP256Sha256 = 0x0010, kX25519Sha256 = 0x0020 };
enum class Kdf : uint16_t { kHkdfSha256 = 0x0001 };
enum class AeadId : uint16_t {
  kAes128Gcm = 0x0001,
  kAes256Gcm = 0x0002,
  kChaCha20Poly1305 = 0x0003
};
enum class Mode : uint8_t { kBase = 0, kPsk = 1, kAuth = 2, kAuthPsk = 3 };

struct Suite {
  Kem kem = Kem::kX25519Sha256;
  Kdf kdf = Kdf::kHkdfSha256;
  AeadId aead = AeadId::kAes256Gcm;
};
// The project's default: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
inline constexpr Suite kDefaultSuite{};

// InvalidArgument when the ids name something not implemented here.
Result<Suite> SuiteFromIds(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id);

// The key type of a KEM (kX25519 or kEcP256).
KeyType KemKeyType(Kem kem);

// Key handling (RFC 9180 section 7.1). Serialized public keys: 32 raw bytes for X25519, the
// 65-byte uncompressed point for P-256. Private keys: 32 bytes.
Result<PrivateKey> GenerateKeyPair(Kem kem);
Result<PrivateKey> DeriveKeyPair(Kem kem, ByteSpan ikm);  // Deterministic (section 7.1.3).
Result<Bytes> SerializePublicKey(Kem kem, const PublicKey& key);
Result<PublicKey> DeserializePublicKey(Kem kem, ByteSpan encoded);
Result<Bytes> SerializePrivateKey(Kem kem, const PrivateKey& key);  // Caller wipes the result.
Result<PrivateKey> DeserializePrivateKey(Kem kem, ByteSpan encoded);

// An HPKE context (one direction). Seal / Open use and advance the sequence number; a context
// refuses to be used once it would wrap. Not thread-safe. Secrets are wiped on destruction.
class Context {
 public:
  Context(Context&&) noexcept;
  Context& operator=(Context&&) noexcept;
  ~Context();

  // Sender side. Returns ciphertext || tag.
  Result<Bytes> Seal(ByteSpan aad, ByteSpan plaintext);
  // Recipient side. DataLoss when authentication fails (the sequence number does not advance).
  Result<Bytes> Open(ByteSpan aad, ByteSpan ciphertext);
  // Secret export (section 5.3). InvalidArgument when length > 255 * 32.
  Result<Bytes> Export(ByteSpan exporter_context, size_t length) const;
  // The nonce for the current sequence number: base_nonce XOR I2OSP(seq, 12).
  Bytes CurrentNonce() const;

  // For known-answer tests only: the key schedule's outputs.
  const Bytes& key() const { return key_; }
  const Bytes& base_nonce() const { return base_nonce_; }
  const Bytes& exporter_secret() const { return exporter_secret_; }
  const Bytes& key_schedule_context() const { return key_schedule_context_; }
  uint64_t sequence_number() const { return seq_; }

 private:
  friend struct ContextBuilder;
  Context() = default;
  Suite suite_;
  Bytes key_;
  Bytes base_nonce_;
  Bytes exporter_secret_;
  Bytes key_schedule_context_;
  uint64_t seq_ = 0;
  std::unique_ptr<Aead> aead_;
};

// Optional inputs of the modes: psk + psk_id for the psk modes, the sender's key for auth.
struct SetupOptions {
  Mode mode = Mode::kBase;
  Bytes psk;
  Bytes psk_id;
  std::optional<PrivateKey> sender_key;        // Sender side, auth modes.
  std::optional<PublicKey> sender_public_key;  // Recipient side, auth modes.
  // There is no option for the sender's ephemeral key: a fresh one is drawn for every setup,
  // since a repeated one repeats the key schedule and with it every nonce.
};

struct SenderContext {
  Bytes enc;            // The encapsulated key to send with the ciphertexts.
  Bytes shared_secret;  // For known-answer tests; wiped by the caller.
  Context context;
};

// SetupS / SetupR for every mode (sections 5.1.1-5.1.4). InvalidArgument when the options do
// not fit the mode (missing psk or sender key, psk without the psk mode, ...).
Result<SenderContext> SetupSender(const Suite& suite, const PublicKey& recipient, ByteSpan info,
                                  const SetupOptions& options = {});
// `shared_secret_out`, when not null, receives the KEM shared secret (tests).
Result<Context> SetupRecipient(const Suite& suite, ByteSpan enc, const PrivateKey& recipient,
                               ByteSpan info, const SetupOptions& options = {},
                               Bytes* shared_secret_out = nullptr);

// SetupS with a chosen ephemeral key, for the RFC 9180 known-answer vectors. Private: only the
// tests' friend reaches it, so no product caller can repeat an ephemeral key.
class FixedEphemeralKey {
 private:
  friend class ::cleanroom::crypto::testing::KnownAnswerAccess;
  static Result<SenderContext> SetupSender(const Suite& suite, const PublicKey& recipient,
                                           ByteSpan info, const SetupOptions& options,
                                           const PrivateKey& ephemeral);
};

// Single-shot API (section 6.1): one message per context.
struct Sealed {
  Bytes enc;
  Bytes ciphertext;
};
Result<Sealed> Seal(const Suite& suite, const PublicKey& recipient, ByteSpan info, ByteSpan aad,
                    ByteSpan plaintext, const SetupOptions& options = {});
Result<Bytes> Open(const Suite& suite, ByteSpan enc, const PrivateKey& recipient, ByteSpan info,
                   ByteSpan aad, ByteSpan ciphertext, const SetupOptions& options = {});

}  // namespace cleanroom::crypto::hpke
