#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "governance/wire.h"
#include "govwire/bootstrap_proof.h"

namespace cleanroom::governance {

using govwire::BootstrapProof;

// What a fresh service accepts as its first contract proposal, fixed by its operator at
// `cleanroom governance init` (docs/governance.md, "Bootstrap"): either the founding members
// (their member ids; one of them proposes) or a one-time token printed at init, whose holder
// proves it with the payload field "bootstrapProof" = BootstrapProof(token, proposer id).
// Without it anyone reaching a fresh service could propose a contract of its own and squat it.
// Stored as DATA_DIR/service/bootstrap.json (mode 0600, beside the service key).
class Bootstrap {
 public:
  static constexpr char kFileName[] = "bootstrap.json";

  // Writes the bootstrap file of a service directory. With no founders a fresh 32-byte token is
  // made and returned (hex), else the result is empty. AlreadyExists when one is written.
  static Result<std::string> Write(const std::string& service_dir,
                                   const std::vector<std::string>& founder_ids);
  // Reads it; NotFound when the service was never initialised.
  static Result<Bootstrap> Read(const std::string& service_dir);

  // Whether `proposer` may make the first proposal with `payload` (the proposal's JSON). The
  // token is accepted only while `no_contract_yet` (it is one-time: the first proposal spends
  // it); founders may propose as long as no contract is active.
  bool Allows(const std::string& proposer, const Json& payload, bool no_contract_yet) const;

 private:
  std::set<std::string> founders_;
  std::string token_;  // hex; empty with founders
};

}  // namespace cleanroom::governance
