#include "govwire/tree_head_check.h"

#include <sys/stat.h>

#include <cstring>

#include "base/file.h"
#include "crypto/x509.h"
#include "ledger/merkle.h"
#include "ledger/receipt.h"
#include "ledger/signer.h"

namespace cleanroom::govwire {
namespace {

Result<ledger::Hash> ParseHash(const Json& value) {
  if (!value.is_string()) return Status::InvalidArgument("consistency proof: expected hex");
  CR_ASSIGN_OR_RETURN(Bytes bytes, HexDecode(value.get<std::string>()));
  if (bytes.size() != 32) return Status::InvalidArgument("consistency proof: expected 32 bytes");
  ledger::Hash out;
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

// The service's tree head, checked against its certificate, which must be the pinned one.
Status VerifyHeadSignature(GovernanceClient& client, const ledger::TreeHead& head,
                           const std::string& service_fingerprint) {
  CR_ASSIGN_OR_RETURN(ApiReply service, client.Get("/v1/service"));
  CR_RETURN_IF_ERROR(service.ToStatus());
  CR_ASSIGN_OR_RETURN(crypto::Certificate certificate,
                      crypto::Certificate::FromPem(service.body.value("certificate", "")));
  CR_ASSIGN_OR_RETURN(std::string pinned,
                      NormalizeSha256Hex(service_fingerprint, "service fingerprint"));
  if (certificate.Sha256Fingerprint() != pinned) {
    return Status::Unauthenticated("the service's certificate is not the pinned one");
  }
  CR_ASSIGN_OR_RETURN(auto verifier, ledger::TreeHeadVerifier::FromCertificate(certificate.der()));
  Status signature = verifier->Verify(head.ToBeSigned(), head.signature);
  if (!signature.ok()) {
    return Status::Unauthenticated("the service's tree head is not signed by the pinned service");
  }
  return Status::OK();
}

}  // namespace

Status CheckTreeHead(GovernanceClient& client, const std::string& identity_dir,
                     const std::string& service_fingerprint) {
  std::string file = identity_dir + "/" + kTreeHeadFile;
  std::optional<ledger::TreeHead> kept;
  struct stat st;
  if (::stat(file.c_str(), &st) == 0) {
    CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(file));
    auto head = ledger::TreeHeadFromJson(text);
    if (!head.ok()) return head.status().WithContext(file);
    kept = *head;
  }
  uint64_t from = kept ? kept->tree_size : 0;
  CR_ASSIGN_OR_RETURN(ApiReply reply, client.Get("/v1/ledger/consistency/" + std::to_string(from)));
  // Not a reader (yet), or no signed head yet: nothing to compare.
  if (reply.http_status == 401 || reply.http_status == 404) return Status::OK();
  CR_RETURN_IF_ERROR(reply.ToStatus());
  CR_ASSIGN_OR_RETURN(ledger::TreeHead head,
                      ledger::TreeHeadFromJson(reply.body.value("treeHead", Json()).dump()));
  CR_RETURN_IF_ERROR(VerifyHeadSignature(client, head, service_fingerprint));
  if (kept) {
    if (head.tree_size < kept->tree_size) {
      return Status::FailedPrecondition(
          "the service's ledger holds fewer entries than the tree head this member saw before (" +
          file + "): it was truncated or rolled back");
    }
    Status consistent = Status::OK();
    if (head.tree_size == kept->tree_size) {
      if (head.root != kept->root) consistent = Status::DataLoss("the roots differ");
    } else {
      std::vector<ledger::Hash> proof;
      const Json& hashes = reply.body.value("proof", Json::array());
      for (const Json& h : hashes) {
        CR_ASSIGN_OR_RETURN(ledger::Hash hash, ParseHash(h));
        proof.push_back(hash);
      }
      consistent =
          ledger::VerifyConsistency(kept->tree_size, head.tree_size, kept->root, head.root, proof);
    }
    if (!consistent.ok()) {
      return Status::FailedPrecondition(
          "the service's ledger does not extend the tree head this member saw before (" + file +
          "): a forked history");
    }
  }
  return WriteFileAtomic(file, ledger::TreeHeadToJson(head));
}

}  // namespace cleanroom::govwire
