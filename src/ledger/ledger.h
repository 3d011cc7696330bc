#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/entry.h"
#include "ledger/receipt.h"
#include "ledger/signer.h"

namespace cleanroom::ledger {

// How a ledger is opened. `directory` and `signer` are required.
struct LedgerOptions {
  // Where the segment files live (created if missing). One process at a time: Open takes an
  // exclusive lock on DIR/LOCK and fails with FailedPrecondition when another holds it.
  std::string directory;
  // The service key. Its certificate is recorded in the first entry (seqno 1) of a new ledger;
  // opening an existing ledger with a different certificate is FailedPrecondition.
  std::shared_ptr<TreeHeadSigner> signer;
  // A segment file is closed and a new one started once it holds this many bytes.
  uint64_t max_segment_bytes = 64ull << 20;
  // A tree head is appended after at most this many entries since the previous one ...
  uint64_t max_entries_per_tree_head = 100;
  // ... and at most this long after the first entry it does not cover was appended.
  std::chrono::milliseconds max_tree_head_delay{1000};
  // Whether Open checks every tree head signature (roots are always checked).
  bool verify_signatures_on_open = true;
};

// Returned by AppendAsync: the entry's place in the ledger, known at once, and a future that is
// ready when the entry is durable (fsynced together with the other entries of its batch).
struct AppendTicket {
  uint64_t seqno = 0;
  int64_t time_us = 0;
  std::shared_future<Status> durable;

  // Blocks until the entry is durable; OK, or the write error (the ledger is then failed).
  Status Wait() const { return durable.get(); }
};

// Counters of the writer thread, for tests and benchmarks.
struct LedgerStats {
  uint64_t batches = 0;          // Group commits (one fdatasync each, plus one per segment roll).
  uint64_t records_written = 0;  // Entries written, tree heads included.
  uint64_t tree_heads = 0;       // Tree heads appended since Open.
};

// An append-only, checksummed, Merkle-hashed ledger in a directory of segment files
// (docs/formats/ledger.md). One writer thread batches appends: concurrent callers share one
// fdatasync (group commit) and are acknowledged only once their entries are durable. Tree heads
// signed with the service key are appended every `max_entries_per_tree_head` entries or
// `max_tree_head_delay`, whichever comes first.
//
// Thread-safe: every method may be called from any thread. If a write or fsync ever fails the
// ledger is failed: every pending and later append returns the error, and the process should
// restart (Open recovers the durable prefix).
class Ledger {
 public:
  // Called once per entry, in seqno order, during Open (every kind: requests, tree heads and the
  // service identity). A non-OK return aborts Open with that status.
  using ReplayCallback = std::function<Status(const Entry& entry)>;

  // Opens or creates the ledger. Replays every segment: checks each record's checksum, each
  // entry's seqno, recomputes the Merkle tree and checks every tree head's root (and signature,
  // see options), yielding each entry to `on_entry`. A torn final record (an incomplete write at
  // the end of the last segment) is truncated with a warning; any other damage is DataLoss
  // naming the segment file and byte offset.
  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options,
                                              const ReplayCallback& on_entry);

  // Waits for pending appends to become durable, appends a final tree head if entries are not
  // covered, syncs and stops the writer thread.
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends a request entry. The seqno and time are assigned at once, in call order: a caller
  // that applies requests to its state under its own lock and calls AppendAsync under it gets
  // the same order in the ledger. FailedPrecondition when the ledger is failed or closing;
  // InvalidArgument when the record is too large (over 16 MiB encoded) or malformed
  // (signer_id or a member_id not 64 hex digits, refusal_code set on an accepted record).
  Result<AppendTicket> AppendAsync(RequestRecord record);
  // AppendAsync then Wait: returns the entry as written once it is durable.
  Result<Entry> Append(RequestRecord record);

  // A receipt for entry `seqno`: its inclusion proof under the latest durable signed tree head.
  // If no durable tree head covers it yet, one is requested and awaited up to `wait`.
  // NotFound when seqno is 0 or beyond the durable entries; Unavailable when the wait expires.
  Result<Receipt> GetReceipt(uint64_t seqno,
                             std::chrono::milliseconds wait = std::chrono::milliseconds(3000));

  // Reads one durable entry back from its segment file. NotFound when not durable / no such
  // seqno; DataLoss when the record on disk no longer matches its checksum.
  Result<Entry> ReadEntry(uint64_t seqno) const;

  // The highest seqno assigned (0 when empty) and the highest durable one.
  uint64_t last_seqno() const;
  uint64_t durable_seqno() const;
  // The latest durable tree head. NotFound before the first one.
  Result<TreeHead> LatestTreeHead() const;
  // The latest durable tree head and the RFC 9162 consistency proof from the tree of the first
  // `old_size` entries to it (empty when old_size is 0 or not below its size: the caller then
  // compares sizes and roots itself). NotFound before the first tree head.
  Result<std::pair<TreeHead, std::vector<Hash>>> ConsistencyFrom(uint64_t old_size) const;

  // Writes the durable ledger, every segment in order, as one byte stream to `sink` in chunks:
  // the single-file form that `cleanroom audit verify --ledger FILE` reads (segments
  // concatenated, docs/formats/ledger.md). Entries appended meanwhile may or may not be included.
  Status Export(const std::function<Status(ByteSpan chunk)>& sink) const;

  LedgerStats stats() const;

  // Forces a tree head now (if entries are uncovered) and waits until it is durable.
  Status Sync();

 private:
  struct State;
  explicit Ledger(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace cleanroom::ledger
