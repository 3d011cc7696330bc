#include "ledger/verify.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "base/file.h"
#include "base/thread_pool.h"
#include "crypto/hash.h"
#include "ledger/chain.h"
#include "ledger/request_freshness.h"
#include "ledger/segment.h"

namespace cleanroom::ledger {
namespace {

// A member signature whose check is deferred so that batches run on several cores.
struct PendingSignature {
  uint64_t seqno = 0;
  std::string location;
  Bytes signed_request;
  std::shared_ptr<const Bytes> certificate;
};

constexpr size_t kSignatureBatch = 256;

// Walks entries in order, applying ChainChecker and the member-signature rules of
// docs/formats/ledger.md section 2. Member signatures are checked in batches on a thread pool;
// a failure is reported for the lowest seqno that failed, before any later structural failure.
class LedgerVerifier {
 public:
  LedgerVerifier(const VerifyOptions& options, VerifyReport* report)
      : options_(options),
        report_(report),
        chain_(/*verify_signatures=*/true),
        pool_(options.threads) {}

  Status OnSegment(const SegmentHeader& header, const std::string& location) {
    ++report_->segments;
    return Fail(chain_.OnSegment(header, location), 0, location);
  }

  Status OnRecord(ByteSpan payload, const std::string& location) {
    uint64_t seqno = chain_.next_seqno();
    Result<Entry> entry = chain_.OnRecord(payload, location);
    if (!entry.ok()) return Fail(entry.status(), seqno, location);
    CR_RETURN_IF_ERROR(Fail(CheckEntry(*entry, location), seqno, location));
    ++report_->entries_checked;
    report_->tree_heads_checked = chain_.tree_heads_checked();
    report_->uncovered_entries = chain_.entries_since_tree_head();
    if (pending_.size() >= kSignatureBatch) return Flush();
    return Status::OK();
  }

  // Records the first failure's place in the report. Deferred signature checks of earlier
  // entries run first: a bad one among them is the first bad entry.
  Status Fail(const Status& status, uint64_t seqno, const std::string& location) {
    if (status.ok()) return status;
    CR_RETURN_IF_ERROR(Flush());
    // The innermost caller knows best; outer ones see the same failure again.
    if (!report_->first_bad_location.empty()) return status;
    report_->first_bad_seqno = seqno;
    report_->first_bad_location = location;
    return status;
  }

  // Runs the deferred member signature checks.
  Status Flush() {
    if (pending_.empty()) return Status::OK();
    std::vector<PendingSignature> batch;
    batch.swap(pending_);
    std::vector<Status> results(batch.size());
    size_t workers = std::max<size_t>(1, pool_.size());
    for (size_t w = 0; w < workers; ++w) {
      pool_.Submit([&, w] {
        for (size_t i = w; i < batch.size(); i += workers) {
          results[i] = options_.member_verifier(batch[i].signed_request, *batch[i].certificate);
        }
      });
    }
    pool_.Wait();
    for (size_t i = 0; i < batch.size(); ++i) {
      if (results[i].ok()) {
        ++report_->member_signatures_checked;
        continue;
      }
      report_->first_bad_seqno = batch[i].seqno;
      report_->first_bad_location = batch[i].location;
      report_->entries_checked = batch[i].seqno - 1;
      return Status::Unauthenticated(
          "entry " + std::to_string(batch[i].seqno) + " (" + batch[i].location +
          "): member signature does not verify: " + results[i].message());
    }
    return Status::OK();
  }

  uint64_t next_seqno() const { return chain_.next_seqno(); }

  // At the end: the last tree head for the report, and the trusted head extended.
  Status Finish() {
    report_->last_tree_head = chain_.latest_tree_head();
    if (!options_.trusted_head) return Status::OK();
    const TreeHead& trusted = *options_.trusted_head;
    uint64_t size = chain_.tree().size();
    if (size < trusted.tree_size) {
      return Status::DataLoss("the ledger holds " + std::to_string(size) +
                              " entries, fewer than the trusted tree head's " +
                              std::to_string(trusted.tree_size) +
                              ": it was truncated or rolled back");
    }
    CR_ASSIGN_OR_RETURN(Hash root, chain_.tree().RootAt(trusted.tree_size));
    if (root != trusted.root) {
      return Status::DataLoss("the ledger's first " + std::to_string(trusted.tree_size) +
                              " entries differ from the trusted tree head's: a forked history");
    }
    return Status::OK();
  }

 private:
  Status CheckEntry(const Entry& entry, const std::string& location) {
    std::string where = "entry " + std::to_string(entry.seqno);
    if (entry.kind == EntryKind::kServiceIdentity) {
      if (options_.expected_service_certificate_der &&
          *options_.expected_service_certificate_der != entry.identity.certificate_der) {
        return Status::Unauthenticated(where +
                                       ": the service identity is not the expected certificate");
      }
      return Status::OK();
    }
    if (entry.kind != EntryKind::kRequest) return Status::OK();
    ++report_->requests;
    if (options_.check_request_freshness) CR_RETURN_IF_ERROR(freshness_.Check(entry));
    const RequestRecord& request = entry.request;
    if (request.outcome != Outcome::kAccepted) return Status::OK();
    for (const MemberCertificate& member : request.introduced_members) {
      if (crypto::Sha256Hex(member.certificate_der) != member.member_id) {
        return Status::DataLoss(where +
                                ": introduced member id is not the SHA-256 of its certificate");
      }
      certificates_[member.member_id] = std::make_shared<const Bytes>(member.certificate_der);
    }
    if (request.signer_id.empty() || !options_.member_verifier) return Status::OK();
    auto it = certificates_.find(request.signer_id);
    if (it == certificates_.end()) {
      return Status::Unauthenticated(where + ": signer " + request.signer_id +
                                     " has no certificate introduced before it");
    }
    pending_.push_back({entry.seqno, location, request.signed_request, it->second});
    return Status::OK();
  }

  const VerifyOptions& options_;
  VerifyReport* report_;
  ChainChecker chain_;
  RequestFreshness freshness_;
  ThreadPool pool_;
  std::map<std::string, std::shared_ptr<const Bytes>> certificates_;
  std::vector<PendingSignature> pending_;
};

Status VerifyFile(const std::string& path, bool concatenated, bool last, LedgerVerifier& verifier) {
  CR_ASSIGN_OR_RETURN(std::string data, ReadFileToString(path));
  ScanVisitor visitor;
  visitor.on_segment = [&](const SegmentHeader& header, uint64_t offset) {
    return verifier.OnSegment(header, Location(path, offset));
  };
  visitor.on_record = [&](ByteSpan payload, uint64_t offset) {
    return verifier.OnRecord(payload, Location(path, offset));
  };
  uint64_t failed_at = 0;
  Result<ScanEnd> end = ScanSegments(AsBytes(data), path, concatenated, visitor, &failed_at);
  if (!end.ok()) {
    // A checksum failure is found before the entry decodes: name the entry it should be.
    return verifier.Fail(end.status(), verifier.next_seqno(), Location(path, failed_at));
  }
  if (end->torn) {
    std::string location = Location(path, end->valid_end);
    return verifier.Fail(
        Status::DataLoss("ledger incomplete: " + location + ": " + end->torn_reason +
                         (last ? " (a torn write: open the ledger once to recover it)" : "")),
        verifier.next_seqno(), location);
  }
  return Status::OK();
}

}  // namespace

Status VerifyLedger(const std::string& file_or_directory, const VerifyOptions& options,
                    VerifyReport* report) {
  *report = VerifyReport{};
  LedgerVerifier verifier(options, report);
  std::error_code ec;
  if (std::filesystem::is_directory(file_or_directory, ec)) {
    CR_ASSIGN_OR_RETURN(auto files, ListSegments(file_or_directory));
    if (files.empty()) return Status::NotFound("no ledger segments in " + file_or_directory);
    for (size_t i = 0; i < files.size(); ++i) {
      CR_RETURN_IF_ERROR(VerifyFile(files[i].second, false, i + 1 == files.size(), verifier));
    }
  } else {
    CR_RETURN_IF_ERROR(VerifyFile(file_or_directory, true, true, verifier));
  }
  CR_RETURN_IF_ERROR(verifier.Flush());
  if (report->entries_checked == 0) {
    return Status::DataLoss("ledger " + file_or_directory + " holds no entries");
  }
  return verifier.Finish();
}

}  // namespace cleanroom::ledger
