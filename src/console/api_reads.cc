// GET routes of the console API: the member's own view of governance, passed through as
// governance answers it (the page names members from the contract), plus the audit timeline.
#include <string>
#include <vector>

#include "console/audit_timeline.h"
#include "console/console_api.h"

namespace cleanroom::console {
namespace {

ApiResponse Forward(ConsoleContext& context, const std::string& governance_path) {
  std::lock_guard<std::mutex> lock(context.mu);
  auto reply = context.client->Get(governance_path);
  if (!reply.ok()) return ErrorResponse(reply.status());
  if (!reply->ok()) return ErrorResponse(reply->ToStatus());
  return JsonResponse(reply->body);
}

ApiResponse Session(ConsoleContext& context) {
  std::lock_guard<std::mutex> lock(context.mu);
  const crypto::MemberPublicIdentity& me = context.client->identity().public_identity;
  return JsonResponse(Json{{"memberId", me.member_id}, {"name", me.name}});
}

ApiResponse Receipt(ConsoleContext& context, const std::string& seqno) {
  if (seqno.empty() || seqno.size() > 18 ||
      seqno.find_first_not_of("0123456789") != std::string::npos) {
    return ErrorResponse(Status::InvalidArgument("receipt: the seqno must be a number"));
  }
  ApiResponse response = Forward(context, "/v1/receipts/" + seqno);
  if (response.status == 200) response.attachment = "receipt-" + seqno + ".json";
  return response;
}

}  // namespace

ApiResponse HandleRead(ConsoleContext& context, const std::vector<std::string>& s) {
  const size_t n = s.size();
  if (n == 1 && s[0] == "session") return Session(context);
  if (n == 1 && s[0] == "collab") return Forward(context, "/v1/collab");
  if (n == 1 && s[0] == "audit") {
    std::lock_guard<std::mutex> lock(context.mu);
    auto timeline = BuildAuditTimeline(*context.client, context.identity_dir);
    return timeline.ok() ? JsonResponse(*timeline) : ErrorResponse(timeline.status());
  }
  if (n == 2 && s[0] == "receipts") return Receipt(context, s[1]);
  for (const char* noun : {"datasets", "queries", "runs"}) {
    if (s.empty() || s[0] != noun) continue;
    if (n == 1) return Forward(context, std::string("/v1/") + noun);
    if (!IsPlainSegment(s[1])) break;
    if (n == 2) return Forward(context, std::string("/v1/") + noun + "/" + s[1]);
    if (s[0] == "runs" && s[2] == "result" && (n == 3 || (n == 4 && s[3] == "download"))) {
      return HandleResult(context, s[1], n == 4);
    }
  }
  return ErrorResponse(Status::NotFound("console: no such route"));
}

}  // namespace cleanroom::console
