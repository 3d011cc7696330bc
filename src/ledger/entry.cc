#include "ledger/entry.h"

#include <cstring>

namespace cleanroom::ledger {
namespace {

constexpr std::string_view kTreeHeadContext = "cleanroom-ledger-tree-head-v1";

// Appends little-endian fields and length-prefixed strings to a byte vector.
class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v));
    out_.push_back(static_cast<uint8_t>(v >> 8));
  }
  void U32(uint32_t v) {
    size_t at = Grow(4);
    PutU32LE(&out_[at], v);
  }
  void U64(uint64_t v) {
    size_t at = Grow(8);
    PutU64LE(&out_[at], v);
  }
  void Raw(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void Str16(std::string_view s) {
    U16(static_cast<uint16_t>(s.size()));
    Raw(AsBytes(s));
  }
  void Bytes16(ByteSpan b) {
    U16(static_cast<uint16_t>(b.size()));
    Raw(b);
  }
  void Bytes32(ByteSpan b) {
    U32(static_cast<uint32_t>(b.size()));
    Raw(b);
  }

 private:
  size_t Grow(size_t n) {
    size_t at = out_.size();
    out_.resize(at + n);
    return at;
  }
  Bytes& out_;
};

// Reads what Writer writes; every failure is DataLoss naming the field.
class Reader {
 public:
  explicit Reader(ByteSpan in) : in_(in) {}
  Status Need(size_t n, std::string_view field) {
    if (in_.size() - pos_ < n) {
      return Status::DataLoss("entry field '" + std::string(field) +
                              "' runs past the end (at byte " + std::to_string(pos_) + ")");
    }
    return Status::OK();
  }
  Result<uint8_t> U8(std::string_view field) {
    CR_RETURN_IF_ERROR(Need(1, field));
    return in_[pos_++];
  }
  Result<uint16_t> U16(std::string_view field) {
    CR_RETURN_IF_ERROR(Need(2, field));
    uint16_t v = static_cast<uint16_t>(in_[pos_] | (in_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  Result<uint32_t> U32(std::string_view field) {
    CR_RETURN_IF_ERROR(Need(4, field));
    uint32_t v = GetU32LE(&in_[pos_]);
    pos_ += 4;
    return v;
  }
  Result<uint64_t> U64(std::string_view field) {
    CR_RETURN_IF_ERROR(Need(8, field));
    uint64_t v = GetU64LE(&in_[pos_]);
    pos_ += 8;
    return v;
  }
  Result<ByteSpan> Raw(size_t n, std::string_view field) {
    CR_RETURN_IF_ERROR(Need(n, field));
    ByteSpan s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  Result<std::string> Str16(std::string_view field) {
    CR_ASSIGN_OR_RETURN(uint16_t n, U16(field));
    CR_ASSIGN_OR_RETURN(ByteSpan s, Raw(n, field));
    return std::string(AsStringView(s));
  }
  Result<Bytes> Bytes16(std::string_view field) {
    CR_ASSIGN_OR_RETURN(uint16_t n, U16(field));
    CR_ASSIGN_OR_RETURN(ByteSpan s, Raw(n, field));
    return Bytes(s.begin(), s.end());
  }
  Result<Bytes> Bytes32(std::string_view field) {
    CR_ASSIGN_OR_RETURN(uint32_t n, U32(field));
    CR_ASSIGN_OR_RETURN(ByteSpan s, Raw(n, field));
    return Bytes(s.begin(), s.end());
  }
  bool AtEnd() const { return pos_ == in_.size(); }
  size_t position() const { return pos_; }

 private:
  ByteSpan in_;
  size_t pos_ = 0;
};

Status DecodeRequest(Reader& r, RequestRecord& out) {
  CR_ASSIGN_OR_RETURN(uint8_t outcome, r.U8("outcome"));
  if (outcome > static_cast<uint8_t>(Outcome::kRefused)) {
    return Status::DataLoss("entry field 'outcome' has unknown value " + std::to_string(outcome));
  }
  out.outcome = static_cast<Outcome>(outcome);
  CR_ASSIGN_OR_RETURN(out.signer_id, r.Str16("signer_id"));
  CR_ASSIGN_OR_RETURN(out.refusal_code, r.Str16("refusal_code"));
  CR_ASSIGN_OR_RETURN(out.signed_request, r.Bytes32("signed_request"));
  CR_ASSIGN_OR_RETURN(Bytes result, r.Bytes32("result"));
  out.result.assign(result.begin(), result.end());
  CR_ASSIGN_OR_RETURN(uint16_t count, r.U16("introduced_count"));
  out.introduced_members.resize(count);
  for (auto& member : out.introduced_members) {
    CR_ASSIGN_OR_RETURN(member.member_id, r.Str16("introduced.member_id"));
    CR_ASSIGN_OR_RETURN(member.certificate_der, r.Bytes32("introduced.certificate"));
  }
  return Status::OK();
}

}  // namespace

Bytes TreeHead::ToBeSigned() const {
  Bytes out;
  out.reserve(kTreeHeadContext.size() + 1 + 8 + 32 + 8);
  Writer w(out);
  w.Raw(AsBytes(kTreeHeadContext));
  w.U8(0);
  w.U64(tree_size);
  w.Raw(root);
  w.U64(static_cast<uint64_t>(time_us));
  return out;
}

Bytes EncodeEntry(const Entry& entry) {
  Bytes out;
  size_t hint = 32 + entry.request.signed_request.size() + entry.request.result.size() +
                entry.identity.certificate_der.size();
  out.reserve(hint);
  Writer w(out);
  w.U8(kEntryFormatVersion);
  w.U8(static_cast<uint8_t>(entry.kind));
  w.U64(entry.seqno);
  w.U64(static_cast<uint64_t>(entry.time_us));
  switch (entry.kind) {
    case EntryKind::kServiceIdentity:
      w.Bytes32(entry.identity.certificate_der);
      break;
    case EntryKind::kRequest: {
      const RequestRecord& r = entry.request;
      w.U8(static_cast<uint8_t>(r.outcome));
      w.Str16(r.signer_id);
      w.Str16(r.refusal_code);
      w.Bytes32(r.signed_request);
      w.Bytes32(AsBytes(r.result));
      w.U16(static_cast<uint16_t>(r.introduced_members.size()));
      for (const auto& member : r.introduced_members) {
        w.Str16(member.member_id);
        w.Bytes32(member.certificate_der);
      }
      break;
    }
    case EntryKind::kTreeHead:
      w.U64(entry.tree_head.tree_size);
      w.Raw(entry.tree_head.root);
      w.Bytes16(entry.tree_head.signature);
      break;
  }
  return out;
}

Result<Entry> DecodeEntry(ByteSpan payload) {
  Reader r(payload);
  Entry entry;
  CR_ASSIGN_OR_RETURN(uint8_t version, r.U8("version"));
  if (version != kEntryFormatVersion) {
    return Status::DataLoss("entry has unknown format version " + std::to_string(version));
  }
  CR_ASSIGN_OR_RETURN(uint8_t kind, r.U8("kind"));
  CR_ASSIGN_OR_RETURN(entry.seqno, r.U64("seqno"));
  CR_ASSIGN_OR_RETURN(uint64_t time, r.U64("time_us"));
  entry.time_us = static_cast<int64_t>(time);
  switch (kind) {
    case static_cast<uint8_t>(EntryKind::kServiceIdentity): {
      entry.kind = EntryKind::kServiceIdentity;
      CR_ASSIGN_OR_RETURN(entry.identity.certificate_der, r.Bytes32("certificate"));
      break;
    }
    case static_cast<uint8_t>(EntryKind::kRequest): {
      entry.kind = EntryKind::kRequest;
      CR_RETURN_IF_ERROR(DecodeRequest(r, entry.request));
      break;
    }
    case static_cast<uint8_t>(EntryKind::kTreeHead): {
      entry.kind = EntryKind::kTreeHead;
      CR_ASSIGN_OR_RETURN(entry.tree_head.tree_size, r.U64("tree_size"));
      CR_ASSIGN_OR_RETURN(ByteSpan root, r.Raw(entry.tree_head.root.size(), "root"));
      std::memcpy(entry.tree_head.root.data(), root.data(), root.size());
      CR_ASSIGN_OR_RETURN(entry.tree_head.signature, r.Bytes16("signature"));
      entry.tree_head.time_us = entry.time_us;
      break;
    }
    default:
      return Status::DataLoss("entry has unknown kind " + std::to_string(kind));
  }
  if (!r.AtEnd()) {
    return Status::DataLoss("entry has " + std::to_string(payload.size() - r.position()) +
                            " trailing bytes");
  }
  return entry;
}

std::string_view EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kServiceIdentity:
      return "service-identity";
    case EntryKind::kRequest:
      return "request";
    case EntryKind::kTreeHead:
      return "tree-head";
  }
  return "unknown";
}

}  // namespace cleanroom::ledger
