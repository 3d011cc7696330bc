#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/signer.h"

namespace cleanroom::ledger {

// The receipt format version written by this code (docs/formats/ledger.md, "Receipts").
inline constexpr int kReceiptFormatVersion = 1;

// Proof that one entry is in the ledger: the entry's payload, its inclusion proof and the signed
// tree head that the proof leads to. Verifiable offline with only the service certificate.
struct Receipt {
  uint64_t seqno = 0;       // Of the entry; leaf index seqno - 1.
  Bytes entry;              // The entry payload (EncodeEntry), i.e. the Merkle leaf data.
  TreeHead tree_head;       // tree_head.tree_size >= seqno.
  std::vector<Hash> proof;  // RFC 9162 inclusion proof of leaf seqno - 1 in tree_head.

  // The JSON serialisation (docs/formats/ledger.md, "Receipts"): one object with "version",
  // "seqno", "entry" (base64), "tree_head" {"tree_size", "root" (hex), "time_us",
  // "signature" (base64)}, "proof" (array of hex).
  std::string ToJson() const;
  // InvalidArgument naming the field when the text is not a version-1 receipt.
  static Result<Receipt> FromJson(std::string_view json);
};

// A signed tree head alone, as a member keeps the last one it saw (`audit verify --save-head`):
// {"tree_size", "root" (hex), "time_us", "signature" (base64)}, the receipt's "tree_head".
std::string TreeHeadToJson(const TreeHead& head);
Result<TreeHead> TreeHeadFromJson(std::string_view text);

// Checks a receipt: the tree head signature under `service` (Unauthenticated when it fails), the
// entry decodes and has the receipt's seqno (DataLoss), and the inclusion proof of the entry's
// leaf hash leads to the signed root (DataLoss: e.g. a modified entry). Returns the entry.
Result<Entry> VerifyReceipt(const Receipt& receipt, const TreeHeadVerifier& service);

}  // namespace cleanroom::ledger
