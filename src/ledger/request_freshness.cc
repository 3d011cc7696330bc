#include "ledger/request_freshness.h"

#include "crypto/cose.h"

namespace cleanroom::ledger {

Status RequestFreshness::Check(const Entry& entry) {
  if (entry.kind != EntryKind::kRequest || entry.request.signer_id.empty()) return Status::OK();
  std::string where = "entry " + std::to_string(entry.seqno);
  bool accepted = entry.request.outcome == Outcome::kAccepted;
  auto message = crypto::cose::DecodeSign1(entry.request.signed_request);
  if (!message.ok() || !message->headers.nonce || !message->headers.created_at) {
    // A refused request is recorded as received, whatever it was.
    if (!accepted) return Status::OK();
    return Status::DataLoss(where + ": a member request without its nonce and created-at");
  }
  int64_t created_at = *message->headers.created_at;
  // Floor division: the entry's time in whole seconds, never rounded into the window.
  int64_t entry_seconds =
      entry.time_us >= 0 ? entry.time_us / 1000000 : -((-entry.time_us + 999999) / 1000000);
  if (accepted && (entry_seconds - created_at > kMaxRequestAgeSeconds + kAppendSlackSeconds ||
                   created_at - entry_seconds > kMaxRequestSkewSeconds + 1)) {
    return Status::DataLoss(where +
                            ": the request's created-at lies outside the freshness "
                            "window of the entry (a replayed or back-dated request)");
  }
  std::string key = entry.request.signer_id;
  key.push_back('\0');
  key.append(AsStringView(*message->headers.nonce));
  if (!seen_.insert(std::move(key)).second) {
    return Status::DataLoss(where + ": signer " + entry.request.signer_id +
                            " used this nonce in an earlier entry (a replayed request)");
  }
  return Status::OK();
}

}  // namespace cleanroom::ledger
