#include "runtime/sealed_result.h"

#include "crypto/container.h"
#include "crypto/cose.h"
#include "crypto/hash.h"
#include "crypto/hpke.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;
namespace container = crypto::container;

constexpr std::string_view kResultKeyInfo = "cleanroom.result-key.v1";

Bytes ResultKeyAad(const std::string& run_id, const std::string& member_id) {
  Bytes aad(run_id.begin(), run_id.end());
  aad.push_back(0);
  aad.insert(aad.end(), member_id.begin(), member_id.end());
  return aad;
}

Result<json> ParseJsonObject(ByteSpan text, const std::string& where) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return Status::DataLoss(where + ": not a JSON object");
  return parsed;
}

}  // namespace

std::string ResultOutputKey(const std::string& run_id) {
  return "results/" + run_id + "/output.cdc";
}
std::string ResultKeysKey(const std::string& run_id) { return "results/" + run_id + "/keys.json"; }
std::string RunRecordKey(const std::string& run_id) { return "results/" + run_id + "/record.cose"; }

void RemoveRunObjects(Storage& storage, const std::string& run_id) {
  for (const std::string& key :
       {ResultOutputKey(run_id), ResultKeysKey(run_id), RunRecordKey(run_id)}) {
    storage.Remove(key).IgnoreError();
  }
}

Status StoreSealedResult(Storage& storage, const std::string& run_id, ByteSpan output,
                         const std::string& output_hash,
                         const std::vector<ResultRecipient>& recipients) {
  if (recipients.empty()) return Status::FailedPrecondition("the query names no recipient");
  CR_ASSIGN_OR_RETURN(container::DataKey key, container::DataKey::Generate());
  container::EncryptOptions options;
  options.dataset_id = "result/" + run_id;
  options.hash_plaintext = false;
  CR_ASSIGN_OR_RETURN(Bytes sealed_output, container::EncryptBuffer(key, options, output));

  json wrapped = json::array();
  for (const ResultRecipient& r : recipients) {
    CR_ASSIGN_OR_RETURN(
        crypto::hpke::Sealed s,
        crypto::hpke::Seal(crypto::hpke::kDefaultSuite, r.encryption_key, AsBytes(kResultKeyInfo),
                           ResultKeyAad(run_id, r.member_id), key.bytes()));
    wrapped.push_back({{"member", r.member_id},
                       {"enc", Base64Encode(s.enc)},
                       {"wrappedKey", Base64Encode(s.ciphertext)}});
  }
  json keys = {{"format", "cleanroom-result-keys"},
               {"version", 1},
               {"run", run_id},
               {"outputHash", output_hash},
               {"recipients", wrapped}};
  Status st = storage.Put(ResultOutputKey(run_id), sealed_output);
  if (st.ok()) st = storage.Put(ResultKeysKey(run_id), AsBytes(keys.dump()));
  if (!st.ok()) RemoveRunObjects(storage, run_id);
  return st;
}

Result<Bytes> OpenSealedResult(const Storage& storage, const std::string& run_id,
                               const crypto::MemberIdentity& recipient,
                               const std::string& expected_output_hash) {
  CR_ASSIGN_OR_RETURN(Bytes keys_text, storage.Get(ResultKeysKey(run_id)));
  CR_ASSIGN_OR_RETURN(json keys, ParseJsonObject(keys_text, "result keys of run " + run_id));
  if (keys.value("format", "") != "cleanroom-result-keys" || keys.value("run", "") != run_id ||
      !keys.contains("recipients") || !keys["recipients"].is_array()) {
    return Status::DataLoss("result keys of run " + run_id + ": not a result key file of this run");
  }
  const json* mine = nullptr;
  for (const json& r : keys["recipients"]) {
    if (r.is_object() && r.value("member", "") == recipient.member_id()) mine = &r;
  }
  if (mine == nullptr) {
    return Status::PermissionDenied("the result of run " + run_id + " is not sealed to member " +
                                    recipient.member_id());
  }
  auto enc = Base64Decode(mine->value("enc", ""));
  auto wrapped = Base64Decode(mine->value("wrappedKey", ""));
  if (!enc.ok() || !wrapped.ok()) return Status::DataLoss("result keys: enc/wrappedKey not base64");
  auto key_bytes = crypto::hpke::Open(crypto::hpke::kDefaultSuite, *enc, recipient.encryption_key,
                                      AsBytes(kResultKeyInfo),
                                      ResultKeyAad(run_id, recipient.member_id()), *wrapped);
  if (!key_bytes.ok()) {
    return Status::DataLoss("the result key of run " + run_id +
                            " does not open with this identity");
  }
  auto key = container::DataKey::FromBytes(*key_bytes);
  SecureWipe(*key_bytes);
  if (!key.ok()) return Status::DataLoss("the result key of run " + run_id + " is malformed");
  CR_ASSIGN_OR_RETURN(Bytes sealed_output, storage.Get(ResultOutputKey(run_id)));
  auto output = container::DecryptBuffer(*key, sealed_output);
  if (!output.ok()) return output.status().WithContext("result of run " + run_id);
  std::string actual = crypto::Sha256Hex(*output);
  if (!ConstantTimeEquals(AsBytes(actual), AsBytes(expected_output_hash))) {
    SecureWipe(*output);
    return Status::DataLoss("the result of run " + run_id +
                            " does not match the output hash of its run record");
  }
  return output;
}

Result<Bytes> SignRunRecord(const json& record, const crypto::PrivateKey& key,
                            const std::string& kid) {
  crypto::cose::Sign1Options options;
  options.kid = Bytes(kid.begin(), kid.end());
  options.content_type = "application/json";
  options.msg_type = "run.record";
  options.created_at = record.value("finishedAt", int64_t{0});
  options.generate_nonce = true;
  return crypto::cose::CreateSign1(key, AsBytes(record.dump()), options);
}

Result<Bytes> StoreRunRecord(Storage& storage, json record, const crypto::PrivateKey& key) {
  CR_ASSIGN_OR_RETURN(record["runtimeKey"], key.public_key().ToPem());
  std::string run_id = record.value("run", "");
  CR_ASSIGN_OR_RETURN(Bytes signed_record, SignRunRecord(record, key, "runtime"));
  CR_RETURN_IF_ERROR(storage.Put(RunRecordKey(run_id), signed_record));
  return signed_record;
}

Result<json> ReadRunRecordUnverified(ByteSpan signed_record) {
  auto message = crypto::cose::DecodeSign1(signed_record);
  if (!message.ok() || !message->payload) return Status::DataLoss("run record: not a COSE_Sign1");
  return ParseJsonObject(*message->payload, "run record");
}

Result<json> VerifyRunRecord(ByteSpan signed_record, const crypto::PublicKey& key) {
  auto message = crypto::cose::DecodeSign1(signed_record);
  if (!message.ok() || !message->payload) return Status::DataLoss("run record: not a COSE_Sign1");
  Status verified = crypto::cose::VerifySign1(*message, key);
  if (!verified.ok()) return Status::Unauthenticated("run record: the signature does not verify");
  return ParseJsonObject(*message->payload, "run record");
}

}  // namespace cleanroom::runtime
