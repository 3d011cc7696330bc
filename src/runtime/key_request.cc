#include "runtime/key_request.h"

#include "attest/report_data.h"
#include "crypto/hpke.h"
#include "sql/catalog.h"

namespace cleanroom::runtime {

Bytes KeyReleaseAad(const std::string& run_id, const std::string& dataset, int64_t version,
                    const std::string& key_id) {
  std::string text = run_id;
  text.push_back('\0');
  text += sql::ToLowerAscii(dataset);
  text.push_back('\0');
  text += std::to_string(version);
  text.push_back('\0');
  text += sql::ToLowerAscii(key_id);
  return Bytes(text.begin(), text.end());
}

nlohmann::json KeyRequest::ToJson() const {
  return {{"run", run_id},
          {"publicKey", Base64Encode(public_key)},
          {"evidence", nlohmann::json::parse(attest::SerializeEvidenceJson(evidence))}};
}

std::string KeyRequest::EvidenceDigestHex() const {
  return HexEncode(attest::EvidenceDigest(evidence));
}

Result<KeyRequest> MakeSimulatedKeyRequest(const std::string& run_id,
                                           const attest::PlatformKey& platform,
                                           ByteSpan measurement) {
  constexpr auto kem = crypto::hpke::Kem::kX25519Sha256;
  CR_ASSIGN_OR_RETURN(crypto::PrivateKey ephemeral, crypto::hpke::GenerateKeyPair(kem));
  CR_ASSIGN_OR_RETURN(Bytes public_key,
                      crypto::hpke::SerializePublicKey(kem, ephemeral.public_key()));
  CR_ASSIGN_OR_RETURN(Bytes report_data, attest::ReportDataForPublicKey(public_key, run_id));
  CR_ASSIGN_OR_RETURN(attest::Evidence evidence,
                      attest::ProduceSimulatedEvidence(platform, measurement, report_data));
  return KeyRequest{run_id, std::move(ephemeral), std::move(public_key), std::move(evidence)};
}

Result<crypto::container::DataKey> OpenReleasedKey(const KeyRequest& request,
                                                   const std::string& dataset, int64_t version,
                                                   const std::string& key_id, ByteSpan enc,
                                                   ByteSpan sealed_key) {
  auto opened = crypto::hpke::Open(crypto::hpke::kDefaultSuite, enc, request.ephemeral_key,
                                   AsBytes(kKeyReleaseInfo),
                                   KeyReleaseAad(request.run_id, dataset, version, key_id),
                                   sealed_key);
  if (!opened.ok()) {
    return Status::DataLoss("the released key of dataset " + dataset +
                            " does not open for run " + request.run_id);
  }
  auto key = crypto::container::DataKey::FromBytes(*opened);
  SecureWipe(*opened);
  if (!key.ok()) return Status::DataLoss("the released key of dataset " + dataset + " is malformed");
  if (HexEncode(key->key_id()) != sql::ToLowerAscii(key_id)) {
    return Status::DataLoss("the released key of dataset " + dataset +
                            " is not the key its document names");
  }
  return key;
}

}  // namespace cleanroom::runtime
