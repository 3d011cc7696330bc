#include "runtime/spark_attestation.h"

#include <ctime>

#include "attest/evidence.h"
#include "crypto/hash.h"
#include "crypto/hpke.h"

namespace cleanroom::runtime {
namespace {

constexpr std::string_view kReportLabel = "cleanroom.spark.executor.v1";
constexpr std::string_view kSealInfo = "cleanroom.spark.executor-key.v1";

}  // namespace

Bytes ExecutorReportData(ByteSpan challenge, ByteSpan public_key) {
  Bytes input(kReportLabel.begin(), kReportLabel.end());
  input.push_back(0);
  input.insert(input.end(), challenge.begin(), challenge.end());
  input.insert(input.end(), public_key.begin(), public_key.end());
  return crypto::Hash(crypto::HashAlgorithm::kSha512, input);
}

Result<AttestedExecutor> VerifyExecutor(const SparkExecutorReport& report, ByteSpan challenge,
                                        const attest::Policy& policy) {
  auto refuse = [&report](const std::string& why) {
    return Status::FailedPrecondition("Spark engine: executor " + report.executor +
                                      " is not attested (" + why +
                                      "): no data key is released to the cluster");
  };
  if (report.evidence.starts_with("none")) return refuse("it presented no evidence");
  auto evidence = attest::ParseEvidenceJson(report.evidence);
  if (!evidence.ok()) return refuse("its evidence does not parse");
  attest::Policy bound = policy;
  bound.expected_report_data = ExecutorReportData(challenge, report.public_key);
  attest::Verdict verdict = attest::VerifyEvidence(*evidence, bound, std::time(nullptr));
  if (!verdict.valid()) return refuse(verdict.message);
  auto key =
      crypto::hpke::DeserializePublicKey(crypto::hpke::Kem::kX25519Sha256, report.public_key);
  if (!key.ok()) return refuse("its key is not an X25519 public key");
  return AttestedExecutor{report.executor, std::move(key).value()};
}

Result<std::vector<AttestedExecutor>> AttestExecutors(SparkDriver& driver,
                                                      const ExecutorAttestation& attestation) {
  if (attestation.executors < 1) {
    return Status::InvalidArgument("Spark engine: at least one executor must be attested");
  }
  Bytes challenge;
  CR_ASSIGN_OR_RETURN(std::vector<SparkExecutorReport> reports,
                      driver.ExecutorReports(attestation.executors, &challenge));
  if (challenge.size() != 32) return Status::Internal("Spark engine: a malformed challenge");
  std::vector<AttestedExecutor> attested;
  for (const SparkExecutorReport& report : reports) {
    CR_ASSIGN_OR_RETURN(AttestedExecutor executor,
                        VerifyExecutor(report, challenge, attestation.policy));
    attested.push_back(std::move(executor));
  }
  return attested;
}

Status SealKeyToExecutors(SparkDriver& driver, const std::vector<AttestedExecutor>& executors,
                          const crypto::container::DataKey& key) {
  std::string key_id = HexEncode(key.key_id());
  for (const AttestedExecutor& executor : executors) {
    std::string aad = key_id + "/" + executor.id;
    CR_ASSIGN_OR_RETURN(crypto::hpke::Sealed sealed,
                        crypto::hpke::Seal(crypto::hpke::kDefaultSuite, executor.key,
                                           AsBytes(kSealInfo), AsBytes(aad), key.bytes()));
    CR_RETURN_IF_ERROR(driver.SealedKey(executor.id, key_id, sealed.enc, sealed.ciphertext));
  }
  return Status::OK();
}

}  // namespace cleanroom::runtime
