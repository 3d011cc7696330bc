#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/merkle.h"

namespace cleanroom::ledger {

// The entry layout version written by this code (docs/formats/ledger.md, "Entries").
inline constexpr uint8_t kEntryFormatVersion = 1;

// What an entry records. The numeric values are part of the file format.
enum class EntryKind : uint8_t {
  kServiceIdentity = 1,  // The service certificate whose key signs tree heads (seqno 1).
  kRequest = 2,          // A signed request as received, with the service's outcome.
  kTreeHead = 3,         // A signed tree head over every entry before it.
};

// Whether the service applied a request. The numeric values are part of the file format.
enum class Outcome : uint8_t { kAccepted = 0, kRefused = 1 };

// A member certificate that an accepted entry introduces (a collaboration or membership change).
// Offline verification learns member certificates only from these, in ledger order.
struct MemberCertificate {
  std::string member_id;  // Lower-case hex SHA-256 of certificate_der (crypto::MemberIdOf).
  Bytes certificate_der;  // X.509, DER.
};

// The part of a request entry that the service supplies. The ledger adds seqno and time.
struct RequestRecord {
  // Member id (hex SHA-256 of the certificate DER) of the member whose key signed
  // `signed_request`. Empty for an entry the service writes on its own behalf (no member
  // signature to check) and for a refused request whose signer is unknown.
  std::string signer_id;
  // The member's COSE_Sign1 message exactly as received (any bytes when signer_id is empty).
  Bytes signed_request;
  Outcome outcome = Outcome::kAccepted;
  // A stable error code (as in HTTP errors, e.g. "InvalidSignature") when refused; else empty.
  std::string refusal_code;
  // A small result document (JSON text, may be empty): ids created, state reached.
  std::string result;
  // Member certificates this entry introduces; only honoured when outcome is kAccepted.
  // Their signatures in this very entry already verify with them (a creator signs the
  // collaboration that introduces it).
  std::vector<MemberCertificate> introduced_members;
};

// A signed tree head: the service's signature over the Merkle tree of the first `tree_size`
// entries. A tree head entry at seqno s always has tree_size == s - 1.
struct TreeHead {
  uint64_t tree_size = 0;
  Hash root{};
  int64_t time_us = 0;  // Unix time in microseconds: the time of the tree head entry.
  Bytes signature;      // ES384, raw r || s (96 bytes), over ToBeSigned().

  // The exact bytes signed: "cleanroom-ledger-tree-head-v1" 0x00, u64 LE tree_size, root,
  // i64 LE time_us (docs/formats/ledger.md, "Tree heads").
  Bytes ToBeSigned() const;
};

// The service identity: the certificate whose public key verifies tree head signatures.
struct ServiceIdentity {
  Bytes certificate_der;  // X.509, DER.
};

// One ledger entry. Exactly the member matching `kind` is meaningful.
struct Entry {
  uint64_t seqno = 0;   // 1-based; the Merkle leaf index is seqno - 1.
  int64_t time_us = 0;  // The service's time when it appended the entry (unix microseconds).
  EntryKind kind = EntryKind::kRequest;
  RequestRecord request;     // kind == kRequest.
  TreeHead tree_head;        // kind == kTreeHead (tree_head.time_us == time_us).
  ServiceIdentity identity;  // kind == kServiceIdentity.
};

// The payload bytes of an entry (the Merkle leaf data). Deterministic.
Bytes EncodeEntry(const Entry& entry);

// Parses an entry payload. DataLoss naming the field when it is malformed, of an unknown
// version or kind, or has trailing bytes.
Result<Entry> DecodeEntry(ByteSpan payload);

// "request", "tree-head", "service-identity".
std::string_view EntryKindName(EntryKind kind);

}  // namespace cleanroom::ledger
