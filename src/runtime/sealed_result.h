#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/identity.h"
#include "crypto/signature.h"
#include "runtime/storage.h"

// A run's sealed result in storage (docs/runtime.md, "Sealed results"):
//   results/<run>/output.cdc  the output, an encrypted container under a fresh result key
//   results/<run>/keys.json   that key HPKE-sealed (X25519, HKDF-SHA256, AES-256-GCM) to each
//                             recipient: {"format":"cleanroom-result-keys","version":1,"run",
//                             "outputHash","recipients":[{"member","enc","wrappedKey"}]}
//   results/<run>/record.cose the run record signed by the runtime (COSE_Sign1)
namespace cleanroom::runtime {

struct ResultRecipient {
  std::string member_id;
  crypto::PublicKey encryption_key;  // X25519
};

// The storage keys of a run's objects.
std::string ResultOutputKey(const std::string& run_id);
std::string ResultKeysKey(const std::string& run_id);
std::string RunRecordKey(const std::string& run_id);

// Encrypts `output` under a fresh key and seals that key to every recipient; stores both objects.
// The HPKE info is "cleanroom.result-key.v1", the associated data "<run>\0<member id>", so a
// wrapped key opens only for its run and member. Returns nothing on failure and removes what it
// stored.
Status StoreSealedResult(Storage& storage, const std::string& run_id, ByteSpan output,
                         const std::string& output_hash,
                         const std::vector<ResultRecipient>& recipients);

// Fetches and opens a run's result as `recipient`: PermissionDenied when the result is not
// sealed to it, DataLoss when the ciphertext or wrapped key was tampered with, DataLoss when the
// plaintext's SHA-256 differs from `expected_output_hash` (hex, from the signed run record).
Result<Bytes> OpenSealedResult(const Storage& storage, const std::string& run_id,
                               const crypto::MemberIdentity& recipient,
                               const std::string& expected_output_hash);

// Removes whatever a run stored (output, keys, record): used when a run fails.
void RemoveRunObjects(Storage& storage, const std::string& run_id);

// The run record, signed: COSE_Sign1 (msg type "run.record", content type application/json)
// by `key`, with kid = the runtime key's id.
Result<Bytes> SignRunRecord(const nlohmann::json& record, const crypto::PrivateKey& key,
                            const std::string& kid);
// Adds "runtimeKey" (the PEM of `key`'s public key) to `record`, signs it (SignRunRecord) and
// stores it as RunRecordKey(run). Returns the signed bytes.
Result<Bytes> StoreRunRecord(Storage& storage, nlohmann::json record,
                             const crypto::PrivateKey& key);
// Decodes a signed run record, verifies it under `key`, returns the record.
Result<nlohmann::json> VerifyRunRecord(ByteSpan signed_record, const crypto::PublicKey& key);
// The record's payload without verifying (to read which key signed it). DataLoss if malformed.
Result<nlohmann::json> ReadRunRecordUnverified(ByteSpan signed_record);

}  // namespace cleanroom::runtime
