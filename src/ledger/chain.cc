#include "ledger/chain.h"

namespace cleanroom::ledger {
namespace {

std::string EntryAt(uint64_t seqno, const std::string& location) {
  return "entry " + std::to_string(seqno) + " (" + location + ")";
}

}  // namespace

Status ChainChecker::OnSegment(const SegmentHeader& header, const std::string& location) {
  ++segments_seen_;
  if (header.number != segments_seen_) {
    return Status::DataLoss("ledger corrupt: " + location + ": segment number " +
                            std::to_string(header.number) + " where " +
                            std::to_string(segments_seen_) + " was expected");
  }
  if (header.first_seqno != next_seqno()) {
    return Status::DataLoss("ledger corrupt: " + location + ": segment starts at seqno " +
                            std::to_string(header.first_seqno) + " where " +
                            std::to_string(next_seqno()) + " was expected");
  }
  return Status::OK();
}

Result<Entry> ChainChecker::OnRecord(ByteSpan payload, const std::string& location) {
  uint64_t expected = next_seqno();
  Result<Entry> decoded = DecodeEntry(payload);
  if (!decoded.ok()) {
    return Status::DataLoss("ledger corrupt: " + EntryAt(expected, location) + ": " +
                            decoded.status().message());
  }
  Entry entry = std::move(decoded).value();
  auto bad = [&](std::string_view what) {
    return Status::DataLoss("ledger corrupt: " + EntryAt(expected, location) + ": " +
                            std::string(what));
  };
  if (entry.seqno != expected) {
    return bad("seqno " + std::to_string(entry.seqno) + " out of order");
  }
  if ((entry.kind == EntryKind::kServiceIdentity) != (expected == 1)) {
    return bad("the service identity must be entry 1 and only entry 1");
  }
  switch (entry.kind) {
    case EntryKind::kServiceIdentity: {
      Result<std::shared_ptr<TreeHeadVerifier>> service =
          TreeHeadVerifier::FromCertificate(entry.identity.certificate_der);
      if (!service.ok()) return bad("service identity: " + service.status().message());
      service_ = std::move(service).value();
      break;
    }
    case EntryKind::kTreeHead: {
      const TreeHead& head = entry.tree_head;
      if (head.tree_size != expected - 1) {
        return bad("tree head covers " + std::to_string(head.tree_size) +
                   " entries instead of all " + std::to_string(expected - 1) + " before it");
      }
      if (head.root != tree_.Root()) return bad("tree head root does not match the entries");
      if (verify_signatures_) {
        Status s = service_->Verify(head.ToBeSigned(), head.signature);
        if (!s.ok()) {
          return Status::Unauthenticated("ledger corrupt: " + EntryAt(expected, location) + ": " +
                                         s.message());
        }
      }
      latest_tree_head_ = head;
      last_tree_head_seqno_ = expected;
      ++tree_heads_checked_;
      break;
    }
    case EntryKind::kRequest:
      break;
  }
  tree_.Append(LeafHash(payload));
  return entry;
}

}  // namespace cleanroom::ledger
