#include "crypto/hpke.h"

#include <openssl/evp.h>

#include <cstring>

#include "crypto/hash.h"
#include "crypto/openssl_util.h"

namespace cleanroom::crypto::hpke {
namespace {

using internal::OpenSslError;

constexpr size_t kNh = 32;       // HKDF-SHA256 output.
constexpr size_t kNsecret = 32;  // Both DHKEMs here.
constexpr size_t kNn = 12;
constexpr std::string_view kVersionLabel = "HPKE-v1";

void Append(Bytes& out, ByteSpan b) { out.insert(out.end(), b.begin(), b.end()); }
void Append(Bytes& out, std::string_view s) { Append(out, AsBytes(s)); }
void AppendU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

Bytes KemSuiteId(Kem kem) {
  Bytes id = ToBytes("KEM");
  AppendU16(id, static_cast<uint16_t>(kem));
  return id;
}

Bytes HpkeSuiteId(const Suite& suite) {
  Bytes id = ToBytes("HPKE");
  AppendU16(id, static_cast<uint16_t>(suite.kem));
  AppendU16(id, static_cast<uint16_t>(suite.kdf));
  AppendU16(id, static_cast<uint16_t>(suite.aead));
  return id;
}

// RFC 9180 section 4: LabeledExtract / LabeledExpand over HKDF-SHA256.
Bytes LabeledExtract(ByteSpan suite_id, ByteSpan salt, std::string_view label, ByteSpan ikm) {
  Bytes labeled_ikm;
  Append(labeled_ikm, kVersionLabel);
  Append(labeled_ikm, suite_id);
  Append(labeled_ikm, label);
  Append(labeled_ikm, ikm);
  Bytes prk = HkdfExtract(HashAlgorithm::kSha256, salt, labeled_ikm);
  SecureWipe(labeled_ikm);
  return prk;
}

Result<Bytes> LabeledExpand(ByteSpan suite_id, ByteSpan prk, std::string_view label, ByteSpan info,
                            size_t length) {
  if (length > 0xffff) return Status::InvalidArgument("HPKE: expand length too large");
  Bytes labeled_info;
  AppendU16(labeled_info, static_cast<uint16_t>(length));
  Append(labeled_info, kVersionLabel);
  Append(labeled_info, suite_id);
  Append(labeled_info, label);
  Append(labeled_info, info);
  return HkdfExpand(HashAlgorithm::kSha256, prk, labeled_info, length);
}

AeadAlgorithm AeadOf(AeadId id) {
  switch (id) {
    case AeadId::kAes128Gcm:
      return AeadAlgorithm::kAes128Gcm;
    case AeadId::kAes256Gcm:
      return AeadAlgorithm::kAes256Gcm;
    case AeadId::kChaCha20Poly1305:
      return AeadAlgorithm::kChaCha20Poly1305;
  }
  return AeadAlgorithm::kAes256Gcm;
}

Status CheckKeyType(Kem kem, KeyType type, std::string_view what) {
  if (type != KemKeyType(kem)) {
    return Status::InvalidArgument("HPKE: " + std::string(what) + " is a " +
                                   std::string(KeyTypeName(type)) + " key, the KEM needs " +
                                   std::string(KeyTypeName(KemKeyType(kem))));
  }
  return Status::OK();
}

// Diffie-Hellman: the X25519 output or the P-256 shared x-coordinate.
Result<Bytes> Dh(const PrivateKey& sk, const PublicKey& pk) {
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, sk.raw_key(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), pk.raw_key()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return OpenSslError("HPKE: Diffie-Hellman", StatusCode::kInvalidArgument);
  }
  Bytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
    // X25519 refuses an all-zero result (a small-order peer key): RFC 9180 section 7.1.4.
    return OpenSslError("HPKE: Diffie-Hellman", StatusCode::kInvalidArgument);
  }
  out.resize(len);
  return out;
}

Result<Bytes> ExtractAndExpand(Kem kem, ByteSpan dh, ByteSpan kem_context) {
  Bytes suite_id = KemSuiteId(kem);
  Bytes eae_prk = LabeledExtract(suite_id, {}, "eae_prk", dh);
  auto shared_secret = LabeledExpand(suite_id, eae_prk, "shared_secret", kem_context, kNsecret);
  SecureWipe(eae_prk);
  return shared_secret;
}

Status VerifyPskInputs(Mode mode, ByteSpan psk, ByteSpan psk_id) {
  bool got_psk = !psk.empty();
  bool got_psk_id = !psk_id.empty();
  if (got_psk != got_psk_id) return Status::InvalidArgument("HPKE: psk and psk_id go together");
  bool psk_mode = mode == Mode::kPsk || mode == Mode::kAuthPsk;
  if (got_psk && !psk_mode) return Status::InvalidArgument("HPKE: psk given in a non-psk mode");
  if (!got_psk && psk_mode) return Status::InvalidArgument("HPKE: psk mode without a psk");
  return Status::OK();
}

}  // namespace

// Builds contexts: the key schedule of section 5.1.
struct ContextBuilder {
  static Result<Context> KeySchedule(const Suite& suite, Mode mode, ByteSpan shared_secret,
                                     ByteSpan info, ByteSpan psk, ByteSpan psk_id) {
    CR_RETURN_IF_ERROR(VerifyPskInputs(mode, psk, psk_id));
    Bytes suite_id = HpkeSuiteId(suite);
    Bytes psk_id_hash = LabeledExtract(suite_id, {}, "psk_id_hash", psk_id);
    Bytes info_hash = LabeledExtract(suite_id, {}, "info_hash", info);
    Context ctx;
    ctx.suite_ = suite;
    ctx.key_schedule_context_.push_back(static_cast<uint8_t>(mode));
    Append(ctx.key_schedule_context_, psk_id_hash);
    Append(ctx.key_schedule_context_, info_hash);
    Bytes secret = LabeledExtract(suite_id, shared_secret, "secret", psk);
    AeadAlgorithm aead = AeadOf(suite.aead);
    auto key = LabeledExpand(suite_id, secret, "key", ctx.key_schedule_context_, AeadKeySize(aead));
    auto nonce = LabeledExpand(suite_id, secret, "base_nonce", ctx.key_schedule_context_, kNn);
    auto exporter = LabeledExpand(suite_id, secret, "exp", ctx.key_schedule_context_, kNh);
    SecureWipe(secret);
    if (!key.ok()) return key.status();
    if (!nonce.ok()) return nonce.status();
    if (!exporter.ok()) return exporter.status();
    ctx.key_ = std::move(key).value();
    ctx.base_nonce_ = std::move(nonce).value();
    ctx.exporter_secret_ = std::move(exporter).value();
    CR_ASSIGN_OR_RETURN(Aead cipher, Aead::Create(aead, ctx.key_));
    ctx.aead_ = std::make_unique<Aead>(std::move(cipher));
    return ctx;
  }
};

Result<Suite> SuiteFromIds(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id) {
  Suite suite;
  if (kem_id == 0x0010) {
    suite.kem = Kem::kP256Sha256;
  } else if (kem_id == 0x0020) {
    suite.kem = Kem::kX25519Sha256;
  } else {
    return Status::InvalidArgument("HPKE: unsupported KEM id " + std::to_string(kem_id));
  }
  if (kdf_id != 0x0001)
    return Status::InvalidArgument("HPKE: unsupported KDF id " + std::to_string(kdf_id));
  if (aead_id < 1 || aead_id > 3) {
    return Status::InvalidArgument("HPKE: unsupported AEAD id " + std::to_string(aead_id));
  }
  suite.aead = static_cast<AeadId>(aead_id);
  return suite;
}

KeyType KemKeyType(Kem kem) {
  return kem == Kem::kP256Sha256 ? KeyType::kEcP256 : KeyType::kX25519;
}

Result<PrivateKey> GenerateKeyPair(Kem kem) { return PrivateKey::Generate(KemKeyType(kem)); }

Result<PrivateKey> DeriveKeyPair(Kem kem, ByteSpan ikm) {
  if (ikm.size() < kNsecret)
    return Status::InvalidArgument("HPKE: DeriveKeyPair ikm shorter than 32 bytes");
  Bytes suite_id = KemSuiteId(kem);
  Bytes dkp_prk = LabeledExtract(suite_id, {}, "dkp_prk", ikm);
  if (kem == Kem::kX25519Sha256) {
    auto sk = LabeledExpand(suite_id, dkp_prk, "sk", {}, 32);
    SecureWipe(dkp_prk);
    if (!sk.ok()) return sk.status();
    auto key = PrivateKey::FromRaw(KeyType::kX25519, *sk);
    SecureWipe(*sk);
    return key;
  }
  // P-256 (section 7.1.3): candidates until one is a valid scalar (bitmask 0xff).
  for (int counter = 0; counter < 256; ++counter) {
    uint8_t c = static_cast<uint8_t>(counter);
    auto bytes = LabeledExpand(suite_id, dkp_prk, "candidate", ByteSpan(&c, 1), 32);
    if (!bytes.ok()) {
      SecureWipe(dkp_prk);
      return bytes.status();
    }
    auto key = PrivateKey::FromEcScalar(KeyType::kEcP256, *bytes);
    SecureWipe(*bytes);
    if (key.ok()) {
      SecureWipe(dkp_prk);
      return key;
    }
  }
  SecureWipe(dkp_prk);
  return Status::Internal("HPKE: DeriveKeyPair found no valid P-256 scalar");
}

Result<Bytes> SerializePublicKey(Kem kem, const PublicKey& key) {
  CR_RETURN_IF_ERROR(CheckKeyType(kem, key.type(), "public key"));
  return key.ToRaw();  // Raw X25519, or the uncompressed SEC1 point.
}

Result<PublicKey> DeserializePublicKey(Kem kem, ByteSpan encoded) {
  if (kem == Kem::kX25519Sha256) {
    if (encoded.size() != 32)
      return Status::InvalidArgument("HPKE: X25519 public key must be 32 bytes");
    return PublicKey::FromRaw(KeyType::kX25519, encoded);
  }
  if (encoded.size() != 65 || encoded[0] != 0x04) {
    return Status::InvalidArgument("HPKE: P-256 public key must be a 65-byte uncompressed point");
  }
  return PublicKey::FromEcPoint(KeyType::kEcP256, encoded);
}

Result<Bytes> SerializePrivateKey(Kem kem, const PrivateKey& key) {
  CR_RETURN_IF_ERROR(CheckKeyType(kem, key.type(), "private key"));
  return key.ToRaw();
}

Result<PrivateKey> DeserializePrivateKey(Kem kem, ByteSpan encoded) {
  if (encoded.size() != 32) return Status::InvalidArgument("HPKE: private key must be 32 bytes");
  if (kem == Kem::kX25519Sha256) return PrivateKey::FromRaw(KeyType::kX25519, encoded);
  return PrivateKey::FromEcScalar(KeyType::kEcP256, encoded);
}

// ---------------------------------------------------------------- Context

Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;
Context::~Context() {
  SecureWipe(key_);
  SecureWipe(base_nonce_);
  SecureWipe(exporter_secret_);
}

Bytes Context::CurrentNonce() const {
  Bytes nonce = base_nonce_;
  for (size_t i = 0; i < 8; ++i) nonce[kNn - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
  return nonce;
}

Result<Bytes> Context::Seal(ByteSpan aad, ByteSpan plaintext) {
  if (!aead_) return Status::FailedPrecondition("HPKE: context was moved from");
  if (seq_ == UINT64_MAX) return Status::ResourceExhausted("HPKE: sequence number exhausted");
  CR_ASSIGN_OR_RETURN(Bytes ct, aead_->Seal(CurrentNonce(), aad, plaintext));
  ++seq_;
  return ct;
}

Result<Bytes> Context::Open(ByteSpan aad, ByteSpan ciphertext) {
  if (!aead_) return Status::FailedPrecondition("HPKE: context was moved from");
  if (seq_ == UINT64_MAX) return Status::ResourceExhausted("HPKE: sequence number exhausted");
  auto pt = aead_->Open(CurrentNonce(), aad, ciphertext);
  if (!pt.ok()) return Status::DataLoss("HPKE: open failed: " + pt.status().message());
  ++seq_;
  return pt;
}

Result<Bytes> Context::Export(ByteSpan exporter_context, size_t length) const {
  if (length > 255 * kNh) return Status::InvalidArgument("HPKE: export length exceeds 255 * Nh");
  return LabeledExpand(HpkeSuiteId(suite_), exporter_secret_, "sec", exporter_context, length);
}

// ---------------------------------------------------------------- Setup

namespace {

// SetupS under `ephemeral` (fresh for every product setup).
Result<SenderContext> SetupSenderWith(const Suite& suite, const PublicKey& recipient, ByteSpan info,
                                      const SetupOptions& options, const PrivateKey& ephemeral) {
  bool auth = options.mode == Mode::kAuth || options.mode == Mode::kAuthPsk;
  if (auth != options.sender_key.has_value()) {
    return Status::InvalidArgument(auth ? "HPKE: auth mode needs the sender's private key"
                                        : "HPKE: a sender key is only used in the auth modes");
  }
  CR_RETURN_IF_ERROR(CheckKeyType(suite.kem, recipient.type(), "recipient key"));
  if (auth) CR_RETURN_IF_ERROR(CheckKeyType(suite.kem, options.sender_key->type(), "sender key"));
  CR_RETURN_IF_ERROR(CheckKeyType(suite.kem, ephemeral.type(), "ephemeral key"));
  // Encap / AuthEncap (section 4.1).
  CR_ASSIGN_OR_RETURN(Bytes dh, Dh(ephemeral, recipient));
  CR_ASSIGN_OR_RETURN(Bytes enc, SerializePublicKey(suite.kem, ephemeral.public_key()));
  CR_ASSIGN_OR_RETURN(Bytes pk_rm, SerializePublicKey(suite.kem, recipient));
  Bytes kem_context = enc;
  Append(kem_context, pk_rm);
  if (auth) {
    auto dh2 = Dh(*options.sender_key, recipient);
    if (!dh2.ok()) {
      SecureWipe(dh);
      return dh2.status();
    }
    Append(dh, *dh2);
    SecureWipe(*dh2);
    CR_ASSIGN_OR_RETURN(Bytes pk_sm,
                        SerializePublicKey(suite.kem, options.sender_key->public_key()));
    Append(kem_context, pk_sm);
  }
  auto shared_secret = ExtractAndExpand(suite.kem, dh, kem_context);
  SecureWipe(dh);
  if (!shared_secret.ok()) return shared_secret.status();
  auto context = ContextBuilder::KeySchedule(suite, options.mode, *shared_secret, info, options.psk,
                                             options.psk_id);
  if (!context.ok()) {
    SecureWipe(*shared_secret);
    return context.status();
  }
  return SenderContext{std::move(enc), std::move(shared_secret).value(),
                       std::move(context).value()};
}

}  // namespace

Result<SenderContext> SetupSender(const Suite& suite, const PublicKey& recipient, ByteSpan info,
                                  const SetupOptions& options) {
  CR_ASSIGN_OR_RETURN(PrivateKey ephemeral, GenerateKeyPair(suite.kem));
  return SetupSenderWith(suite, recipient, info, options, ephemeral);
}

Result<SenderContext> FixedEphemeralKey::SetupSender(const Suite& suite, const PublicKey& recipient,
                                                     ByteSpan info, const SetupOptions& options,
                                                     const PrivateKey& ephemeral) {
  return SetupSenderWith(suite, recipient, info, options, ephemeral);
}

Result<Context> SetupRecipient(const Suite& suite, ByteSpan enc, const PrivateKey& recipient,
                               ByteSpan info, const SetupOptions& options,
                               Bytes* shared_secret_out) {
  bool auth = options.mode == Mode::kAuth || options.mode == Mode::kAuthPsk;
  if (auth != options.sender_public_key.has_value()) {
    return Status::InvalidArgument(auth ? "HPKE: auth mode needs the sender's public key"
                                        : "HPKE: a sender key is only used in the auth modes");
  }
  CR_RETURN_IF_ERROR(CheckKeyType(suite.kem, recipient.type(), "recipient key"));
  // Decap / AuthDecap (section 4.1).
  CR_ASSIGN_OR_RETURN(PublicKey pk_e, DeserializePublicKey(suite.kem, enc));
  CR_ASSIGN_OR_RETURN(Bytes dh, Dh(recipient, pk_e));
  CR_ASSIGN_OR_RETURN(Bytes pk_rm, SerializePublicKey(suite.kem, recipient.public_key()));
  Bytes kem_context(enc.begin(), enc.end());
  Append(kem_context, pk_rm);
  if (auth) {
    CR_RETURN_IF_ERROR(CheckKeyType(suite.kem, options.sender_public_key->type(), "sender key"));
    auto dh2 = Dh(recipient, *options.sender_public_key);
    if (!dh2.ok()) {
      SecureWipe(dh);
      return dh2.status();
    }
    Append(dh, *dh2);
    SecureWipe(*dh2);
    CR_ASSIGN_OR_RETURN(Bytes pk_sm, SerializePublicKey(suite.kem, *options.sender_public_key));
    Append(kem_context, pk_sm);
  }
  auto shared_secret = ExtractAndExpand(suite.kem, dh, kem_context);
  SecureWipe(dh);
  if (!shared_secret.ok()) return shared_secret.status();
  auto context = ContextBuilder::KeySchedule(suite, options.mode, *shared_secret, info, options.psk,
                                             options.psk_id);
  if (shared_secret_out != nullptr) *shared_secret_out = *shared_secret;
  SecureWipe(*shared_secret);
  return context;
}

Result<Sealed> Seal(const Suite& suite, const PublicKey& recipient, ByteSpan info, ByteSpan aad,
                    ByteSpan plaintext, const SetupOptions& options) {
  CR_ASSIGN_OR_RETURN(SenderContext sender, SetupSender(suite, recipient, info, options));
  SecureWipe(sender.shared_secret);
  CR_ASSIGN_OR_RETURN(Bytes ciphertext, sender.context.Seal(aad, plaintext));
  return Sealed{std::move(sender.enc), std::move(ciphertext)};
}

Result<Bytes> Open(const Suite& suite, ByteSpan enc, const PrivateKey& recipient, ByteSpan info,
                   ByteSpan aad, ByteSpan ciphertext, const SetupOptions& options) {
  CR_ASSIGN_OR_RETURN(Context context, SetupRecipient(suite, enc, recipient, info, options));
  return context.Open(aad, ciphertext);
}

}  // namespace cleanroom::crypto::hpke
