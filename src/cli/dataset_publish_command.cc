// `cleanroom dataset publish FILE --name N [--format F] --policy FILE`: encrypt a dataset with a
// fresh key into storage, register its document and store the key with governance, sealed.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/publish_support.h"
#include "cli/undo_created.h"
#include "engine/input_source.h"
#include "govwire/cli_support.h"
#include "runtime/dataset_publish.h"
#include "runtime/storage.h"
#include "sql/catalog.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::Json;

struct PublishFlags {
  govwire::ClientFlags client;
  std::string file, name, format, policy_file, schema_file, save_key;
  std::string storage;  // empty: the default (runtime::StorageUrlOrDefault)
  bool quiet = false;
};

Status Publish(const PublishFlags& f) {
  runtime::PublishRequest request;
  request.file = f.file;
  request.name = f.name;
  request.format = f.format;
  CR_ASSIGN_OR_RETURN(std::string policy_text, ReadFileToString(f.policy_file));
  CR_ASSIGN_OR_RETURN(request.policy, govwire::ParseJson(policy_text, f.policy_file));
  if (!f.schema_file.empty()) {
    CR_ASSIGN_OR_RETURN(std::string schema_text, ReadFileToString(f.schema_file));
    engine::TableSource source;
    CR_RETURN_IF_ERROR(engine::ParseSchemaDocument(schema_text, source));
    request.schema = source.schema;
  }
  uint64_t next_report = 64ull << 20;
  if (!f.quiet) {
    request.progress = [&next_report](uint64_t done) {
      if (done >= next_report) {
        std::fprintf(stderr, "\rencrypted %llu MiB", static_cast<unsigned long long>(done >> 20));
        next_report = done + (64ull << 20);
      }
    };
  }
  // A failed publish leaves no folder in storage and no key file behind.
  std::vector<std::string> created = {f.save_key};
  CR_ASSIGN_OR_RETURN(std::string storage_url, runtime::StorageUrlOrDefault(f.storage));
  if (storage_url.rfind("file://", 0) == 0) {
    std::string root = storage_url.substr(7);
    created.insert(created.end(),
                   {root, root + "/datasets", root + "/datasets/" + sql::ToLowerAscii(f.name)});
  }
  UndoCreated undo(std::move(created));
  CR_ASSIGN_OR_RETURN(auto storage, runtime::OpenStorage(storage_url));
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  CR_ASSIGN_OR_RETURN(runtime::PublishedDataset published,
                      runtime::PublishDataset(request, *storage));
  if (next_report > (64ull << 20)) std::fprintf(stderr, "\n");
  bool registered = false;
  Status st = RegisterPublished(*client, *storage, published, f.file, f.save_key, f.client.json,
                                "/v1/datasets", "dataset.register", "dataset", &registered);
  // Registered (even if storing the key failed): the ciphertext and the folders holding it stay
  // (the ledger names them).
  if (registered) undo.Keep();
  return st;
}

void SetupDatasetPublish(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "dataset", "Datasets: documents, consent and keys");
  auto flags = std::make_shared<PublishFlags>();
  CLI::App* p = group->add_subcommand(
      "publish", "Encrypt a dataset with a fresh key, store it, register it and its key");
  govwire::AddClientFlags(p, &flags->client);
  p->add_option("file", flags->file, "The plaintext file (csv, parquet or ndjson)")->required();
  p->add_option("--name", flags->name, "Dataset name (a SQL identifier)")->required();
  p->add_option("--format", flags->format, "csv, parquet or ndjson (default: by extension)");
  p->add_option("--policy", flags->policy_file, "The dataset's privacy policy (docs/privacy.md)")
      ->required();
  p->add_option("--schema", flags->schema_file,
                "A declared schema {\"columns\": [{name, type}]} (default: read from the file)");
  p->add_option("--storage", flags->storage,
                std::string("Where ciphertexts go: file://DIR (" +
                            std::string(runtime::kDefaultStorageText) + ")"));
  p->add_option("--save-key", flags->save_key, "Also keep the data key here (.dek, mode 0600)");
  p->add_flag("--quiet", flags->quiet, "No progress on large files");
  p->callback([flags, &exit_code] {
    Status st = Publish(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupDatasetPublish);
}  // namespace cleanroom::cli
