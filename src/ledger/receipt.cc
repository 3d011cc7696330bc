#include "ledger/receipt.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace cleanroom::ledger {
namespace {

using Json = nlohmann::json;

Status BadField(std::string_view field, std::string_view why) {
  return Status::InvalidArgument("receipt field '" + std::string(field) + "' " + std::string(why));
}

Result<Hash> ParseHash(const Json& value, std::string_view field) {
  if (!value.is_string()) return BadField(field, "is not a string");
  Result<Bytes> bytes = HexDecode(value.get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) return BadField(field, "is not 64 hex digits");
  Hash out;
  std::memcpy(out.data(), bytes->data(), out.size());
  return out;
}

Result<uint64_t> ParseUnsigned(const Json& object, std::string_view field) {
  auto it = object.find(field);
  if (it == object.end()) return BadField(field, "is missing");
  if (!it->is_number_unsigned()) return BadField(field, "is not a non-negative integer");
  return it->get<uint64_t>();
}

Result<Bytes> ParseBase64(const Json& object, std::string_view field) {
  auto it = object.find(field);
  if (it == object.end()) return BadField(field, "is missing");
  if (!it->is_string()) return BadField(field, "is not a string");
  Result<Bytes> bytes = Base64Decode(it->get<std::string>());
  if (!bytes.ok()) return BadField(field, "is not base64");
  return std::move(bytes).value();
}

Json HeadJson(const TreeHead& head) {
  return {{"tree_size", head.tree_size},
          {"root", HexEncode(head.root)},
          {"time_us", head.time_us},
          {"signature", Base64Encode(head.signature)}};
}

Result<TreeHead> ParseHead(const Json& head, const std::string& prefix) {
  TreeHead out;
  CR_ASSIGN_OR_RETURN(out.tree_size, ParseUnsigned(head, "tree_size"));
  auto root = head.find("root");
  if (root == head.end()) return BadField(prefix + "root", "is missing");
  CR_ASSIGN_OR_RETURN(out.root, ParseHash(*root, prefix + "root"));
  auto time = head.find("time_us");
  if (time == head.end() || !time->is_number_integer()) {
    return BadField(prefix + "time_us", "is not an integer");
  }
  out.time_us = time->get<int64_t>();
  CR_ASSIGN_OR_RETURN(out.signature, ParseBase64(head, "signature"));
  return out;
}

}  // namespace

std::string TreeHeadToJson(const TreeHead& head) { return HeadJson(head).dump(2) + "\n"; }

Result<TreeHead> TreeHeadFromJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("tree head is not a JSON object");
  }
  return ParseHead(j, "");
}

std::string Receipt::ToJson() const {
  Json proof_json = Json::array();
  for (const Hash& h : proof) proof_json.push_back(HexEncode(h));
  Json j = {
      {"version", kReceiptFormatVersion}, {"seqno", seqno},      {"entry", Base64Encode(entry)},
      {"tree_head", HeadJson(tree_head)}, {"proof", proof_json},
  };
  return j.dump(2) + "\n";
}

Result<Receipt> Receipt::FromJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("receipt is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("receipt is not a JSON object");
  CR_ASSIGN_OR_RETURN(uint64_t version, ParseUnsigned(j, "version"));
  if (version != kReceiptFormatVersion) {
    return BadField("version", "is " + std::to_string(version) + ", only 1 is known");
  }
  Receipt r;
  CR_ASSIGN_OR_RETURN(r.seqno, ParseUnsigned(j, "seqno"));
  CR_ASSIGN_OR_RETURN(r.entry, ParseBase64(j, "entry"));
  auto head = j.find("tree_head");
  if (head == j.end() || !head->is_object()) return BadField("tree_head", "is not an object");
  CR_ASSIGN_OR_RETURN(r.tree_head, ParseHead(*head, "tree_head."));
  auto proof = j.find("proof");
  if (proof == j.end() || !proof->is_array()) return BadField("proof", "is not an array");
  for (size_t i = 0; i < proof->size(); ++i) {
    CR_ASSIGN_OR_RETURN(Hash h, ParseHash((*proof)[i], "proof[" + std::to_string(i) + "]"));
    r.proof.push_back(h);
  }
  return r;
}

Result<Entry> VerifyReceipt(const Receipt& receipt, const TreeHeadVerifier& service) {
  Status signature = service.Verify(receipt.tree_head.ToBeSigned(), receipt.tree_head.signature);
  if (!signature.ok()) {
    return Status::Unauthenticated("receipt for entry " + std::to_string(receipt.seqno) + ": " +
                                   signature.message());
  }
  Result<Entry> entry = DecodeEntry(receipt.entry);
  if (!entry.ok()) {
    return Status::DataLoss("receipt for entry " + std::to_string(receipt.seqno) + ": " +
                            entry.status().message());
  }
  if (entry->seqno != receipt.seqno) {
    return Status::DataLoss("receipt for entry " + std::to_string(receipt.seqno) + " holds entry " +
                            std::to_string(entry->seqno));
  }
  if (receipt.seqno == 0 || receipt.seqno > receipt.tree_head.tree_size) {
    return Status::DataLoss("receipt for entry " + std::to_string(receipt.seqno) +
                            " has a tree head of size " +
                            std::to_string(receipt.tree_head.tree_size) + " that cannot cover it");
  }
  Status included = VerifyInclusion(receipt.seqno - 1, receipt.tree_head.tree_size,
                                    LeafHash(receipt.entry), receipt.proof, receipt.tree_head.root);
  if (!included.ok()) {
    return Status::DataLoss("receipt for entry " + std::to_string(receipt.seqno) +
                            ": the entry is not in the signed tree (" + included.message() + ")");
  }
  return entry;
}

}  // namespace cleanroom::ledger
