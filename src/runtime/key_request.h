#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "attest/evidence.h"
#include "attest/simulated.h"
#include "base/bytes.h"
#include "base/status.h"
#include "crypto/container.h"
#include "crypto/signature.h"
#include "govwire/key_release.h"

// The runtime's side of key release (docs/runtime.md, "Key release"). Per run the runtime takes
// governance's challenge for the run, makes an ephemeral X25519 key pair and evidence whose
// report_data is attest::ReportDataForChallenge(public key, run id, challenge); governance releases
// each dataset key HPKE-sealed (base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM) to
// that key with
//   info = "cleanroom.key-release.v1"
//   aad  = run id || 0x00 || dataset name (lower case) || 0x00 || version (decimal) || 0x00 ||
//   keyId
// so a released key opens only with this run's ephemeral key and only as that dataset version.
namespace cleanroom::runtime {

// The wire format is the governance wire contract's (govwire/key_release.h).
using govwire::KeyReleaseAad;
using govwire::kKeyReleaseInfo;

// Produces evidence carrying `report_data` (64 bytes): simulated or from the SEV-SNP device.
using EvidenceProducer = std::function<Result<attest::Evidence>(ByteSpan report_data)>;

// Simulated evidence (INSECURE) signed by `platform` (which must outlive the producer) for a
// runtime of `measurement` (48 bytes).
EvidenceProducer SimulatedEvidenceProducer(const attest::PlatformKey* platform, Bytes measurement);
// SEV-SNP evidence: a report from /dev/sev-guest with the VCEK (or VLEK) in `certificate_der`.
// The producer returns Unavailable when this machine is not an SNP guest.
EvidenceProducer SevSnpEvidenceProducer(Bytes certificate_der);

// One run's key request: the ephemeral key (never leaves the runtime) and what is sent.
struct KeyRequest {
  std::string run_id;
  crypto::PrivateKey ephemeral_key;  // X25519
  Bytes public_key;                  // the raw 32-byte X25519 public key, as sent
  Bytes challenge;                   // governance's challenge for the run, bound into the evidence
  attest::Evidence evidence;

  // {"run": id, "publicKey": base64 raw X25519, "challenge": base64, "evidence": evidence}.
  nlohmann::json ToJson() const;
  // Hex SHA-384 digest of the evidence (attest::EvidenceDigest), for the run record.
  std::string EvidenceDigestHex() const;
};

// A key request for `run_id`: a fresh ephemeral X25519 key pair and evidence bound to it, the run
// and `challenge` (from GET /v1/runs/{run}/challenge).
Result<KeyRequest> MakeKeyRequest(const std::string& run_id, ByteSpan challenge,
                                  const EvidenceProducer& produce);

// Opens the run token governance sealed with the released keys (govwire/key_release.h).
// DataLoss when it does not open for this request's key and run.
Result<Bytes> OpenRunToken(const KeyRequest& request, ByteSpan enc, ByteSpan sealed_token);

// A key request with simulated evidence (INSECURE: development and tests only) signed by the
// local platform key, for a runtime of `measurement` (48 bytes).
Result<KeyRequest> MakeSimulatedKeyRequest(const std::string& run_id, ByteSpan challenge,
                                           const attest::PlatformKey& platform,
                                           ByteSpan measurement);

// Opens one released key: `enc` and `sealed_key` as governance returned them (base64 decoded).
// DataLoss when it does not open (another run's key, another dataset, tampering); DataLoss when
// the opened key's id differs from `key_id` (hex) of the dataset document.
Result<crypto::container::DataKey> OpenReleasedKey(const KeyRequest& request,
                                                   const std::string& dataset, int64_t version,
                                                   const std::string& key_id, ByteSpan enc,
                                                   ByteSpan sealed_key);

}  // namespace cleanroom::runtime
