#include "console/audit_timeline.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "base/file.h"
#include "crypto/cose.h"
#include "govwire/tree_head_check.h"
#include "ledger/entry.h"
#include "ledger/receipt.h"
#include "ledger/segment.h"
#include "ledger/verify.h"

namespace cleanroom::console {
namespace {

using govwire::Json;

std::string IsoTime(int64_t time_us) {
  time_t seconds = static_cast<time_t>(time_us / 1000000);
  struct tm utc;
  gmtime_r(&seconds, &utc);
  char text[32];
  strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Json HeadJson(const ledger::TreeHead& head) {
  return {{"treeSize", head.tree_size},
          {"root", HexEncode(head.root)},
          {"time", IsoTime(head.time_us)}};
}

// One entry of the timeline. Member requests name their message type from the signed header;
// the service's own entries from their "serviceAction".
Json TimelineEntry(const ledger::Entry& entry) {
  Json item = {{"seqno", entry.seqno},
               {"time", IsoTime(entry.time_us)},
               {"kind", std::string(ledger::EntryKindName(entry.kind))}};
  if (entry.kind != ledger::EntryKind::kRequest) return item;
  const ledger::RequestRecord& r = entry.request;
  item["signer"] = r.signer_id;
  item["outcome"] = r.outcome == ledger::Outcome::kAccepted ? "accepted" : "refused";
  if (!r.refusal_code.empty()) item["refusalCode"] = r.refusal_code;
  if (!r.signer_id.empty()) {
    auto message = crypto::cose::DecodeSign1(r.signed_request, crypto::cose::DecodeMode::kLenient);
    if (message.ok() && message->headers.msg_type) item["type"] = *message->headers.msg_type;
  } else {
    Json action = Json::parse(AsStringView(r.signed_request), nullptr, false);
    if (action.is_object() && action.contains("serviceAction") &&
        action["serviceAction"].is_string()) {
      item["type"] = action["serviceAction"];
    }
  }
  Json result = Json::parse(r.result, nullptr, false);
  if (!result.is_discarded()) item["result"] = result;
  return item;
}

// A private scratch directory for the downloaded ledger, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "cleanroom-console-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<Json> BuildAuditTimeline(govwire::GovernanceClient& client,
                                const std::string& identity_dir) {
  std::string data;
  CR_ASSIGN_OR_RETURN(govwire::ApiReply reply,
                      client.Download("/v1/ledger", [&data](ByteSpan chunk) {
                        data.append(AsStringView(chunk));
                        return Status::OK();
                      }));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  ScratchDir scratch;
  if (scratch.path().empty()) return Status::Internal("console: cannot make a scratch directory");
  std::string file = scratch.path() + "/ledger";
  if (!WriteFileAtomic(file, data, 0600).ok()) {
    return Status::Internal("console: cannot keep the downloaded ledger in a scratch file");
  }

  std::string head_file = identity_dir + "/" + govwire::kTreeHeadFile;
  ledger::VerifyOptions options;
  options.check_request_freshness = true;
  options.member_verifier = ledger::CoseMemberSignatureVerifier();
  std::optional<ledger::TreeHead> saved;
  struct stat st;
  if (::stat(head_file.c_str(), &st) == 0) {
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(head_file));
    auto head = ledger::TreeHeadFromJson(text);
    if (!head.ok()) return head.status().WithContext(govwire::kTreeHeadFile);
    saved = *head;
    options.trusted_head = *head;
  }
  ledger::VerifyReport report;
  Status verified = ledger::VerifyLedger(file, options, &report);

  Json answer = {
      {"verified", verified.ok()},
      {"entries", report.entries_checked},
      {"memberSignaturesVerified", report.member_signatures_checked},
      {"treeHeadsVerified", report.tree_heads_checked},
      {"uncoveredEntries", report.uncovered_entries},
      {"lastTreeHead", report.last_tree_head ? HeadJson(*report.last_tree_head) : Json()},
      {"savedTreeHead", saved ? HeadJson(*saved) : Json()},
      {"extendsSaved", saved ? Json(verified.ok()) : Json()}};
  if (!verified.ok()) answer["verifyError"] = verified.ToString();

  Json timeline = Json::array();
  ledger::ScanVisitor visitor;
  visitor.on_segment = [](const ledger::SegmentHeader&, uint64_t) { return Status::OK(); };
  visitor.on_record = [&timeline](ByteSpan payload, uint64_t) {
    CR_ASSIGN_OR_RETURN(ledger::Entry entry, ledger::DecodeEntry(payload));
    timeline.push_back(TimelineEntry(entry));
    return Status::OK();
  };
  auto scanned = ledger::ScanSegments(AsBytes(data), "ledger", /*concatenated=*/true, visitor);
  if (!scanned.ok() && verified.ok()) return scanned.status();
  answer["timeline"] = std::move(timeline);

  if (verified.ok() && report.last_tree_head) {
    CR_RETURN_IF_ERROR(
        WriteFileAtomic(head_file, ledger::TreeHeadToJson(*report.last_tree_head), 0600));
  }
  return answer;
}

}  // namespace cleanroom::console
