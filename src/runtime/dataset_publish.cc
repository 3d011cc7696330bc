#include "runtime/dataset_publish.h"

#include <atomic>
#include <future>
#include <map>

#include "base/bytes.h"
#include "crypto/hash.h"
#include "engine/engine.h"
#include "engine/input_source.h"
#include "formats/parquet_reader.h"
#include "privacy/policy.h"
#include "runtime/unit_index_check.h"

namespace cleanroom::runtime {
namespace {

using nlohmann::json;

Result<engine::Format> ResolveFormat(const std::string& file, const std::string& format) {
  engine::Format f = engine::Format::kAuto;
  if (!format.empty()) {
    CR_ASSIGN_OR_RETURN(f, engine::ParseFormat(format));
  } else {
    f = engine::FormatFromPath(file);
  }
  if (f != engine::Format::kCsv && f != engine::Format::kParquet && f != engine::Format::kNdjson) {
    return Status::InvalidArgument("--format: a dataset is csv, parquet or ndjson (" + file + ")");
  }
  return f;
}

// The document's columnRoles: the policy's column roles, with its privacy unit.
json ColumnRoles(const privacy::DatasetPolicy& policy,
                 const std::map<std::string, std::string>& spelling) {
  json roles = json::object();
  for (const auto& [column, column_policy] : policy.columns) {
    auto it = spelling.find(column);
    roles[it == spelling.end() ? column : it->second] =
        std::string(privacy::ColumnRoleName(column_policy.role));
  }
  if (!policy.privacy_unit.empty()) {
    auto it = spelling.find(policy.privacy_unit);
    roles[it == spelling.end() ? policy.privacy_unit : it->second] = "privacy_unit";
  }
  return roles;
}

}  // namespace

Result<EncryptedFile> EncryptFileToStorage(const std::string& file, const std::string& name,
                                           const std::string& folder,
                                           const crypto::container::ProgressFn& progress,
                                           Storage& storage, const std::function<Status()>& check) {
  CR_ASSIGN_OR_RETURN(crypto::container::DataKey key, crypto::container::DataKey::Generate());
  std::string key_id = HexEncode(key.key_id());
  EncryptedFile out{std::move(key), crypto::container::EncryptSummary(), std::string(), key_id};
  out.storage_key = folder + "/" + sql::ToLowerAscii(name) + "/" + key_id + ".cdc";

  crypto::container::EncryptOptions options;
  options.dataset_id = name;
  options.progress = progress;
  options.hash_plaintext = false;
  options.hash_container = true;  // the contentHash, on a helper core beside the encryption
  options.hash_kind = crypto::container::ContentHashKind::kSha256Tree;
  CR_RETURN_IF_ERROR(
      storage.PutStreaming(out.storage_key, [&](const crypto::container::WriteFn& write) -> Status {
        // The check runs beside the encryption; the object is kept only when both succeed (a
        // failed check abandons it: PutStreaming leaves nothing under the key).
        // A failed check stops the encryption at its next chunk.
        std::atomic<bool> check_failed{false};
        std::future<Status> checked;
        if (check) {
          checked = std::async(std::launch::async, [&check, &check_failed] {
            Status st = check();
            if (!st.ok()) check_failed = true;
            return st;
          });
        }
        auto check_status = [&checked] { return checked.valid() ? checked.get() : Status::OK(); };
        FILE* in = std::fopen(file.c_str(), "rb");
        if (in == nullptr) {
          check_status().IgnoreError();
          return Status::NotFound("publish: cannot open " + file);
        }
        auto summary = crypto::container::EncryptStream(
            out.key, options,
            [in, &file, &check_failed](uint8_t* buffer, size_t size) -> Result<size_t> {
              if (check_failed) return Status::FailedPrecondition("publish: the file was refused");
              size_t n = std::fread(buffer, 1, size, in);
              if (n < size && std::ferror(in)) {
                return Status::Internal("publish: read error in " + file);
              }
              return n;
            },
            [&](ByteSpan data) { return write(data); });
        std::fclose(in);
        Status check_result = check_status();
        CR_RETURN_IF_ERROR(check_result);
        if (!summary.ok()) return summary.status();
        out.summary = *summary;
        return Status::OK();
      }));
  return out;
}

Result<std::unique_ptr<engine::Engine>> OpenEngineOverFile(const std::string& file,
                                                           engine::Format format,
                                                           const std::string& name, int threads) {
  CR_ASSIGN_OR_RETURN(auto engine, engine::Engine::Open({.threads = threads,
                                                         .validate_columns_read =
                                                             format == engine::Format::kParquet}));
  engine::TableSource source;
  source.name = name;
  source.path = file;
  source.format = format;
  CR_RETURN_IF_ERROR(engine->LoadTable(source));
  return engine;
}

Result<std::vector<sql::Column>> ReadFileSchema(const std::string& file,
                                                const std::string& format) {
  CR_ASSIGN_OR_RETURN(engine::Format f, ResolveFormat(file, format));
  // A Parquet file's columns are read from its footer, as the engine would load them (no page
  // is read, nothing imaged); the file is then validated whole, streaming on every core. A text
  // file is loaded whole (that is its validation), on every core.
  const bool parquet = f == engine::Format::kParquet;
  CR_ASSIGN_OR_RETURN(auto engine, OpenEngineOverFile(file, f, "publish_schema", parquet ? 1 : 0));
  const sql::TableDef* table = engine->catalog().FindTable("publish_schema");
  if (table == nullptr) return Status::Internal("dataset publish: the loaded table has no schema");
  std::vector<sql::Column> columns = table->columns;
  engine.reset();
  if (parquet) {
    CR_ASSIGN_OR_RETURN(std::unique_ptr<formats::ParquetReader> reader,
                        formats::ParquetReader::Open(file));
    CR_RETURN_IF_ERROR(reader->Verify(/*threads=*/0));
  }
  return columns;
}

Result<PublishedDataset> PublishDataset(const PublishRequest& request, Storage& storage) {
  CR_ASSIGN_OR_RETURN(engine::Format format, ResolveFormat(request.file, request.format));
  CR_ASSIGN_OR_RETURN(privacy::DatasetPolicy policy,
                      privacy::ParseDatasetPolicy(request.policy.dump(), "--policy"));
  json schema_json = json::array();
  json allowed = json::array();
  std::map<std::string, std::string> spelling;  // lower-case -> the file's spelling
  // The schema (read, and the file validated, when not declared) and the policy checked against
  // it: beside the encryption, which keeps its ciphertext only when this succeeds.
  auto describe = [&]() -> Status {
    std::vector<sql::Column> schema;
    if (request.schema) {
      schema = *request.schema;
    } else {
      CR_ASSIGN_OR_RETURN(schema, ReadFileSchema(request.file, request.format));
    }
    for (const sql::Column& c : schema) {
      spelling[sql::ToLowerAscii(c.name)] = c.name;
      schema_json.push_back({{"name", c.name}, {"type", c.type.ToString()}});
    }
    for (const std::string& field : policy.allowed_fields) {
      auto it = spelling.find(sql::ToLowerAscii(field));
      if (it == spelling.end()) {
        return Status::InvalidArgument("--policy: allowedFields names column '" + field +
                                       "', which " + request.file + " does not have");
      }
      allowed.push_back(it->second);
    }
    if (policy.allowed_fields.empty()) {
      for (const sql::Column& c : schema) allowed.push_back(c.name);
    }
    for (const auto& [column, unused] : policy.columns) {
      if (!spelling.count(column)) {
        return Status::InvalidArgument("--policy: columns names '" + column + "', which " +
                                       request.file + " does not have");
      }
    }
    // The unit index is checked against the unit here, over the plaintext, once: runs trust it
    // as they trust the owner's naming of the unit (docs/privacy.md, "The unit index").
    if (!policy.unit_index.empty()) {
      CR_RETURN_IF_ERROR(
          CheckUnitIndex(request.file, format, policy.privacy_unit, policy.unit_index));
    }
    return Status::OK();
  };

  CR_ASSIGN_OR_RETURN(EncryptedFile encrypted,
                      EncryptFileToStorage(request.file, request.name, "datasets", request.progress,
                                           storage, describe));
  PublishedDataset out{json::object(), std::move(encrypted.key), encrypted.summary,
                       encrypted.storage_key};
  const std::string key_id = encrypted.key_id;
  out.document = {{"name", request.name},
                  {"format", std::string(engine::FormatName(format))},
                  {"schema", schema_json},
                  {"allowedFields", allowed},
                  {"columnRoles", ColumnRoles(policy, spelling)},
                  {"policy", request.policy},
                  {"location", out.storage_key},
                  {"contentHash", HexEncode(out.summary.container_sha256)},
                  {"keyId", key_id}};
  return out;
}

}  // namespace cleanroom::runtime
