#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/evidence.h"
#include "base/bytes.h"
#include "base/status.h"
#include "govwire/json_reader.h"
#include "govwire/work_order.h"

// The wire format of attested key release between a runtime and governance (docs/api.md,
// "Runtime routes"; docs/runtime.md, "Key release"). Per run the runtime asks governance for a
// challenge, makes an ephemeral X25519 key pair and evidence whose report_data binds the key,
// the run id and the challenge (attest::ReportDataForChallenge). Governance seals each dataset key
// to that key with HPKE base mode (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM):
//   info = "cleanroom.key-release.v1"
//   aad  = run || 0x00 || dataset (lower case) || 0x00 || version (decimal) || 0x00 || keyId
// and, the same way, a fresh 32-byte run token (info "cleanroom.run-token.v1", aad = run id)
// whose possession authenticates the runtime's report of that run.
//
// Every FromJson here parses a value that ParseJson already bounded (depth, count), refuses
// unknown fields (a field one side sends and the other ignores would be a setting accepted and
// ignored) and returns InvalidArgument naming the field.
namespace cleanroom::govwire {

inline constexpr std::string_view kKeyReleaseInfo = "cleanroom.key-release.v1";
inline constexpr std::string_view kRunTokenInfo = "cleanroom.run-token.v1";
inline constexpr size_t kRunTokenSize = 32;
inline constexpr size_t kMaxEvidenceCertificates = 8;
inline constexpr size_t kRawX25519KeySize = 32;
inline constexpr size_t kMaxChallengeSize = 64;

// The associated data that binds a released key to its run and dataset version.
Bytes KeyReleaseAad(const std::string& run_id, const std::string& dataset, int64_t version,
                    const std::string& key_id);
// The associated data of a sealed run token: the run id.
Bytes RunTokenAad(const std::string& run_id);

// GET /v1/runs/{run}/challenge: {"run": id, "challenge": base64, "expiresAt": unix seconds}.
// The challenge is opaque to the runtime, which binds it into its evidence as received.
struct RunChallenge {
  std::string run_id;
  Bytes challenge;
  int64_t expires_at = 0;

  Json ToJson() const;
  static Result<RunChallenge> FromJson(const Json& body);
};

// POST /v1/runs/{run}/keys: {"run": id, "publicKey": base64 raw X25519, "challenge": base64,
// "evidence": evidence}. A request without "challenge" parses (its challenge empty) so that key
// release can refuse it as evidence without a challenge.
struct KeyReleaseRequest {
  std::string run_id;
  Bytes public_key;  // raw X25519, 32 bytes
  Bytes challenge;   // governance's challenge for the run, as received; empty when absent
  attest::Evidence evidence;

  Json ToJson() const;
  // InvalidArgument naming the field when malformed.
  static Result<KeyReleaseRequest> FromJson(const Json& body);
};

// An HPKE-sealed value: the encapsulated key and the ciphertext.
struct SealedValue {
  Bytes enc;
  Bytes sealed;

  Json ToJson() const;
  static Result<SealedValue> FromJson(const Json& value, const std::string& where);
};

// One released dataset key, sealed to the run's ephemeral key.
struct ReleasedKey {
  std::string dataset;
  int64_t version = 0;
  std::string key_id;
  SealedValue key;
};

// The reply of a granted key release: {"run", "seqno", "keys": [{"dataset", "version", "keyId",
// "enc", "sealed"}], "token": {"enc", "sealed"}, "work": WorkOrder}. The keys are in the order
// of the work order's datasets, one each.
struct KeyReleaseReply {
  std::string run_id;
  uint64_t seqno = 0;
  std::vector<ReleasedKey> keys;
  SealedValue token;
  WorkOrder work;

  Json ToJson() const;
  // Also checks that `keys` name the work order's datasets, in order.
  static Result<KeyReleaseReply> FromJson(const Json& body);
};

// POST /v1/runs/{run}/report: {"token": base64, "record": base64 COSE_Sign1 run record}.
struct RunReport {
  std::string run_id;
  Bytes token;
  Bytes signed_record;

  Json ToJson() const;
  static Result<RunReport> FromJson(const std::string& run_id, const Json& body);
};

// Base64 text of a string field, decoded; InvalidArgument naming the field otherwise.
Result<Bytes> Base64Field(const JsonReader& reader, std::string_view field);

}  // namespace cleanroom::govwire
