// Finding 8 of issue 14: the contract's SEV-SNP policy is what key release enforces. Through a
// real service on loopback, a runtime whose report breaks one rule of the contract's snpPolicy
// (debug, migration agent, SMT, VMPL, guest SVN, each TCB component) gets no key; the same
// runtime within the policy gets them. A contract that allows sev-snp without a policy, or with
// a field the verifier does not enforce, is refused when proposed.
#include <gtest/gtest.h>

#include "attest/snp_policy.h"
#include "governance/tests/collab_fixture.h"

namespace cleanroom::governance::testing {
namespace {

using attest::SnpReport;
using attest::TcbVersion;

const TcbVersion kMinTcb{3, 0, 8, 115, std::nullopt};

class HostileAttestation : public RunningCollaboration {
 protected:
  void AdjustContract(Json& contract) override {
    contract["snpPolicy"] = {
        {"minTcb", attest::MinTcbToJson(kMinTcb)}, {"minGuestSvn", 4}, {"allowSmt", false}};
  }

  // A report at the contract's minimum, which the policy accepts.
  static void AtMinimum(SnpReport& r) {
    r.guest_svn = 4;
    r.reported_tcb = kMinTcb.Encode(attest::AmdProduct::kMilan);
  }

  govwire::ApiReply RequestKeys(const std::string& run,
                                const std::function<void(SnpReport&)>& edit) {
    return Anonymous("POST", "/v1/runs/" + run + "/keys",
                     KeyRequestBody(run, nullptr, std::nullopt, [&](SnpReport& r) {
                       AtMinimum(r);
                       if (edit) edit(r);
                     }).dump());
  }
};

TEST_F(HostileAttestation, EachRuleOfTheContractsPolicyRefusesKeys) {
  std::string run = RequestRun();
  struct Case {
    const char* reason;
    std::function<void(SnpReport&)> edit;
  };
  std::vector<Case> cases = {
      {"debug_not_allowed", [](SnpReport& r) { r.policy |= attest::kSnpPolicyDebug; }},
      {"migration_agent_not_allowed",
       [](SnpReport& r) { r.policy |= attest::kSnpPolicyMigrateMa; }},
      {"smt_not_allowed", [](SnpReport& r) { r.platform_info |= attest::kSnpPlatformSmtEnabled; }},
      {"vmpl_not_allowed", [](SnpReport& r) { r.vmpl = 1; }},
      {"guest_svn_too_low", [](SnpReport& r) { r.guest_svn = 3; }},
  };
  for (TcbVersion low :
       {TcbVersion{2, 0, 8, 115, std::nullopt}, TcbVersion{3, 0, 7, 115, std::nullopt},
        TcbVersion{3, 0, 8, 114, std::nullopt}}) {
    cases.push_back({"tcb_too_low", [low](SnpReport& r) {
                       r.reported_tcb = low.Encode(attest::AmdProduct::kMilan);
                     }});
  }
  for (const Case& c : cases) {
    govwire::ApiReply reply = RequestKeys(run, c.edit);
    ExpectError(reply, 403, "EvidenceRefused");
    if (reply.error) {
      EXPECT_EQ(reply.error->message.rfind(c.reason, 0), 0u) << reply.error->message;
    }
    EXPECT_FALSE(reply.body.contains("keys"));
  }
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "requested");

  // The same runtime within the policy (and above its minimum) gets the keys.
  govwire::ApiReply granted = RequestKeys(run, [](SnpReport& r) {
    r.guest_svn = 7;
    r.reported_tcb = TcbVersion{4, 1, 9, 120, std::nullopt}.Encode(attest::AmdProduct::kMilan);
  });
  ExpectOk(granted);
  EXPECT_EQ(granted.body["keys"].size(), 2u);
  EXPECT_EQ(Get(*a_, "/v1/runs/" + run)["state"], "running");
}

TEST_F(HostileAttestation, AContractWithoutAnEnforceablePolicyIsRefused) {
  Json contract = MakeContract("v2", {a_.get(), b_.get()},
                               {{"provider", "analyst", "recipient"}, {"provider"}});
  contract["evidenceKinds"] = {"sev-snp"};
  auto propose = [&](const Json& c) {
    return Write(*a_, "/v1/collab/proposals", "collab.propose", {{"version", 2}, {"contract", c}});
  };
  // sev-snp allowed and no policy: no fail-open default.
  govwire::ApiReply reply = propose(contract);
  ExpectError(reply, 400, "InvalidArgument");
  if (reply.error) {
    EXPECT_NE(reply.error->message.find("contract.snpPolicy"), std::string::npos)
        << reply.error->message;
  }
  // A policy field the verifier does not enforce is an error, not ignored.
  contract["snpPolicy"] = {{"minTcb", attest::MinTcbToJson(kMinTcb)},
                           {"requireSingleSocket", true}};
  ExpectError(propose(contract), 400, "InvalidArgument");
  // Debug guests never receive keys, whatever the members sign.
  contract["snpPolicy"] = {{"minTcb", attest::MinTcbToJson(kMinTcb)}, {"allowDebug", true}};
  ExpectError(propose(contract), 400, "InvalidArgument");
  // A policy the verifier enforces is accepted.
  contract["snpPolicy"] = {{"minTcb", attest::MinTcbToJson(kMinTcb)}};
  ExpectOk(propose(contract));
}

}  // namespace
}  // namespace cleanroom::governance::testing
