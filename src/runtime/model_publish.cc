#include "runtime/model_publish.h"

#include "base/file.h"
#include "ml/documents.h"
#include "ml/model_file.h"

namespace cleanroom::runtime {

Result<PublishedDataset> PublishModel(const ModelPublishRequest& request, Storage& storage) {
  CR_ASSIGN_OR_RETURN(std::string file, ReadFileToString(request.file));
  auto summary = ml::ValidateModelFile(AsBytes(file));
  SecureWipe(file.data(), file.size());
  if (!summary.ok()) return summary.status().WithContext(request.file);
  if (summary->feature_names.empty()) {
    return Status::InvalidArgument(request.file +
                                   ": the model names no features (set feature_names when "
                                   "training, so that jobs can be checked against them)");
  }
  nlohmann::json document = {
      {"name", request.name},
      {"format", summary->format == ml::ModelFormat::kJson ? "xgboost-json" : "xgboost-ubjson"},
      {"features", summary->feature_names},
      {"objective", summary->objective},
      {"policy", request.policy},
      {"location", "models/pending"},
      {"contentHash", std::string(64, '0')},
      {"keyId", "pending"}};
  // The document is checked before anything is encrypted (policy fields, the name).
  CR_RETURN_IF_ERROR(ml::ParseModelDocument(document).status());
  CR_ASSIGN_OR_RETURN(EncryptedFile encrypted,
                      EncryptFileToStorage(request.file, request.name, "models", nullptr, storage));
  document["location"] = encrypted.storage_key;
  document["contentHash"] = HexEncode(encrypted.summary.container_sha256);
  document["keyId"] = encrypted.key_id;
  return PublishedDataset{std::move(document), std::move(encrypted.key), encrypted.summary,
                          encrypted.storage_key};
}

}  // namespace cleanroom::runtime
