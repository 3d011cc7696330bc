#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/container.h"
#include "engine/engine.h"
#include "runtime/storage.h"
#include "sql/catalog.h"

namespace cleanroom::runtime {

// What a data provider publishes: one plaintext file, its name and format, its privacy policy.
struct PublishRequest {
  std::string file;
  std::string name;    // a SQL identifier
  std::string format;  // csv, parquet or ndjson; empty: from the file's extension
  nlohmann::json policy = nlohmann::json::object();  // docs/privacy.md, one dataset's policy
  // The columns and their types. nullopt: read from the file (the engine's sniffer for CSV).
  std::optional<std::vector<sql::Column>> schema;
  crypto::container::ProgressFn progress;  // plaintext bytes encrypted so far
};

// The encrypted dataset, stored, and the document that registers it.
struct PublishedDataset {
  nlohmann::json document;  // docs/api.md "Dataset": schema, allowedFields, columnRoles, ...
  crypto::container::DataKey key;
  crypto::container::EncryptSummary summary;
  std::string storage_key;  // the object in storage ("datasets/<name>/<key id>.cdc")
};

// A file encrypted with a fresh data key into storage, as `<folder>/<name>/<key id>.cdc`.
struct EncryptedFile {
  crypto::container::DataKey key;
  crypto::container::EncryptSummary summary;  // container_sha256: sha256-tree-v1, contentHash
  std::string storage_key;
  std::string key_id;  // hex
};
// Encrypts `file` streaming (one chunk in memory) into `storage`: what publishing a dataset and
// a model share. `check` (when set) runs on its own thread beside the encryption (a publish's
// validation of the file: on a machine of two cores the two overlap instead of adding up); its
// error is returned, and the object is then not stored.
Result<EncryptedFile> EncryptFileToStorage(const std::string& file, const std::string& name,
                                           const std::string& folder,
                                           const crypto::container::ProgressFn& progress,
                                           Storage& storage,
                                           const std::function<Status()>& check = nullptr);

// Encrypts `request.file` with a fresh data key into `storage` (streaming: one chunk in memory),
// and builds the dataset document: schema (declared, or read from the file), allowedFields and
// columnRoles from the policy (checked against the schema), location, the ciphertext's SHA-256
// as contentHash, keyId. InvalidArgument naming the field for a policy that does not fit the
// file. The caller registers the document and stores the key as its secret, then wipes nothing:
// DataKey wipes itself.
Result<PublishedDataset> PublishDataset(const PublishRequest& request, Storage& storage);

// An engine over the plaintext `file`, loaded as table `name`. A Parquet file's footer only is
// read now; the columns a compiled query reads are validated at Engine::PrepareInputs.
// `threads`: DuckDB's (0: every core).
Result<std::unique_ptr<engine::Engine>> OpenEngineOverFile(const std::string& file,
                                                           engine::Format format,
                                                           const std::string& name, int threads);

// The Spark-typed columns of a plaintext file, as the engine reads it. A Parquet file's are
// read from its footer, and the file is then validated whole (every page, on every core, its
// pages released as they are checked: no image, memory bounded by the pages in flight), so a
// provider learns of a bad file before anyone runs a query over it. A text file is loaded whole
// (CSV types inferred and checked: engine/csv_inference.cc). PublishDataset runs this beside
// the encryption.
Result<std::vector<sql::Column>> ReadFileSchema(const std::string& file, const std::string& format);

}  // namespace cleanroom::runtime
