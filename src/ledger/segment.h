#pragma once

// Internal: the segment file layout of docs/formats/ledger.md section 1 (headers, record
// framing, torn-tail rules). Not part of the public API.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace cleanroom::ledger {

inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 12;
inline constexpr uint32_t kMaxPayloadSize = 16u << 20;
inline constexpr uint32_t kSegmentFormatVersion = 1;

struct SegmentHeader {
  uint32_t number = 0;
  uint64_t first_seqno = 0;
};

// "ledger-00000001.seg".
std::string SegmentFileName(uint32_t number);

// The segment files of `directory` in number order, as (number, full path). DataLoss when the
// numbers are not consecutive from 1; an empty list for an empty or missing directory.
Result<std::vector<std::pair<uint32_t, std::string>>> ListSegments(const std::string& directory);

Bytes EncodeSegmentHeader(const SegmentHeader& header);

// Appends the 12-byte record header and the payload to `out`.
void AppendRecord(Bytes& out, ByteSpan payload);

// What a scan of a buffer found at its end.
struct ScanEnd {
  uint64_t valid_end = 0;  // Offset just past the last complete record (or segment header).
  bool torn = false;       // Whether an incomplete record (or header) follows valid_end.
  std::string torn_reason;
};

// Callbacks of ScanSegments; a non-OK return stops the scan with that status.
struct ScanVisitor {
  std::function<Status(const SegmentHeader& header, uint64_t offset)> on_segment;
  std::function<Status(ByteSpan payload, uint64_t offset)> on_record;
};

// Scans `data`, the contents of `name`: a segment header, records and, when `concatenated`,
// further segment headers and their records. Corruption is DataLoss "NAME at offset N: what";
// an incomplete write at the very end is reported in ScanEnd (the caller decides whether that
// is acceptable). On failure `failed_at` (if given) receives the offset of the bad header or
// record.
Result<ScanEnd> ScanSegments(ByteSpan data, const std::string& name, bool concatenated,
                             const ScanVisitor& visitor, uint64_t* failed_at = nullptr);

// "NAME at offset N".
std::string Location(const std::string& name, uint64_t offset);

}  // namespace cleanroom::ledger
