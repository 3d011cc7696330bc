#pragma once

// Keys only to attested executors (docs/spark.md, "Attested executors"). The driver runs our
// AttestationPlugin (spark/): each executor makes an X25519 key pair and evidence binding it to
// the application's challenge, and sends both over Spark's plugin channel. Here the runtime
// verifies every executor's evidence with the attestation module's verifier (the one governance
// uses for the runtime itself) and seals each data key to each verified executor (HPKE); one
// executor refused and no key goes to any.

#include <string>
#include <vector>

#include "attest/policy.h"
#include "base/status.h"
#include "crypto/container.h"
#include "crypto/signature.h"
#include "runtime/spark_driver.h"

namespace cleanroom::runtime {

struct ExecutorAttestation {
  // How many executors must report (the application's executors: one per worker by default).
  int executors = 1;
  // Kinds, measurements and trusted platform keys; expected_report_data is set per executor.
  attest::Policy policy;
};

struct AttestedExecutor {
  std::string id;
  crypto::PublicKey key;  // X25519
};

// SHA-512("cleanroom.spark.executor.v1" || 0x00 || challenge || public key): the report_data of
// an executor's evidence.
Bytes ExecutorReportData(ByteSpan challenge, ByteSpan public_key);

// Verifies one executor's report: the evidence parses, its report_data is
// ExecutorReportData(challenge, its key), and attest::VerifyEvidence accepts it under `policy`.
// FailedPrecondition naming the executor and the reason otherwise.
Result<AttestedExecutor> VerifyExecutor(const SparkExecutorReport& report, ByteSpan challenge,
                                        const attest::Policy& policy);

// Waits for `attestation.executors` executors' reports and verifies each: the evidence parses,
// its report_data binds this application's challenge and the executor's key, and
// attest::VerifyEvidence accepts it under the policy. FailedPrecondition naming the executor and
// the verifier's reason when any is refused (then no key is sealed to any executor).
Result<std::vector<AttestedExecutor>> AttestExecutors(SparkDriver& driver,
                                                      const ExecutorAttestation& attestation);

// Seals `key` to each executor (HPKE, the default suite; info "cleanroom.spark.executor-key.v1",
// aad the key_id in hex, "/", the executor id) and hands it to the driver for that executor.
Status SealKeyToExecutors(SparkDriver& driver, const std::vector<AttestedExecutor>& executors,
                          const crypto::container::DataKey& key);

}  // namespace cleanroom::runtime
