// `cleanroom audit verify` and `cleanroom audit verify-receipt`: offline checks of a downloaded
// ledger and of a receipt (docs/formats/ledger.md). The online verbs (`audit download`,
// `audit receipt`) live with the governance client commands.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "ledger/receipt.h"
#include "ledger/verify.h"

namespace cleanroom::cli {
namespace {

struct VerifyArgs {
  std::string ledger;
  std::string service_cert;
  std::string trusted_head;
  std::string save_head;
  bool skip_member_signatures = false;
  bool accept_unsigned_tail = false;
};

struct ReceiptArgs {
  std::string receipt;
  std::string service_cert;
};

// Reads a certificate file (PEM or DER) into DER via the ledger's verifier.
Result<std::shared_ptr<ledger::TreeHeadVerifier>> LoadServiceCertificate(const std::string& path) {
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  auto verifier = ledger::TreeHeadVerifier::FromCertificate(AsBytes(text));
  if (!verifier.ok()) return verifier.status().WithContext("--service-cert " + path);
  return verifier;
}

int RunVerify(const VerifyArgs& args) {
  ledger::VerifyOptions options;
  options.check_request_freshness = true;
  if (!args.skip_member_signatures) options.member_verifier = ledger::CoseMemberSignatureVerifier();
  if (!args.trusted_head.empty()) {
    auto text = ReadFileToString(args.trusted_head);
    if (!text.ok()) return ReportError(text.status());
    auto head = ledger::TreeHeadFromJson(*text);
    if (!head.ok())
      return ReportError(head.status().WithContext("--trusted-head " + args.trusted_head));
    options.trusted_head = *head;
  }
  if (!args.service_cert.empty()) {
    auto service = LoadServiceCertificate(args.service_cert);
    if (!service.ok()) return ReportError(service.status());
    options.expected_service_certificate_der = (*service)->certificate_der();
  }
  ledger::VerifyReport report;
  Status status = ledger::VerifyLedger(args.ledger, options, &report);
  if (!status.ok()) {
    std::printf("ledger verification FAILED after %" PRIu64 " good entries\n",
                report.entries_checked);
    if (!report.first_bad_location.empty()) {
      std::printf("first bad entry: %" PRIu64 " (%s)\n", report.first_bad_seqno,
                  report.first_bad_location.c_str());
    }
    int code = ReportError(status);
    // A ledger that exists but does not verify is a failed check (1), not bad usage.
    return status.code() == StatusCode::kNotFound ? code : 1;
  }
  std::printf("ledger OK: %" PRIu64 " entries checked in %" PRIu64 " segment(s)\n",
              report.entries_checked, report.segments);
  std::printf("  %" PRIu64 " requests, %" PRIu64 " member signatures verified%s\n", report.requests,
              report.member_signatures_checked,
              args.skip_member_signatures ? " (member signatures skipped)" : "");
  std::printf("  %" PRIu64 " signed tree heads verified%s\n", report.tree_heads_checked,
              args.service_cert.empty() ? " (service certificate taken from the ledger)"
                                        : " (service certificate pinned)");
  if (!args.trusted_head.empty()) {
    std::printf("  extends the trusted tree head of %" PRIu64 " entries\n",
                options.trusted_head->tree_size);
  }
  if (!args.save_head.empty() && report.last_tree_head) {
    Status saved = WriteFileAtomic(args.save_head, ledger::TreeHeadToJson(*report.last_tree_head));
    if (!saved.ok()) return ReportError(saved);
    std::printf("  saved the last signed tree head (%" PRIu64 " entries) to %s\n",
                report.last_tree_head->tree_size, args.save_head.c_str());
  }
  if (report.uncovered_entries > 0) {
    std::printf("  %" PRIu64 " entries after the last tree head are not signed%s\n",
                report.uncovered_entries,
                args.accept_unsigned_tail ? " (accepted: --accept-unsigned-tail)" : "");
    // Nothing signed vouches for them: a service could still rewrite or drop them.
    if (!args.accept_unsigned_tail) {
      std::fprintf(stderr,
                   "error: FailedPrecondition: the ledger ends with entries no signed tree head "
                   "covers (download it again, or pass --accept-unsigned-tail)\n");
      return 1;
    }
  }
  return 0;
}

int RunVerifyReceipt(const ReceiptArgs& args) {
  auto text = ReadFileToString(args.receipt);
  if (!text.ok()) return ReportError(text.status());
  auto receipt = ledger::Receipt::FromJson(*text);
  if (!receipt.ok()) return ReportError(receipt.status().WithContext(args.receipt));
  auto service = LoadServiceCertificate(args.service_cert);
  if (!service.ok()) return ReportError(service.status());
  auto entry = ledger::VerifyReceipt(*receipt, **service);
  if (!entry.ok()) {
    std::printf("receipt INVALID\n");
    ReportError(entry.status());
    return 1;
  }
  std::printf("receipt OK: entry %" PRIu64 " (%s", entry->seqno,
              std::string(ledger::EntryKindName(entry->kind)).c_str());
  if (entry->kind == ledger::EntryKind::kRequest) {
    const ledger::RequestRecord& r = entry->request;
    std::printf(", %s", r.outcome == ledger::Outcome::kAccepted ? "accepted" : "refused");
    if (!r.refusal_code.empty()) std::printf(" %s", r.refusal_code.c_str());
    if (!r.signer_id.empty()) std::printf(", signer %s", r.signer_id.c_str());
  }
  std::printf(") recorded %s, is in the ledger of %" PRIu64 " entries signed at %s\n",
              UtcTime(entry->time_us).c_str(), receipt->tree_head.tree_size,
              UtcTime(receipt->tree_head.time_us).c_str());
  return 0;
}

void SetupAudit(CLI::App& root, ExitCode& exit_code) {
  CLI::App* audit = CommandGroup(root, "audit", "Download and verify the governance ledger");

  auto verify_args = std::make_shared<VerifyArgs>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Verify a ledger offline: checksums, Merkle tree, signed tree heads, signatures, "
      "replayed requests");
  verify
      ->add_option("--ledger", verify_args->ledger,
                   "A ledger directory, one segment, or a downloaded ledger file")
      ->required();
  verify->add_option("--service-cert", verify_args->service_cert,
                     "Require the ledger to be signed by this service certificate (PEM or DER)");
  verify->add_flag("--skip-member-signatures", verify_args->skip_member_signatures,
                   "Do not verify the members' COSE_Sign1 signatures");
  verify->add_option("--trusted-head", verify_args->trusted_head,
                     "A tree head saved earlier (--save-head): refuse a ledger that does not "
                     "extend it (truncated, rolled back or forked)");
  verify->add_option("--save-head", verify_args->save_head,
                     "Write the ledger's last signed tree head to this file once it verifies");
  verify->add_flag("--accept-unsigned-tail", verify_args->accept_unsigned_tail,
                   "Accept entries after the last signed tree head (else they fail the check)");
  verify->callback([verify_args, &exit_code] { exit_code.value = RunVerify(*verify_args); });

  auto receipt_args = std::make_shared<ReceiptArgs>();
  CLI::App* verify_receipt = audit->add_subcommand(
      "verify-receipt", "Verify a receipt offline with only the service certificate");
  verify_receipt->add_option("receipt", receipt_args->receipt, "The receipt file (JSON)")
      ->required();
  verify_receipt
      ->add_option("--service-cert", receipt_args->service_cert,
                   "The service certificate (PEM or DER)")
      ->required();
  verify_receipt->callback(
      [receipt_args, &exit_code] { exit_code.value = RunVerifyReceipt(*receipt_args); });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupAudit);
}  // namespace cleanroom::cli
