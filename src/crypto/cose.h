#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/cbor.h"
#include "crypto/signature.h"

// COSE_Sign1 (RFC 9052 section 4.2) and, for verifying third-party test messages, COSE_Sign
// (section 4.1). Algorithms (RFC 9053): ES256 (-7), ES384 (-35), ES512 (-36), EdDSA (-8).
namespace cleanroom::crypto::cose {

inline constexpr uint64_t kTagSign1 = 18;
inline constexpr uint64_t kTagSign = 98;

inline constexpr int64_t kAlgEs256 = -7;
inline constexpr int64_t kAlgEs384 = -35;
inline constexpr int64_t kAlgEs512 = -36;
inline constexpr int64_t kAlgEdDsa = -8;

inline constexpr int64_t kHeaderAlg = 1;
inline constexpr int64_t kHeaderContentType = 3;
inline constexpr int64_t kHeaderKid = 4;
// The project's own protected headers (text labels).
inline constexpr std::string_view kHeaderMsgType = "cleanroom.msg_type";      // tstr
inline constexpr std::string_view kHeaderCreatedAt = "cleanroom.created_at";  // uint, unix s
inline constexpr std::string_view kHeaderNonce = "cleanroom.nonce";           // bstr, 16 bytes
inline constexpr size_t kNonceSize = 16;

// COSE algorithm id <-> SignatureAlgorithm. InvalidArgument for ids we do not support.
Result<SignatureAlgorithm> AlgorithmFromCoseId(int64_t id);
int64_t CoseIdOf(SignatureAlgorithm algorithm);

// What the signer puts into the protected header. alg is always set (from the key).
struct Sign1Options {
  std::optional<Bytes> kid;                 // e.g. the member id as ASCII hex.
  std::optional<std::string> content_type;  // e.g. "application/json".
  std::optional<std::string> msg_type;      // e.g. "proposal", "ballot".
  std::optional<int64_t> created_at;        // unix seconds.
  std::optional<Bytes> nonce;               // 16 bytes; see generate_nonce.
  bool generate_nonce = false;              // Fill `nonce` from the CSPRNG when unset.
  Bytes external_aad;                       // Bound into the signature, not carried.
  bool tagged = true;                       // Emit tag 18.
};

// The header parameters this project understands, read from the protected header (for alg, also
// the unprotected header when the protected one lacks it, as RFC 9052 permits).
struct Headers {
  std::optional<int64_t> alg;
  std::optional<Bytes> kid;                 // protected, else unprotected.
  std::optional<std::string> content_type;  // text content type; numeric ones are kept as "#N".
  std::optional<std::string> msg_type;
  std::optional<int64_t> created_at;
  std::optional<Bytes> nonce;
  bool alg_protected = false;
};

// A decoded COSE_Sign1 message. `protected_bytes` are the exact bytes on the wire (an empty map
// encoded as h'A0' is normalised to the empty bstr for Sig_structure, RFC 9052 section 3).
struct Sign1Message {
  Bytes protected_bytes;
  cbor::Value protected_map;  // The decoded protected header (empty map when none).
  cbor::Value unprotected_map;
  std::optional<Bytes> payload;  // nullopt: detached payload (nil).
  Bytes signature;
  bool tagged = false;
  Headers headers;
};

// Strict: for messages of this project (deterministic CBOR, tag optional, alg protected, our
// header types checked). Lenient: well-formed CBOR of any encoding, for third-party messages.
enum class DecodeMode { kStrict, kLenient };

// Builds and signs a COSE_Sign1 over `payload`. Result: the encoded (deterministic) message.
Result<Bytes> CreateSign1(const PrivateKey& key, ByteSpan payload, const Sign1Options& options);

// Decodes a COSE_Sign1 (tag 18 or untagged). InvalidArgument naming the field or byte offset;
// a tag other than 18 is InvalidArgument.
Result<Sign1Message> DecodeSign1(ByteSpan message, DecodeMode mode = DecodeMode::kStrict);

// The ToBeSigned bytes: CBOR ["Signature1", protected, external_aad, payload].
Bytes Sign1ToBeSigned(ByteSpan protected_bytes, ByteSpan external_aad, ByteSpan payload);

// Verifies a decoded message with `key`. The algorithm comes from the headers and must fit the
// key. Unauthenticated when the signature is wrong; InvalidArgument for an unknown or missing
// alg. `detached_payload` is used when the message carries none.
Status VerifySign1(const Sign1Message& message, const PublicKey& key, ByteSpan external_aad = {},
                   std::optional<ByteSpan> detached_payload = std::nullopt);

// DecodeSign1(kStrict) + VerifySign1: the call to use for messages from members. Also refuses a
// message whose alg is not in the protected header.
Result<Sign1Message> VerifySign1Strict(ByteSpan message, const PublicKey& key,
                                       ByteSpan external_aad = {});

// COSE_Sign with one or more signers (verification only, for third-party messages).
struct SignatureEntry {
  Bytes protected_bytes;
  cbor::Value protected_map;
  cbor::Value unprotected_map;
  Bytes signature;
  Headers headers;
};
struct SignMessage {
  Bytes protected_bytes;
  cbor::Value protected_map;
  cbor::Value unprotected_map;
  std::optional<Bytes> payload;
  std::vector<SignatureEntry> signatures;
  bool tagged = false;
};
Result<SignMessage> DecodeSign(ByteSpan message, DecodeMode mode = DecodeMode::kLenient);
// Verifies signer `index` of `message` with `key`.
Status VerifySignSigner(const SignMessage& message, size_t index, const PublicKey& key,
                        ByteSpan external_aad = {});

}  // namespace cleanroom::crypto::cose
