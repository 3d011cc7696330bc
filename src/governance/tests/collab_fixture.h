#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attest/simulated.h"
#include "crypto/signature.h"
#include "governance/client/governance_client.h"
#include "governance/client/https_connection.h"
#include "governance/tests/test_support.h"
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

  client::ApiReply Write(TestMember& m, const std::string& path, const std::string& type,
                         Json payload);
  void ExpectOk(const client::ApiReply& r);
  void ExpectError(const client::ApiReply& r, int status, const std::string& code);
  Json Get(TestMember& m, const std::string& path);

  // A query document over `sql`, a's to run and receive.
  Json QueryDocument(const std::string& name, const std::string& sql) const;
  // A new run of q1, requested by a; its id.
  std::string RequestRun();
  // A key request for `run`: a fresh X25519 key (returned in `ephemeral`) and simulated
  // evidence bound to it and the run; `edit`, when given, sets fields of the report (guest
  // policy, VMPL, TCB, ...) before the platform key signs it.
  Json KeyRequestBody(const std::string& run,
                      std::optional<crypto::PrivateKey>* ephemeral = nullptr,
                      const std::function<void(attest::SnpReport&)>& edit = nullptr);
  // A new anonymous TLS connection (no client certificate), as anyone can open.
  std::unique_ptr<client::HttpsConnection> AnonymousConnection();
  // A request over a new anonymous connection, or over `connection` when given.
  client::ApiReply Anonymous(const std::string& method, const std::string& path,
                             const std::string& body,
                             client::HttpsConnection* connection = nullptr);
  // Every durable ledger entry, in order.
  std::vector<ledger::Entry> LedgerEntries();

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
