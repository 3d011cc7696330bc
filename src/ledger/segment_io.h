#pragma once

// Internal: the file operations behind Ledger: the directory lock, recovery of the segment
// files, the append-only writer of the current segment, and reads of durable records.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/chain.h"

namespace cleanroom::ledger {

struct SegmentInfo {
  std::string path;
  uint64_t durable_size = 0;  // Bytes known to be synced.
};

// Takes an exclusive advisory lock on DIRECTORY/LOCK and returns its descriptor (closing it
// releases the lock). FailedPrecondition when another process holds it.
Result<int> LockDirectory(const std::string& directory);

struct RecoveredSegments {
  std::vector<SegmentInfo> segments;
};

// Called for each record during recovery with the segment's index, the payload, the record's
// offset and its "FILE at offset N" location.
using RecoveredRecordFn = std::function<Status(uint32_t segment_index, ByteSpan payload,
                                               uint64_t offset, const std::string& location)>;

// Scans every segment of `directory` in order through `chain` and `on_record`. Truncates a torn
// final record of the last segment (with a warning) and rewrites a last segment whose header is
// incomplete; any other damage is DataLoss naming the file and offset.
Result<RecoveredSegments> RecoverSegments(const std::string& directory, ChainChecker& chain,
                                          const RecoveredRecordFn& on_record);

// Appends to the last segment and rolls to new ones. Used by one thread at a time.
class SegmentWriter {
 public:
  SegmentWriter() = default;
  ~SegmentWriter() { Close(); }
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Continues the last of `segments`, or creates segment 1 (starting at `next_seqno`) if none.
  Status Open(const std::string& directory, std::vector<SegmentInfo> segments, uint64_t next_seqno);
  // Whether a record of `record_size` bytes should go to a new segment.
  bool ShouldRoll(uint64_t record_size, uint64_t max_segment_bytes) const;
  // Syncs and closes the current segment and starts the next, whose first entry is `first_seqno`.
  Status Roll(uint64_t first_seqno);
  Status Append(ByteSpan data);
  // fdatasync of the current segment; then every byte appended is durable.
  Status Sync();
  void Close();

  uint64_t size() const { return size_; }
  uint32_t segment_index() const { return static_cast<uint32_t>(segments_.size() - 1); }
  const std::vector<SegmentInfo>& segments() const { return segments_; }

 private:
  Status Create(uint32_t number, uint64_t first_seqno);

  std::string directory_;
  std::vector<SegmentInfo> segments_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Reads and checks (both CRCs) the record at `offset` of `path` whose payload has `length` bytes.
Result<Bytes> ReadRecordPayload(const std::string& path, uint64_t offset, uint32_t length);

// Passes the first `size` bytes of `path` to `sink` in chunks of at most 1 MiB.
Status CopyFilePrefix(const std::string& path, uint64_t size,
                      const std::function<Status(ByteSpan chunk)>& sink);

}  // namespace cleanroom::ledger
