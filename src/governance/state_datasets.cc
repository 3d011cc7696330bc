// Dataset registration, the owner's consent switch and the dataset key secret.
#include "governance/state.h"
#include "privacy/dataset_document.h"
#include "sql/catalog.h"

namespace cleanroom::governance {

Result<Applied> State::RegisterDataset(const Action& a) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "dataset"}));
  CR_RETURN_IF_ERROR(ActiveMember(a.signer, kRoleProvider).status());
  if (!a.payload.contains("dataset")) return Status::InvalidArgument("payload.dataset: missing");
  const Json& submitted = a.payload["dataset"];
  CR_ASSIGN_OR_RETURN(DatasetDocument parsed, ParseDatasetDocument(submitted));
  // The policy the runtime will enforce, validated now: a document whose settings the runtime
  // could not honour (an unknown policy field, two roles for one column) is refused here, not
  // after keys are released.
  CR_RETURN_IF_ERROR(privacy::PolicyOfDatasetDocument(submitted).status());
  std::string key = sql::ToLowerAscii(parsed.name);
  auto it = datasets_.find(key);
  if (it != datasets_.end() && it->second.owner != a.signer) {
    return Status::PermissionDenied("dataset '" + parsed.name +
                                    "' is registered by another member");
  }
  if (it != datasets_.end() && it->second.is_model) {
    return Status::AlreadyExists("'" + parsed.name + "' names a published model, not a dataset");
  }

  return AddVersion(key, a.signer, submitted, std::move(parsed), false);
}

Applied State::AddVersion(const std::string& key, const std::string& owner, const Json& submitted,
                          DatasetDocument parsed, bool is_model) {
  // Versions are immutable: a new registration is a new version.
  DatasetRecord& record = datasets_[key];
  if (record.versions.empty()) {
    record.name = parsed.name;
    record.owner = owner;
    record.is_model = is_model;
  }
  DatasetVersion v;
  v.version = static_cast<int64_t>(record.versions.size()) + 1;
  v.document = submitted;
  v.document["owner"] = owner;
  v.document["version"] = v.version;
  v.hash = DocumentHash(v.document);
  v.parsed = std::move(parsed);
  record.versions.push_back(std::move(v));
  const DatasetVersion& stored = record.versions.back();
  Applied applied;
  applied.result = {{is_model ? "model" : "dataset", record.name},
                    {"version", stored.version},
                    {"hash", stored.hash}};
  applied.on_seqno = [&record, index = record.versions.size() - 1](uint64_t seqno) {
    record.versions[index].seqno = seqno;
  };
  return applied;
}

Result<Applied> State::SwitchDataset(const Action& a, bool enable) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "dataset"}));
  CR_ASSIGN_OR_RETURN(std::string name, r.String("dataset"));
  CR_ASSIGN_OR_RETURN(DatasetRecord * record, DatasetByName(name));
  if (record->owner != a.signer) {
    return Status::PermissionDenied("only the owner of dataset '" + record->name +
                                    "' switches its consent");
  }
  // Idempotent: switching off a dataset that is off is recorded and changes nothing.
  record->enabled = enable;
  Applied applied;
  applied.result = {{"dataset", record->name}, {"enabled", enable}};
  applied.on_seqno = [record](uint64_t seqno) { record->consent_seqno = seqno; };
  return applied;
}

Result<State::SecretTarget> State::CheckSecret(const Action& a) const {
  CR_RETURN_IF_ERROR(CheckCollaboration(a));
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(
      r.RejectUnknownFields({"collaboration", "dataset", "version", "keyId", "keyCommitment"}));
  CR_ASSIGN_OR_RETURN(std::string name, r.String("dataset"));
  CR_ASSIGN_OR_RETURN(int64_t version, r.Integer("version"));
  CR_ASSIGN_OR_RETURN(std::string key_id, r.String("keyId"));
  CR_ASSIGN_OR_RETURN(std::string commitment_text, r.String("keyCommitment"));
  CR_ASSIGN_OR_RETURN(std::string commitment,
                      NormalizeSha256Hex(commitment_text, "payload.keyCommitment"));
  const DatasetRecord* record = FindDataset(name);
  if (record == nullptr) {
    return Status::NotFound("dataset '" + name + "' is not registered in this collaboration");
  }
  if (record->owner != a.signer) {
    return Status::PermissionDenied("only the owner of dataset '" + record->name +
                                    "' stores its key");
  }
  if (version < 1 || version > static_cast<int64_t>(record->versions.size())) {
    return Status::NotFound("dataset '" + record->name + "' has no version " +
                            std::to_string(version));
  }
  const DatasetVersion& v = record->versions[static_cast<size_t>(version - 1)];
  if (v.parsed.key_id != key_id) {
    return Status::InvalidArgument("payload.keyId: differs from the keyId of dataset '" +
                                   record->name + "' version " + std::to_string(version));
  }
  if (v.secret.has_value()) {
    return Status::AlreadyExists("dataset '" + record->name + "' version " +
                                 std::to_string(version) + " already has its key stored");
  }
  return SecretTarget{sql::ToLowerAscii(record->name), version, key_id, commitment};
}

Result<Applied> State::StoreSecret(const Action& a, const ApplyContext& context) {
  CR_ASSIGN_OR_RETURN(SecretTarget target, CheckSecret(a));
  DatasetRecord& record = datasets_.at(target.dataset);
  SecretRecord secret{target.key_id, target.commitment, context.sealed_secret_file, 0};
  if (context.replay) {
    if (context.recorded_result == nullptr || !context.recorded_result->contains("sealedFile") ||
        !(*context.recorded_result)["sealedFile"].is_string()) {
      return Status::DataLoss("dataset.secret entry without its sealedFile result");
    }
    secret.sealed_file = (*context.recorded_result)["sealedFile"].get<std::string>();
  }
  if (secret.sealed_file.empty()) return Status::Internal("the sealed secret file is not named");

  // Commit.
  DatasetVersion& v = record.versions[static_cast<size_t>(target.version - 1)];
  v.secret = secret;
  Applied applied;
  applied.result = {{"dataset", record.name},
                    {"version", target.version},
                    {"keyId", target.key_id},
                    {"sealedFile", secret.sealed_file}};
  applied.on_seqno = [&v](uint64_t seqno) { v.secret->seqno = seqno; };
  return applied;
}

}  // namespace cleanroom::governance
