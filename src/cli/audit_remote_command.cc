// `cleanroom audit download|receipt`: fetch the ledger and receipts from the governance service
// (`audit verify` and `audit verify-receipt` check them offline).
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "govwire/cli_support.h"
#include "govwire/tree_head_check.h"
#include "ledger/receipt.h"
#include "ledger/verify.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::ClientFlags;

struct DownloadFlags {
  ClientFlags client;
  std::string out;
  uint64_t seqno = 0;
};

// Verifies a downloaded ledger against the tree head kept in the member's identity directory
// (it must extend it: no truncation, rollback or fork since the last download) and keeps its
// last signed tree head in place of the old one.
Status CheckAgainstKeptHead(const std::string& ledger_file, const std::string& identity_dir) {
  std::string head_file = identity_dir + "/" + govwire::kTreeHeadFile;
  ledger::VerifyOptions options;
  options.check_request_freshness = true;
  options.member_verifier = ledger::CoseMemberSignatureVerifier();
  struct stat st;
  if (::stat(head_file.c_str(), &st) == 0) {
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(head_file));
    auto head = ledger::TreeHeadFromJson(text);
    if (!head.ok()) return head.status().WithContext(head_file);
    options.trusted_head = *head;
  }
  ledger::VerifyReport report;
  Status verified = ledger::VerifyLedger(ledger_file, options, &report);
  if (!verified.ok()) {
    return verified.WithContext(
        "the downloaded ledger does not verify against the tree head "
        "kept in " +
        head_file);
  }
  if (!report.last_tree_head) return Status::OK();
  CR_RETURN_IF_ERROR(WriteFileAtomic(head_file, ledger::TreeHeadToJson(*report.last_tree_head)));
  std::printf("verified%s; kept its last tree head (%llu entries) in %s\n",
              options.trusted_head ? ", extends the tree head seen before" : "",
              static_cast<unsigned long long>(report.last_tree_head->tree_size), head_file.c_str());
  return Status::OK();
}

Status Download(const DownloadFlags& f) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  AtomicFileWriter out;
  CR_RETURN_IF_ERROR(out.Open(f.out));
  uint64_t bytes = 0;
  CR_ASSIGN_OR_RETURN(ApiReply reply, client->Download("/v1/ledger", [&](ByteSpan chunk) {
    bytes += chunk.size();
    return out.Append(chunk);
  }));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  CR_RETURN_IF_ERROR(out.Commit());
  std::printf("wrote %s (%llu bytes); check it with `cleanroom audit verify --ledger %s`\n",
              f.out.c_str(), static_cast<unsigned long long>(bytes), f.out.c_str());
  return CheckAgainstKeptHead(f.out, f.client.identity);
}

Status Receipt(const DownloadFlags& f) {
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  CR_ASSIGN_OR_RETURN(ApiReply reply, client->Get("/v1/receipts/" + std::to_string(f.seqno)));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  CR_RETURN_IF_ERROR(WriteFileAtomic(f.out, reply.body.dump(2) + "\n"));
  auto receipt = ledger::Receipt::FromJson(reply.body.dump());
  std::string when =
      receipt.ok() ? " (in the tree head signed " + UtcTime(receipt->tree_head.time_us) + ")" : "";
  std::printf(
      "wrote the receipt of entry %llu%s to %s; check it with `cleanroom audit "
      "verify-receipt`\n",
      static_cast<unsigned long long>(f.seqno), when.c_str(), f.out.c_str());
  return Status::OK();
}

void SetupAuditRemote(CLI::App& root, ExitCode& exit_code) {
  CLI::App* audit = CommandGroup(root, "audit", "Download and verify the governance ledger");
  auto report = [&exit_code](const Status& st) { exit_code.value = st.ok() ? 0 : ReportError(st); };

  auto dl = std::make_shared<DownloadFlags>();
  CLI::App* d = audit->add_subcommand(
      "download",
      "Download the whole ledger as one file; it must extend the last tree head this "
      "member saw (kept in its identity directory as tree-head.json)");
  govwire::AddClientFlags(d, &dl->client);
  d->add_option("--out", dl->out, "The file to write")->required();
  d->callback([dl, report] { report(Download(*dl)); });

  auto rc = std::make_shared<DownloadFlags>();
  CLI::App* r = audit->add_subcommand("receipt", "Fetch the receipt of a ledger entry");
  govwire::AddClientFlags(r, &rc->client);
  r->add_option("seqno", rc->seqno, "The entry's sequence number")->required();
  r->add_option("--out", rc->out, "The file to write")->required();
  r->callback([rc, report] { report(Receipt(*rc)); });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupAuditRemote);
}  // namespace cleanroom::cli
