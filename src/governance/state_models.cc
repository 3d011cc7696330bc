// Published models (docs/ml.md): registered like datasets, by a provider, in the same namespace
// (a model's key is stored, released and switched as a dataset's is), never a SQL table.
#include "governance/state.h"
#include "ml/documents.h"
#include "sql/catalog.h"

namespace cleanroom::governance {

Result<Applied> State::RegisterModel(const Action& a) {
  JsonReader r(a.payload, "payload");
  CR_RETURN_IF_ERROR(r.RejectUnknownFields({"collaboration", "model"}));
  CR_RETURN_IF_ERROR(ActiveMember(a.signer, kRoleProvider).status());
  if (!a.payload.contains("model")) return Status::InvalidArgument("payload.model: missing");
  const Json& submitted = a.payload["model"];
  CR_ASSIGN_OR_RETURN(ml::ModelDocument parsed, ml::ParseModelDocument(submitted));
  const Contract& contract = active()->contract;
  auto members = [&contract](const std::vector<std::string>& ids, const char* field) -> Status {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (contract.Find(ids[i]) == nullptr) {
        return Status::InvalidArgument(std::string("model.policy.") + field + "[" +
                                       std::to_string(i) + "]: not a member of the collaboration");
      }
    }
    return Status::OK();
  };
  CR_RETURN_IF_ERROR(members(parsed.inference_for, "inferenceFor"));
  CR_RETURN_IF_ERROR(members(parsed.derived_model_recipients, "derivedModelRecipients"));
  const std::string key = sql::ToLowerAscii(parsed.name);
  auto it = datasets_.find(key);
  if (it != datasets_.end() && it->second.owner != a.signer) {
    return Status::PermissionDenied("model '" + parsed.name + "' is published by another member");
  }
  if (it != datasets_.end() && !it->second.is_model) {
    return Status::AlreadyExists("'" + parsed.name + "' names a dataset, not a model");
  }

  DatasetDocument version;
  version.name = parsed.name;
  version.format = submitted.value("format", "");
  version.location = parsed.location;
  version.content_hash = parsed.content_hash;
  version.key_id = parsed.key_id;
  return AddVersion(key, a.signer, submitted, std::move(version), true);
}

}  // namespace cleanroom::governance
