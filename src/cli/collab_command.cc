// `cleanroom collab create|update|show|accept|reject|stop|resume`: the collaboration contract
// and its stop switches, against the governance service.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "crypto/identity.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::ClientFlags;
using govwire::Json;
using govwire::ShortId;

struct ContractFlags {
  ClientFlags client;
  std::string name;
  std::string contract_file;
  std::vector<std::string> members;  // DIR:role,role
  std::vector<std::string> measurements;
  std::vector<std::string> evidence_kinds;
  std::vector<std::string> platform_keys;
  std::string snp_policy_file;  // the contract's snpPolicy object (JSON)
  std::string bootstrap_token;  // collab create on a service initialised with a token
};

// Builds the contract from --contract FILE, or from --name and the --member directories.
Result<Json> BuildContract(const ContractFlags& f) {
  if (!f.contract_file.empty()) {
    return govwire::ReadJsonFile(f.contract_file);
  }
  if (f.name.empty() || f.members.empty()) {
    return Status::InvalidArgument(
        "give --contract FILE, or --name and one --member DIR:ROLES per member");
  }
  Json members = Json::array();
  for (const std::string& spec : f.members) {
    size_t colon = spec.rfind(':');
    std::string dir = colon == std::string::npos ? spec : spec.substr(0, colon);
    std::vector<std::string> roles;
    if (colon != std::string::npos) {
      std::string list = spec.substr(colon + 1);
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        if (comma > start) roles.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    }
    for (const std::string& role : roles) {
      if (role != "provider" && role != "analyst" && role != "recipient") {
        std::string message = "--member ";
        message.append(spec).append(": unknown role '").append(role);
        message.append("' (the roles are provider, analyst and recipient)");
        return Status::InvalidArgument(message);
      }
    }
    auto identity = crypto::LoadPublicIdentity(dir);
    if (!identity.ok()) return identity.status().WithContext("--member " + dir);
    CR_ASSIGN_OR_RETURN(Json entry, govwire::ContractMember(*identity, roles));
    members.push_back(entry);
  }
  Json contract = {
      {"name", f.name},
      {"members", members},
      {"allowedMeasurements", f.measurements},
      {"evidenceKinds",
       f.evidence_kinds.empty() ? std::vector<std::string>{"simulated"} : f.evidence_kinds},
      {"simulatedPlatformKeys", f.platform_keys},
      {"privacyDefaults", Json::object()}};
  if (!f.snp_policy_file.empty()) {
    CR_ASSIGN_OR_RETURN(contract["snpPolicy"], govwire::ReadJsonFile(f.snp_policy_file));
  }
  return contract;
}

void PrintCollaboration(const Json& c) {
  if (c.value("state", "") == "none") {
    std::printf("no collaboration yet\n");
    return;
  }
  std::printf("collaboration %s (%s)\nstate %s", c.value("id", "").c_str(),
              c.value("name", "").c_str(), c.value("state", "").c_str());
  if (c["activeVersion"].is_number())
    std::printf(", active version %d", c["activeVersion"].get<int>());
  std::printf("\n");
  for (const auto& m : c["stoppedBy"]) std::printf("stopped by %s\n", ShortId(m).c_str());
  for (const auto& v : c["versions"]) {
    std::printf("version %d: %s, hash %s\n", v["version"].get<int>(),
                v["state"].get<std::string>().c_str(),
                v["contractHash"].get<std::string>().c_str());
    for (const auto& m : v["members"]) {
      std::string id = m["id"];
      std::string vote =
          v["votes"].contains(id) ? v["votes"][id]["vote"].get<std::string>() : "pending";
      std::string roles;
      for (const auto& r : m["roles"]) roles += (roles.empty() ? "" : ",") + r.get<std::string>();
      std::printf("  %s %-20s %-28s %s\n", ShortId(id).c_str(),
                  m["displayName"].get<std::string>().c_str(), roles.c_str(), vote.c_str());
    }
  }
  // What the contract in force (else the latest proposed) lets see the data.
  const Json& versions = c["versions"];
  if (versions.empty()) return;
  size_t index =
      c["activeVersion"].is_number() ? c["activeVersion"].get<size_t>() - 1 : versions.size() - 1;
  const Json contract = versions[index].value("contract", Json::object());
  std::printf("runtime allowed to see data (version %zu):\n  evidence kinds:", index + 1);
  for (const auto& kind : contract.value("evidenceKinds", Json::array())) {
    std::string k = kind.get<std::string>();
    std::printf(" %s%s", k.c_str(), k == "simulated" ? " (INSECURE: development only)" : "");
  }
  std::printf("\n");
  for (const auto& m : contract.value("allowedMeasurements", Json::array())) {
    std::printf("  measurement %s\n", m.get<std::string>().c_str());
  }
  for (const auto& k : contract.value("simulatedPlatformKeys", Json::array())) {
    std::printf("  trusted simulated platform key %s\n", k.get<std::string>().c_str());
  }
}

Status Propose(const ContractFlags& f, bool first) {
  CR_ASSIGN_OR_RETURN(Json contract, BuildContract(f));
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  if (!f.bootstrap_token.empty()) client->set_bootstrap_token(f.bootstrap_token);
  int64_t version = 1;
  if (first) {
    // A service holds one collaboration; say so rather than let the service complain about the
    // proposal's shape. A caller the service will not answer yet (bootstrap) goes on to propose.
    auto view = client->Get("/v1/collab");
    if (view.ok() && view->ToStatus().ok() && view->body.value("state", "none") != "none") {
      std::string message = "this governance service already holds a collaboration (";
      message.append(view->body.value("name", std::string()));
      message.append(
          "); a service holds one contract: change it with `cleanroom collab update`, "
          "or start another service for another collaboration");
      return Status::FailedPrecondition(message);
    }
  } else {
    CR_ASSIGN_OR_RETURN(ApiReply view, client->Get("/v1/collab"));
    CR_RETURN_IF_ERROR(view.ToStatus());
    version = static_cast<int64_t>(view.body["versions"].size()) + 1;
  }
  return govwire::PrintReply(client->Write("/v1/collab/proposals", "collab.propose",
                                           {{"version", version}, {"contract", contract}}),
                             f.client.json, govwire::PrintWriteResult);
}

struct VoteFlags {
  ClientFlags client;
  int64_t version = 0;  // 0: the latest
  std::string hash;     // empty: the hash the service shows
};

Status Vote(const VoteFlags& f, bool accept) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  CR_ASSIGN_OR_RETURN(ApiReply view, client->Get("/v1/collab"));
  CR_RETURN_IF_ERROR(view.ToStatus());
  const Json& versions = view.body["versions"];
  if (versions.empty()) return Status::FailedPrecondition("no contract has been proposed");
  int64_t version = f.version == 0 ? static_cast<int64_t>(versions.size()) : f.version;
  if (version < 1 || version > static_cast<int64_t>(versions.size())) {
    return Status::NotFound("--version: no contract version " + std::to_string(version));
  }
  std::string hash =
      f.hash.empty() ? versions[version - 1]["contractHash"].get<std::string>() : f.hash;
  if (!f.client.json) {
    std::printf("%s contract version %lld, hash %s\n", accept ? "accepting" : "rejecting",
                static_cast<long long>(version), hash.c_str());
  }
  return govwire::PrintReply(
      client->Write("/v1/collab/votes", accept ? "collab.accept" : "collab.reject",
                    {{"version", version}, {"contractHash", hash}}),
      f.client.json, govwire::PrintWriteResult);
}

void AddContractFlags(CLI::App* cmd, ContractFlags* f) {
  govwire::AddClientFlags(cmd, &f->client);
  cmd->add_option("--name", f->name, "The collaboration's name");
  cmd->add_option("--member", f->members,
                  "A member: identity directory and roles, DIR:provider,analyst,recipient");
  cmd->add_option("--contract", f->contract_file, "The whole contract as a JSON file instead");
  cmd->add_option("--measurement", f->measurements, "An allowed runtime measurement (hex)");
  cmd->add_option("--evidence-kind", f->evidence_kinds, "sev-snp or simulated (default simulated)");
  cmd->add_option("--platform-key", f->platform_keys,
                  "A simulated platform key trusted for simulated (INSECURE) evidence: the hex id "
                  "`cleanroom runtime init-platform` prints");
  cmd->add_option("--snp-policy", f->snp_policy_file,
                  "The SEV-SNP policy key release enforces, as a JSON file (the contract's "
                  "snpPolicy, docs/attestation.md); required with --evidence-kind sev-snp");
}

void SetupCollab(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "collab", "The collaboration contract and its consent");
  group->require_subcommand(1);
  auto report = [&exit_code](const Status& st) { exit_code.value = st.ok() ? 0 : ReportError(st); };

  auto create = std::make_shared<ContractFlags>();
  CLI::App* c = group->add_subcommand("create", "Propose the collaboration (contract version 1)");
  AddContractFlags(c, create.get());
  c->add_option("--bootstrap-token", create->bootstrap_token,
                "The one-time token `cleanroom governance init` printed, when the service was "
                "initialised without founders")
      ->envname("CLEANROOM_BOOTSTRAP_TOKEN");
  c->callback([create, report] { report(Propose(*create, true)); });

  auto update = std::make_shared<ContractFlags>();
  CLI::App* u =
      group->add_subcommand("update", "Propose a new contract version (membership change)");
  AddContractFlags(u, update.get());
  u->callback([update, report] { report(Propose(*update, false)); });

  auto show = std::make_shared<ClientFlags>();
  CLI::App* s = group->add_subcommand("show", "Show the collaboration, its versions and votes");
  govwire::AddClientFlags(s, show.get());
  s->callback(
      [show, report] { report(govwire::GetAndPrint(*show, "/v1/collab", PrintCollaboration)); });

  for (bool accept : {true, false}) {
    auto vote = std::make_shared<VoteFlags>();
    CLI::App* v =
        group->add_subcommand(accept ? "accept" : "reject",
                              accept ? "Accept a contract version by its exact hash"
                                     : "Reject a contract version (one rejection rejects it)");
    govwire::AddClientFlags(v, &vote->client);
    v->add_option("--version", vote->version, "The contract version (default: the latest)");
    v->add_option("--hash", vote->hash, "The contract hash you reviewed (default: the service's)");
    v->callback([vote, accept, report] { report(Vote(*vote, accept)); });
  }

  for (bool stop : {true, false}) {
    auto flags = std::make_shared<ClientFlags>();
    CLI::App* sw = group->add_subcommand(stop ? "stop" : "resume",
                                         stop ? "Hold the collaboration stopped (no runs)"
                                              : "Release your stop of the collaboration");
    govwire::AddClientFlags(sw, flags.get());
    sw->callback([flags, stop, report] {
      report(govwire::WriteAndPrint(*flags, "/v1/collab/consent",
                                    stop ? "collab.stop" : "collab.resume", Json::object()));
    });
  }
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupCollab);
}  // namespace cleanroom::cli
