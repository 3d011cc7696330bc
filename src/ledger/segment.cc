#include "ledger/segment.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ledger/crc32c.h"

namespace cleanroom::ledger {
namespace {

constexpr char kMagic[8] = {'C', 'R', 'L', 'E', 'D', 'G', 'E', 'R'};
constexpr std::string_view kPrefix = "ledger-";
constexpr std::string_view kSuffix = ".seg";

bool AllZero(ByteSpan data) {
  return std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0; });
}

Status Corrupt(const std::string& name, uint64_t offset, std::string_view what) {
  return Status::DataLoss("ledger corrupt: " + Location(name, offset) + ": " + std::string(what));
}

Result<SegmentHeader> DecodeSegmentHeader(ByteSpan h, const std::string& name, uint64_t offset) {
  if (std::memcmp(h.data(), kMagic, sizeof(kMagic)) != 0) {
    return Corrupt(name, offset, "segment header magic is not CRLEDGER");
  }
  if (Crc32c(h.subspan(0, 28)) != GetU32LE(&h[28])) {
    return Corrupt(name, offset, "segment header checksum mismatch");
  }
  uint32_t version = GetU32LE(&h[8]);
  if (version != kSegmentFormatVersion) {
    return Corrupt(name, offset,
                   "segment format version " + std::to_string(version) + " is unknown");
  }
  SegmentHeader header;
  header.number = GetU32LE(&h[12]);
  header.first_seqno = GetU64LE(&h[16]);
  return header;
}

}  // namespace

std::string Location(const std::string& name, uint64_t offset) {
  return name + " at offset " + std::to_string(offset);
}

std::string SegmentFileName(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "ledger-%08u.seg", number);
  return buf;
}

Result<std::vector<std::pair<uint32_t, std::string>>> ListSegments(const std::string& directory) {
  std::vector<std::pair<uint32_t, std::string>> out;
  std::error_code ec;
  if (!std::filesystem::exists(directory, ec)) return out;
  for (const auto& item : std::filesystem::directory_iterator(directory, ec)) {
    std::string file = item.path().filename().string();
    if (file.size() != kPrefix.size() + 8 + kSuffix.size() || !file.starts_with(kPrefix) ||
        !file.ends_with(kSuffix)) {
      continue;
    }
    std::string digits = file.substr(kPrefix.size(), 8);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    out.emplace_back(static_cast<uint32_t>(std::stoul(digits)), item.path().string());
  }
  if (ec)
    return Status::Internal("cannot list ledger directory " + directory + ": " + ec.message());
  std::sort(out.begin(), out.end());
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].first != i + 1) {
      return Status::DataLoss("ledger corrupt: segment " +
                              SegmentFileName(static_cast<uint32_t>(i + 1)) + " is missing from " +
                              directory);
    }
  }
  return out;
}

Bytes EncodeSegmentHeader(const SegmentHeader& header) {
  Bytes h(kSegmentHeaderSize, 0);
  std::memcpy(h.data(), kMagic, sizeof(kMagic));
  PutU32LE(&h[8], kSegmentFormatVersion);
  PutU32LE(&h[12], header.number);
  PutU64LE(&h[16], header.first_seqno);
  PutU32LE(&h[28], Crc32c(ByteSpan(h).subspan(0, 28)));
  return h;
}

void AppendRecord(Bytes& out, ByteSpan payload) {
  size_t at = out.size();
  out.resize(at + kRecordHeaderSize);
  PutU32LE(&out[at], static_cast<uint32_t>(payload.size()));
  PutU32LE(&out[at + 4], Crc32c(payload));
  PutU32LE(&out[at + 8], Crc32c(ByteSpan(&out[at], 8)));
  out.insert(out.end(), payload.begin(), payload.end());
}

namespace {

Result<ScanEnd> ScanFrom(ByteSpan data, const std::string& name, bool concatenated,
                         const ScanVisitor& visitor, uint64_t& pos) {
  ScanEnd end;
  bool need_header = true;
  while (pos < data.size()) {
    ByteSpan rest = data.subspan(pos);
    if (need_header ||
        (concatenated && rest.size() >= 4 && std::memcmp(rest.data(), kMagic, 4) == 0)) {
      if (rest.size() < kSegmentHeaderSize) {
        end.valid_end = pos;
        end.torn = true;
        end.torn_reason = "incomplete segment header";
        return end;
      }
      CR_ASSIGN_OR_RETURN(SegmentHeader header, DecodeSegmentHeader(rest, name, pos));
      if (visitor.on_segment) CR_RETURN_IF_ERROR(visitor.on_segment(header, pos));
      pos += kSegmentHeaderSize;
      need_header = false;
      continue;
    }
    // A file extended but never written (power loss) reads as zeros to its end.
    if (AllZero(rest)) {
      end.valid_end = pos;
      end.torn = true;
      end.torn_reason = "zero bytes after the last record";
      return end;
    }
    if (rest.size() < kRecordHeaderSize) {
      end.valid_end = pos;
      end.torn = true;
      end.torn_reason = "incomplete record header";
      return end;
    }
    if (Crc32c(rest.subspan(0, 8)) != GetU32LE(&rest[8])) {
      return Corrupt(name, pos, "record header checksum mismatch");
    }
    uint32_t length = GetU32LE(&rest[0]);
    if (length == 0 || length > kMaxPayloadSize) {
      return Corrupt(name, pos, "record length " + std::to_string(length) + " out of range");
    }
    if (rest.size() - kRecordHeaderSize < length) {
      end.valid_end = pos;
      end.torn = true;
      end.torn_reason = "incomplete record payload";
      return end;
    }
    ByteSpan payload = rest.subspan(kRecordHeaderSize, length);
    if (Crc32c(payload) != GetU32LE(&rest[4])) {
      return Corrupt(name, pos, "record payload checksum mismatch");
    }
    if (visitor.on_record) CR_RETURN_IF_ERROR(visitor.on_record(payload, pos));
    pos += kRecordHeaderSize + length;
  }
  if (need_header) {
    end.torn = true;
    end.torn_reason = "empty file without a segment header";
  }
  end.valid_end = pos;
  return end;
}

}  // namespace

Result<ScanEnd> ScanSegments(ByteSpan data, const std::string& name, bool concatenated,
                             const ScanVisitor& visitor, uint64_t* failed_at) {
  uint64_t pos = 0;
  Result<ScanEnd> end = ScanFrom(data, name, concatenated, visitor, pos);
  if (!end.ok() && failed_at != nullptr) *failed_at = pos;
  return end;
}

}  // namespace cleanroom::ledger
