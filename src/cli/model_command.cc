// `cleanroom model publish FILE --name N --policy FILE`: encrypt an XGBoost model (JSON or
// UBJSON) with a fresh key into storage, register its model document and store its key with
// governance, sealed (docs/ml.md). Models share the datasets' namespace, key route and consent
// switch (`dataset disable NAME`).
#include <memory>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/publish_support.h"
#include "cli/undo_created.h"
#include "govwire/cli_support.h"
#include "runtime/model_publish.h"
#include "sql/catalog.h"

namespace cleanroom::cli {
namespace {

struct ModelPublishFlags {
  govwire::ClientFlags client;
  std::string file, name, policy_file, save_key;
  std::string storage = "file://cleanroom-storage";
};

Status PublishModelCommand(const ModelPublishFlags& f) {
  runtime::ModelPublishRequest request;
  request.file = f.file;
  request.name = f.name;
  if (!f.policy_file.empty()) {
    CR_ASSIGN_OR_RETURN(request.policy, govwire::ReadJsonFile(f.policy_file));
  }
  std::vector<std::string> created = {f.save_key};
  if (f.storage.rfind("file://", 0) == 0) {
    std::string root = f.storage.substr(7);
    created.insert(created.end(),
                   {root, root + "/models", root + "/models/" + sql::ToLowerAscii(f.name)});
  }
  UndoCreated undo(std::move(created));
  CR_ASSIGN_OR_RETURN(auto storage, runtime::OpenStorage(f.storage));
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  CR_ASSIGN_OR_RETURN(runtime::PublishedDataset published,
                      runtime::PublishModel(request, *storage));
  bool registered = false;
  Status st = RegisterPublished(*client, *storage, published, f.file, f.save_key, f.client.json,
                                "/v1/models", "model.register", "model", &registered);
  if (registered) undo.Keep();
  return st;
}

void SetupModel(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "model", "Models: publish an encrypted model (docs/ml.md)");
  auto flags = std::make_shared<ModelPublishFlags>();
  CLI::App* p = group->add_subcommand(
      "publish", "Encrypt an XGBoost model with a fresh key, store it, register it and its key");
  govwire::AddClientFlags(p, &flags->client);
  p->add_option("file", flags->file, "The model file (XGBoost JSON or UBJSON)")->required();
  p->add_option("--name", flags->name, "Model name (an identifier)")->required();
  p->add_option("--policy", flags->policy_file,
                "The model's policy {inferenceFor, fineTuning, derivedModelRecipients} (default: "
                "no use by others)");
  p->add_option("--storage", flags->storage, "Where ciphertexts go: file://DIR")
      ->capture_default_str();
  p->add_option("--save-key", flags->save_key, "Also keep the data key here (.dek, mode 0600)");
  p->callback([flags, &exit_code] {
    Status st = PublishModelCommand(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupModel);
}  // namespace cleanroom::cli
