#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attest/simulated.h"
#include "crypto/signature.h"
#include "governance/tests/test_support.h"
#include "govwire/governance_client.h"
#include "govwire/https_connection.h"
#include "ledger/entry.h"

namespace cleanroom::governance::testing {

// A running collaboration on a real service on loopback, ready for runs: members a (provider,
// analyst, recipient) and b (provider), dataset "customers" (a) and "impressions" (b) with their
// keys stored, and query q1 over both, accepted. Key requests carry simulated evidence from a
// platform key the contract trusts, for a measurement it allows.
class RunningCollaboration : public ::testing::Test {
 protected:
  void SetUp() override;
  // What a test adds to the contract before it is proposed (an SEV-SNP policy, ...).
  virtual void AdjustContract(Json& /*contract*/) {}

  govwire::ApiReply Write(TestMember& m, const std::string& path, const std::string& type,
                          Json payload);
  void ExpectOk(const govwire::ApiReply& r);
  void ExpectError(const govwire::ApiReply& r, int status, const std::string& code);
  Json Get(TestMember& m, const std::string& path);

  // A query document over `sql`, a's to run and receive.
  Json QueryDocument(const std::string& name, const std::string& sql) const;
  // A new run of q1, requested by a; its id.
  std::string RequestRun();
  // A key request for `run`: a fresh X25519 key (returned in `ephemeral`) and simulated
  // evidence bound to it, the run and `challenge` (a fresh one from the service when not given;
  // an empty one: the evidence binds only key and run, and the body carries no challenge);
  // `edit`, when given, sets fields of the report (guest policy, VMPL, TCB, ...) before the
  // platform key signs it.
  Json KeyRequestBody(const std::string& run,
                      std::optional<crypto::PrivateKey>* ephemeral = nullptr,
                      std::optional<Bytes> challenge = std::nullopt,
                      const std::function<void(attest::SnpReport&)>& edit = nullptr);
  // A new run of `query` (with its hash), requested by a; its id.
  std::string RequestRunOf(const std::string& query, const std::string& hash);
  // Releases the keys of `run` to a runtime with valid evidence (expecting success); returns the
  // run token opened with the runtime's ephemeral key, and the evidence digest the service
  // recorded; `work`, when given, receives the reply's work order.
  Bytes ReleaseKeys(const std::string& run, std::string* evidence_digest, Json* work = nullptr);
  // A run record signed by `signer` (COSE_Sign1, msg type run.record).
  Bytes SignRecord(const Json& record, const crypto::PrivateKey& signer);
  // POST /v1/runs/{run}/report with `token` and the signed `record`.
  govwire::ApiReply Report(const std::string& run, ByteSpan token, ByteSpan record);
  // GET /v1/runs/{run}/challenge, anonymously; empty when the service issues none.
  Bytes FetchChallenge(const std::string& run);
  // Moves the service's clock forward.
  void AdvanceClock(int64_t seconds) { clock_offset_->fetch_add(seconds); }
  // A new anonymous TLS connection (no client certificate), as anyone can open.
  std::unique_ptr<govwire::HttpsConnection> AnonymousConnection();
  // A request over a new anonymous connection, or over `connection` when given.
  govwire::ApiReply Anonymous(const std::string& method, const std::string& path,
                              const std::string& body,
                              govwire::HttpsConnection* connection = nullptr);
  // Every durable ledger entry, in order.
  std::vector<ledger::Entry> LedgerEntries();

  std::shared_ptr<std::atomic<int64_t>> clock_offset_ = std::make_shared<std::atomic<int64_t>>(0);
  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<TestMember> a_, b_;
  std::unique_ptr<attest::PlatformKey> platform_;
  Bytes measurement_;
  std::string collab_, query_, query_hash_;
  Bytes customers_key_, impressions_key_;
};

// The message type of a member's entry (empty for a service entry or one that does not decode),
// and the service action of a service entry (empty otherwise).
std::string MemberMessageType(const ledger::Entry& entry);
std::string ServiceActionType(const ledger::Entry& entry);

}  // namespace cleanroom::governance::testing
