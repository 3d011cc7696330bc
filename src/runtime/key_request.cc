#include "runtime/key_request.h"

#include "attest/report_data.h"
#include "attest/sev_guest_device.h"
#include "crypto/hpke.h"
#include "sql/catalog.h"

namespace cleanroom::runtime {

nlohmann::json KeyRequest::ToJson() const {
  return govwire::KeyReleaseRequest{run_id, public_key, challenge, evidence}.ToJson();
}

EvidenceProducer SimulatedEvidenceProducer(const attest::PlatformKey* platform, Bytes measurement) {
  return [platform, measurement = std::move(measurement)](ByteSpan report_data) {
    return attest::ProduceSimulatedEvidence(*platform, measurement, report_data);
  };
}

EvidenceProducer SevSnpEvidenceProducer(Bytes certificate_der) {
  return [certificate_der =
              std::move(certificate_der)](ByteSpan report_data) -> Result<attest::Evidence> {
    CR_ASSIGN_OR_RETURN(Bytes report, attest::GetSnpReportFromDevice(report_data));
    attest::Evidence evidence;
    evidence.kind = attest::EvidenceKind::kSevSnp;
    evidence.report = std::move(report);
    evidence.certificates.push_back(certificate_der);
    return evidence;
  };
}

Result<KeyRequest> MakeKeyRequest(const std::string& run_id, ByteSpan challenge,
                                  const EvidenceProducer& produce) {
  constexpr auto kem = crypto::hpke::Kem::kX25519Sha256;
  CR_ASSIGN_OR_RETURN(crypto::PrivateKey ephemeral, crypto::hpke::GenerateKeyPair(kem));
  CR_ASSIGN_OR_RETURN(Bytes public_key,
                      crypto::hpke::SerializePublicKey(kem, ephemeral.public_key()));
  CR_ASSIGN_OR_RETURN(Bytes report_data,
                      attest::ReportDataForChallenge(public_key, run_id, challenge));
  CR_ASSIGN_OR_RETURN(attest::Evidence evidence, produce(report_data));
  return KeyRequest{run_id, std::move(ephemeral), std::move(public_key),
                    Bytes(challenge.begin(), challenge.end()), std::move(evidence)};
}

Result<Bytes> OpenRunToken(const KeyRequest& request, ByteSpan enc, ByteSpan sealed_token) {
  auto token = crypto::hpke::Open(crypto::hpke::kDefaultSuite, enc, request.ephemeral_key,
                                  AsBytes(govwire::kRunTokenInfo),
                                  govwire::RunTokenAad(request.run_id), sealed_token);
  if (!token.ok()) return Status::DataLoss("the run token does not open for run " + request.run_id);
  return token;
}

std::string KeyRequest::EvidenceDigestHex() const {
  return HexEncode(attest::EvidenceDigest(evidence));
}

Result<KeyRequest> MakeSimulatedKeyRequest(const std::string& run_id, ByteSpan challenge,
                                           const attest::PlatformKey& platform,
                                           ByteSpan measurement) {
  return MakeKeyRequest(
      run_id, challenge,
      SimulatedEvidenceProducer(&platform, Bytes(measurement.begin(), measurement.end())));
}

Result<crypto::container::DataKey> OpenReleasedKey(const KeyRequest& request,
                                                   const std::string& dataset, int64_t version,
                                                   const std::string& key_id, ByteSpan enc,
                                                   ByteSpan sealed_key) {
  auto opened = crypto::hpke::Open(
      crypto::hpke::kDefaultSuite, enc, request.ephemeral_key, AsBytes(kKeyReleaseInfo),
      KeyReleaseAad(request.run_id, dataset, version, key_id), sealed_key);
  if (!opened.ok()) {
    return Status::DataLoss("the released key of dataset " + dataset + " does not open for run " +
                            request.run_id);
  }
  auto key = crypto::container::DataKey::FromBytes(*opened);
  SecureWipe(*opened);
  if (!key.ok())
    return Status::DataLoss("the released key of dataset " + dataset + " is malformed");
  if (HexEncode(key->key_id()) != sql::ToLowerAscii(key_id)) {
    return Status::DataLoss("the released key of dataset " + dataset +
                            " is not the key its document names");
  }
  return key;
}

}  // namespace cleanroom::runtime
