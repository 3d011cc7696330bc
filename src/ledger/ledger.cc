#include "ledger/ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "base/file.h"
#include "base/logging.h"
#include "ledger/chain.h"
#include "ledger/segment.h"
#include "ledger/segment_io.h"

namespace cleanroom::ledger {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsMemberId(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status ValidateRecord(const RequestRecord& r) {
  if (!r.signer_id.empty() && !IsMemberId(r.signer_id)) {
    return Status::InvalidArgument("ledger record: signer_id is not 64 lower-case hex digits");
  }
  if (r.outcome == Outcome::kAccepted && !r.refusal_code.empty()) {
    return Status::InvalidArgument("ledger record: refusal_code set on an accepted record");
  }
  if (r.refusal_code.size() > 256) {
    return Status::InvalidArgument("ledger record: refusal_code longer than 256 bytes");
  }
  if (r.introduced_members.size() > 0xFFFF) {
    return Status::InvalidArgument("ledger record: more than 65535 introduced members");
  }
  // The fixed part of an encoded request entry is 37 bytes; the rest are the fields below.
  size_t encoded =
      64 + r.signer_id.size() + r.refusal_code.size() + r.signed_request.size() + r.result.size();
  for (const auto& member : r.introduced_members) {
    encoded += 6 + member.member_id.size() + member.certificate_der.size();
  }
  if (encoded > kMaxPayloadSize) {
    return Status::InvalidArgument("ledger record is larger than 16 MiB encoded");
  }
  for (size_t i = 0; i < r.introduced_members.size(); ++i) {
    if (!IsMemberId(r.introduced_members[i].member_id)) {
      return Status::InvalidArgument("ledger record: introduced member " + std::to_string(i) +
                                     " has a member_id that is not 64 lower-case hex digits");
    }
  }
  return Status::OK();
}

}  // namespace

// Where a durable entry's record lies.
struct RecordLocation {
  uint32_t segment = 0;  // Index into State::segments.
  uint64_t offset = 0;   // Of the record header.
  uint32_t length = 0;   // Payload length.
};

struct Ledger::State {
  LedgerOptions options;
  int lock_fd = -1;
  SegmentWriter writer_file;  // Touched by the writer thread only (and Open before it starts).

  mutable std::mutex mu;
  std::condition_variable writer_cv;   // Wakes the writer: work queued, tree head due, stop.
  std::condition_variable durable_cv;  // Signals durable progress to GetReceipt / Sync.

  // Guarded by mu.
  MerkleTree tree;
  int64_t last_time_us = 0;
  uint64_t durable_seqno = 0;
  uint64_t uncovered = 0;  // Entries appended since the last tree head.
  std::chrono::steady_clock::time_point first_uncovered_at;
  bool tree_head_requested = false;
  std::deque<TreeHead> pending_tree_heads;  // Appended, not yet durable (seqno = tree_size + 1).
  std::optional<TreeHead> durable_tree_head;
  Bytes queue;                          // Framed records waiting for the writer.
  std::vector<uint32_t> queue_lengths;  // Payload length of each queued record.
  std::shared_ptr<std::promise<Status>> batch_promise;
  std::shared_future<Status> batch_future;
  std::vector<SegmentInfo> segments;      // Paths and durable sizes.
  std::vector<RecordLocation> locations;  // Of durable entries, index seqno - 1.
  Status failed;
  bool stopping = false;
  LedgerStats stats;

  std::thread writer;

  uint64_t next_seqno() const { return tree.size() + 1; }

  void NewBatchLocked() {
    batch_promise = std::make_shared<std::promise<Status>>();
    batch_future = batch_promise->get_future().share();
  }

  // Assigns the next seqno and time to `entry`, hashes it into the tree and queues it.
  void EnqueueLocked(Entry& entry) {
    entry.seqno = next_seqno();
    entry.time_us = std::max(NowMicros(), last_time_us);
    last_time_us = entry.time_us;
    if (entry.kind == EntryKind::kTreeHead) entry.tree_head.time_us = entry.time_us;
    Bytes payload = EncodeEntry(entry);
    tree.Append(LeafHash(payload));
    AppendRecord(queue, payload);
    queue_lengths.push_back(static_cast<uint32_t>(payload.size()));
    writer_cv.notify_one();
  }

  // Appends a signed tree head over every entry so far.
  Status AddTreeHeadLocked() {
    Entry entry;
    entry.kind = EntryKind::kTreeHead;
    entry.tree_head.tree_size = tree.size();
    entry.tree_head.root = tree.Root();
    // The time is part of what is signed, so fix it before signing.
    entry.tree_head.time_us = std::max(NowMicros(), last_time_us);
    last_time_us = entry.tree_head.time_us;
    Result<Bytes> signature = options.signer->Sign(entry.tree_head.ToBeSigned());
    if (!signature.ok()) return signature.status();
    entry.tree_head.signature = std::move(signature).value();
    entry.seqno = next_seqno();
    entry.time_us = entry.tree_head.time_us;
    Bytes payload = EncodeEntry(entry);
    tree.Append(LeafHash(payload));
    AppendRecord(queue, payload);
    queue_lengths.push_back(static_cast<uint32_t>(payload.size()));
    pending_tree_heads.push_back(entry.tree_head);
    ++stats.tree_heads;
    uncovered = 0;
    tree_head_requested = false;
    writer_cv.notify_one();
    return Status::OK();
  }

  void CountUncoveredLocked() {
    if (uncovered++ == 0) first_uncovered_at = std::chrono::steady_clock::now();
  }

  bool TreeHeadDueLocked() const {
    if (uncovered == 0) return false;
    return tree_head_requested || uncovered >= options.max_entries_per_tree_head ||
           std::chrono::steady_clock::now() - first_uncovered_at >= options.max_tree_head_delay;
  }

  void FailLocked(const Status& status) {
    if (failed.ok()) {
      failed = status;
      LogError("ledger failed, appends are refused until restart: " + status.ToString());
    }
  }

  void WriterLoop();
  Status WriteBatch(const Bytes& batch, const std::vector<uint32_t>& lengths,
                    std::vector<RecordLocation>& locations);
};

void Ledger::State::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu);
  while (true) {
    if (TreeHeadDueLocked() && failed.ok()) {
      Status s = AddTreeHeadLocked();
      if (!s.ok()) FailLocked(s);
    }
    if (queue.empty()) {
      if (stopping) break;
      if (uncovered > 0) {
        writer_cv.wait_until(lock, first_uncovered_at + options.max_tree_head_delay);
      } else {
        writer_cv.wait(lock);
      }
      continue;
    }
    Bytes batch;
    std::vector<uint32_t> lengths;
    batch.swap(queue);
    lengths.swap(queue_lengths);
    std::shared_ptr<std::promise<Status>> promise = batch_promise;
    NewBatchLocked();
    uint64_t first_seqno = durable_seqno + 1;
    Status status = failed;
    lock.unlock();

    std::vector<RecordLocation> written;
    if (status.ok()) status = WriteBatch(batch, lengths, written);

    lock.lock();
    if (status.ok()) {
      durable_seqno = first_seqno + lengths.size() - 1;
      ++stats.batches;
      stats.records_written += lengths.size();
      locations.insert(locations.end(), written.begin(), written.end());
      segments = writer_file.segments();
      while (!pending_tree_heads.empty() && pending_tree_heads.front().tree_size < durable_seqno) {
        durable_tree_head = pending_tree_heads.front();
        pending_tree_heads.pop_front();
      }
    } else {
      FailLocked(status);
    }
    promise->set_value(status);
    durable_cv.notify_all();
  }
}

Status Ledger::State::WriteBatch(const Bytes& batch, const std::vector<uint32_t>& lengths,
                                 std::vector<RecordLocation>& out) {
  // Records go to the current segment until it is full; a full segment is synced and closed
  // before the next one starts, so only the last segment can ever hold a torn record.
  size_t pos = 0;
  size_t i = 0;
  while (i < lengths.size()) {
    if (writer_file.ShouldRoll(kRecordHeaderSize + lengths[i], options.max_segment_bytes)) {
      CR_RETURN_IF_ERROR(writer_file.Roll(durable_seqno + 1 + i));
    }
    size_t chunk_start = pos;
    uint64_t offset = writer_file.size();
    // Take as many records as fit the segment in one write.
    while (i < lengths.size()) {
      size_t record = kRecordHeaderSize + lengths[i];
      if (pos > chunk_start &&
          writer_file.size() + (pos - chunk_start) + record > options.max_segment_bytes) {
        break;
      }
      out.push_back({writer_file.segment_index(), offset + (pos - chunk_start), lengths[i]});
      pos += record;
      ++i;
    }
    CR_RETURN_IF_ERROR(writer_file.Append(ByteSpan(batch).subspan(chunk_start, pos - chunk_start)));
  }
  return writer_file.Sync();
}

Ledger::Ledger(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options,
                                             const ReplayCallback& on_entry) {
  if (options.directory.empty() || options.signer == nullptr) {
    return Status::InvalidArgument("ledger options need a directory and a signer");
  }
  if (options.max_entries_per_tree_head == 0) {
    return Status::InvalidArgument("ledger option max_entries_per_tree_head must be positive");
  }
  auto state = std::make_unique<State>();
  state->options = options;
  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  if (ec)
    return Status::Internal("cannot create ledger directory " + options.directory + ": " +
                            ec.message());
  CR_ASSIGN_OR_RETURN(state->lock_fd, LockDirectory(options.directory));

  ChainChecker chain(options.verify_signatures_on_open);
  std::vector<RecordLocation> locations;
  auto on_record = [&](uint32_t segment_index, ByteSpan payload, uint64_t offset,
                       const std::string& location) -> Status {
    CR_ASSIGN_OR_RETURN(Entry entry, chain.OnRecord(payload, location));
    locations.push_back({segment_index, offset, static_cast<uint32_t>(payload.size())});
    if (on_entry) CR_RETURN_IF_ERROR(on_entry(entry));
    return Status::OK();
  };
  Result<RecoveredSegments> recovered = RecoverSegments(options.directory, chain, on_record);
  if (!recovered.ok()) {
    close(state->lock_fd);
    return recovered.status();
  }
  if (chain.service() != nullptr &&
      chain.service()->certificate_der() != options.signer->certificate_der()) {
    close(state->lock_fd);
    return Status::FailedPrecondition(
        "ledger in " + options.directory +
        " was created with another service certificate than the one given");
  }

  State& s = *state;
  s.uncovered = chain.entries_since_tree_head();
  s.durable_tree_head = chain.latest_tree_head();
  s.tree = std::move(chain.mutable_tree());
  s.durable_seqno = s.tree.size();
  s.first_uncovered_at = std::chrono::steady_clock::now();
  s.locations = std::move(locations);
  Status opened =
      s.writer_file.Open(options.directory, std::move(recovered->segments), s.durable_seqno + 1);
  if (!opened.ok()) {
    close(state->lock_fd);
    return opened;
  }
  s.segments = s.writer_file.segments();
  s.NewBatchLocked();
  s.writer = std::thread([st = state.get()] { st->WriterLoop(); });
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(state)));

  if (ledger->state_->tree.size() == 0) {
    // A new ledger: entry 1 records the certificate that verifies every tree head.
    std::shared_future<Status> durable;
    {
      std::lock_guard<std::mutex> lock(ledger->state_->mu);
      Entry identity;
      identity.kind = EntryKind::kServiceIdentity;
      identity.identity.certificate_der = options.signer->certificate_der();
      ledger->state_->EnqueueLocked(identity);
      ledger->state_->CountUncoveredLocked();
      durable = ledger->state_->batch_future;
    }
    CR_RETURN_IF_ERROR(durable.get());
    if (on_entry) {
      CR_ASSIGN_OR_RETURN(Entry entry, ledger->ReadEntry(1));
      CR_RETURN_IF_ERROR(on_entry(entry));
    }
  }
  return ledger;
}

Ledger::~Ledger() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->uncovered > 0 && state_->failed.ok()) {
      Status s = state_->AddTreeHeadLocked();
      if (!s.ok()) state_->FailLocked(s);
    }
    state_->stopping = true;
    state_->writer_cv.notify_one();
  }
  state_->writer.join();
  state_->writer_file.Close();
  if (state_->lock_fd >= 0) close(state_->lock_fd);
}

Result<AppendTicket> Ledger::AppendAsync(RequestRecord record) {
  CR_RETURN_IF_ERROR(ValidateRecord(record));
  Entry entry;
  entry.kind = EntryKind::kRequest;
  entry.request = std::move(record);
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.failed.ok()) {
    return Status::FailedPrecondition("ledger is failed after an earlier write error: " +
                                      s.failed.message());
  }
  if (s.stopping) return Status::FailedPrecondition("ledger is closing");
  // Encoding is cheap next to the fsync; doing it under the lock keeps seqno order = call order.
  s.EnqueueLocked(entry);
  s.CountUncoveredLocked();
  AppendTicket ticket{entry.seqno, entry.time_us, s.batch_future};
  if (s.uncovered >= s.options.max_entries_per_tree_head) {
    Status signed_head = s.AddTreeHeadLocked();
    if (!signed_head.ok()) s.FailLocked(signed_head);
  }
  return ticket;
}

Result<Entry> Ledger::Append(RequestRecord record) {
  CR_ASSIGN_OR_RETURN(AppendTicket ticket, AppendAsync(std::move(record)));
  CR_RETURN_IF_ERROR(ticket.Wait());
  return ReadEntry(ticket.seqno);
}

uint64_t Ledger::last_seqno() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->tree.size();
}

uint64_t Ledger::durable_seqno() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->durable_seqno;
}

LedgerStats Ledger::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stats;
}

Result<TreeHead> Ledger::LatestTreeHead() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->durable_tree_head)
    return Status::NotFound("the ledger has no durable tree head yet");
  return *state_->durable_tree_head;
}

Result<std::pair<TreeHead, std::vector<Hash>>> Ledger::ConsistencyFrom(uint64_t old_size) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->durable_tree_head)
    return Status::NotFound("the ledger has no durable tree head yet");
  std::pair<TreeHead, std::vector<Hash>> out{*state_->durable_tree_head, {}};
  if (old_size > 0 && old_size < out.first.tree_size) {
    CR_ASSIGN_OR_RETURN(out.second, state_->tree.ConsistencyProof(old_size, out.first.tree_size));
  }
  return out;
}

Status Ledger::Sync() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.uncovered > 0 && s.failed.ok()) {
    Status signed_head = s.AddTreeHeadLocked();
    if (!signed_head.ok()) s.FailLocked(signed_head);
  }
  uint64_t target = s.tree.size();
  s.durable_cv.wait(lock, [&] { return s.durable_seqno >= target || !s.failed.ok(); });
  return s.failed;
}

Result<Entry> Ledger::ReadEntry(uint64_t seqno) const {
  RecordLocation where;
  std::string path;
  Hash leaf;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (seqno == 0 || seqno > state_->durable_seqno) {
      return Status::NotFound("ledger has no durable entry " + std::to_string(seqno));
    }
    where = state_->locations[seqno - 1];
    path = state_->segments[where.segment].path;
    leaf = state_->tree.leaf(seqno - 1);
  }
  CR_ASSIGN_OR_RETURN(Bytes payload, ReadRecordPayload(path, where.offset, where.length));
  if (LeafHash(payload) != leaf) {
    return Status::DataLoss("ledger corrupt: entry " + std::to_string(seqno) + " (" +
                            Location(path, where.offset) +
                            ") changed on disk since it was written");
  }
  return DecodeEntry(payload);
}

Result<Receipt> Ledger::GetReceipt(uint64_t seqno, std::chrono::milliseconds wait) {
  State& s = *state_;
  Receipt receipt;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    if (seqno == 0 || seqno > s.durable_seqno) {
      return Status::NotFound("ledger has no durable entry " + std::to_string(seqno));
    }
    auto covered = [&] { return s.durable_tree_head && s.durable_tree_head->tree_size >= seqno; };
    if (!covered()) {
      // With nothing uncovered, a tree head on its way to disk already covers the entry.
      if (s.uncovered > 0) s.tree_head_requested = true;
      s.writer_cv.notify_one();
      if (!s.durable_cv.wait_for(lock, wait, [&] { return covered() || !s.failed.ok(); })) {
        return Status::Unavailable("no signed tree head covers entry " + std::to_string(seqno) +
                                   " yet; retry shortly");
      }
      CR_RETURN_IF_ERROR(s.failed);
    }
    receipt.tree_head = *s.durable_tree_head;
    CR_ASSIGN_OR_RETURN(receipt.proof,
                        s.tree.InclusionProof(seqno - 1, receipt.tree_head.tree_size));
  }
  receipt.seqno = seqno;
  CR_ASSIGN_OR_RETURN(Entry entry, ReadEntry(seqno));
  receipt.entry = EncodeEntry(entry);
  return receipt;
}

Status Ledger::Export(const std::function<Status(ByteSpan chunk)>& sink) const {
  std::vector<SegmentInfo> segments;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    segments = state_->segments;
  }
  for (const SegmentInfo& segment : segments) {
    CR_RETURN_IF_ERROR(CopyFilePrefix(segment.path, segment.durable_size, sink));
  }
  return Status::OK();
}

}  // namespace cleanroom::ledger
