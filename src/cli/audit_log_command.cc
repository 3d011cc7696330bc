// `cleanroom audit log`: the ledger as a readable timeline. Downloads and verifies the whole
// ledger as the console's audit page does (console/audit_timeline.h: checksums, Merkle tree,
// signed tree heads, every member signature, against the tree head this member kept), then prints
// who did what and when, in UTC, with members by name.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "console/audit_timeline.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::Json;

// "2026-12-07T17:50:34Z" as "2026-12-07 17:50:34 UTC".
std::string ReadableUtc(const Json& iso) {
  std::string text = iso.is_string() ? iso.get<std::string>() : "";
  if (text.size() == 20 && text[10] == 'T' && text[19] == 'Z') {
    text[10] = ' ';
    text.replace(19, 1, " UTC");
  }
  return text;
}

void PrintHead(const char* what, const Json& head) {
  if (!head.is_object()) return;
  std::printf("%s: %llu entries at %s, root %s\n", what,
              static_cast<unsigned long long>(head.value("treeSize", uint64_t{0})),
              ReadableUtc(head["time"]).c_str(), head.value("root", "").c_str());
}

void PrintTimeline(const Json& audit, const MemberNames& names) {
  bool verified = audit.value("verified", false);
  if (verified) {
    std::printf(
        "ledger verified: %llu entries, %llu member signatures, %llu signed tree heads\n",
        static_cast<unsigned long long>(audit.value("entries", uint64_t{0})),
        static_cast<unsigned long long>(audit.value("memberSignaturesVerified", uint64_t{0})),
        static_cast<unsigned long long>(audit.value("treeHeadsVerified", uint64_t{0})));
  } else {
    std::printf("LEDGER DOES NOT VERIFY: %s\n", audit.value("verifyError", "").c_str());
  }
  PrintHead("last signed tree head", audit["lastTreeHead"]);
  if (audit["savedTreeHead"].is_object()) {
    PrintHead("tree head this member saw before", audit["savedTreeHead"]);
    std::printf("%s\n", audit.value("extendsSaved", false)
                            ? "the ledger extends the tree head seen before"
                            : "the ledger does NOT extend the tree head seen before");
  }
  for (const Json& item : audit["timeline"]) {
    std::string who = item.contains("signer")
                          ? (item["signer"].get<std::string>().empty() ? std::string("service")
                                                                       : names.Of(item["signer"]))
                          : std::string("service");
    std::string what = item.value("type", item.value("kind", std::string("?")));
    std::string outcome = item.value("outcome", "");
    if (item.contains("refusalCode"))
      outcome += " (" + item["refusalCode"].get<std::string>() + ")";
    std::string signature;
    if (item.contains("signer") && !item["signer"].get<std::string>().empty()) {
      signature = verified ? ", signature verified" : ", signature NOT verified";
    }
    std::printf("#%-4llu %s  %-28s %s%s%s\n",
                static_cast<unsigned long long>(item.value("seqno", uint64_t{0})),
                ReadableUtc(item["time"]).c_str(), who.c_str(), what.c_str(),
                outcome.empty() ? "" : (": " + outcome).c_str(), signature.c_str());
  }
}

Status AuditLog(const govwire::ClientFlags& flags) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(flags));
  MemberNames names = MemberNames::Fetch(*client);
  CR_ASSIGN_OR_RETURN(Json audit, console::BuildAuditTimeline(*client, flags.identity));
  if (flags.json) {
    std::printf("%s\n", audit.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    PrintTimeline(audit, names);
  }
  if (!audit.value("verified", false)) {
    return Status::DataLoss("the ledger does not verify; do not trust its timeline");
  }
  return Status::OK();
}

void SetupAuditLog(CLI::App& root, ExitCode& exit_code) {
  CLI::App* audit = CommandGroup(root, "audit", "Download and verify the governance ledger");
  auto flags = std::make_shared<govwire::ClientFlags>();
  CLI::App* log = audit->add_subcommand(
      "log",
      "The ledger as a timeline: who did what and when (UTC), verified against the tree "
      "head this member saw before");
  govwire::AddClientFlags(log, flags.get());
  log->callback([flags, &exit_code] {
    Status st = AuditLog(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupAuditLog);
}  // namespace cleanroom::cli
