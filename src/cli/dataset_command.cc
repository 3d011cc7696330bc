// `cleanroom dataset register|list|show|enable|disable`: dataset documents, their owner's
// consent switch and key, against the governance service. (`dataset publish` is the runtime's.)
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/show_support.h"
#include "crypto/container.h"
#include "crypto/hash.h"
#include "crypto/sha256_tree.h"
#include "govwire/cli_support.h"

namespace cleanroom::cli {
namespace {

using govwire::ApiReply;
using govwire::ClientFlags;
using govwire::Json;
using govwire::ShortId;

struct RegisterFlags {
  ClientFlags client;
  std::string document_file;
  std::string name, format, location, content_file, key_file, policy_file, key_id;
  std::string schema;              // col:type,col:type
  std::string allowed;             // col,col
  std::vector<std::string> roles;  // col=role
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::string> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("--content: cannot open " + path);
  crypto::Sha256TreeHasher hasher;  // contentHash is sha256-tree-v1
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    hasher.Update(
        ByteSpan(reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(in.gcount())));
  }
  crypto::Sha256Digest d = hasher.Finish();
  return HexEncode(d);
}

// The document from --document, with every flag given overriding its field.
Result<Json> BuildDocument(const RegisterFlags& f) {
  Json doc = Json::object();
  if (!f.document_file.empty()) {
    CR_ASSIGN_OR_RETURN(doc, govwire::ReadJsonFile(f.document_file));
  }
  if (!f.name.empty()) doc["name"] = f.name;
  if (!f.format.empty()) doc["format"] = f.format;
  if (!f.location.empty()) doc["location"] = f.location;
  if (!f.key_id.empty()) doc["keyId"] = f.key_id;
  if (!f.schema.empty()) {
    Json schema = Json::array();
    for (const std::string& col : SplitList(f.schema)) {
      size_t colon = col.find(':');
      if (colon == std::string::npos) {
        return Status::InvalidArgument("--schema: expected name:type, got '" + col + "'");
      }
      schema.push_back({{"name", col.substr(0, colon)}, {"type", col.substr(colon + 1)}});
    }
    doc["schema"] = schema;
  }
  if (!f.allowed.empty()) doc["allowedFields"] = SplitList(f.allowed);
  for (const std::string& r : f.roles) {
    size_t eq = r.find('=');
    if (eq == std::string::npos) return Status::InvalidArgument("--role: expected column=role");
    doc["columnRoles"][r.substr(0, eq)] = r.substr(eq + 1);
  }
  if (!f.policy_file.empty()) {
    CR_ASSIGN_OR_RETURN(doc["policy"], govwire::ReadJsonFile(f.policy_file));
  }
  if (!f.content_file.empty()) {
    CR_ASSIGN_OR_RETURN(doc["contentHash"], HashFile(f.content_file));
  }
  return doc;
}

Status Register(const RegisterFlags& f) {
  CR_ASSIGN_OR_RETURN(Json doc, BuildDocument(f));
  std::optional<crypto::container::DataKey> key;
  if (!f.key_file.empty()) {
    auto parsed = crypto::container::DataKey::ReadFile(f.key_file);
    if (!parsed.ok()) return parsed.status().WithContext("--key-file");
    key.emplace(std::move(parsed).value());
    if (!doc.contains("keyId")) doc["keyId"] = HexEncode(key->key_id());
  }
  CR_ASSIGN_OR_RETURN(auto client, govwire::Connect(f.client));
  CR_ASSIGN_OR_RETURN(ApiReply reply,
                      client->Write("/v1/datasets", "dataset.register", {{"dataset", doc}}));
  CR_RETURN_IF_ERROR(govwire::PrintReply(reply, f.client.json, govwire::PrintWriteResult));
  if (!key) return Status::OK();
  std::string name = reply.body["result"]["dataset"];
  int64_t version = reply.body["result"]["version"];
  return govwire::PrintReply(
      govwire::StoreDatasetKey(*client, name, version, doc["keyId"], key->bytes()), f.client.json,
      [](const Json& body) {
        std::printf("key stored, sealed at rest: ");
        govwire::PrintWriteResult(body);
      });
}

void PrintList(const Json& body) {
  for (const auto& d : body["datasets"]) {
    std::printf("%-24s v%-3d owner %s %s\n", d["name"].get<std::string>().c_str(),
                d["latestVersion"].get<int>(), ShortId(d["owner"]).c_str(),
                d["enabled"].get<bool>() ? "enabled" : "DISABLED by its owner");
  }
}

// A column's role for people: the document's columnRoles, else the policy's, with the aggregate
// functions the policy allows on it.
std::string RoleOf(const Json& doc, const std::string& column) {
  const Json policy = doc.value("policy", Json::object());
  const Json roles = doc.value("columnRoles", Json::object());
  const Json columns = policy.value("columns", Json::object());
  const Json rule =
      columns.contains(column) && columns[column].is_object() ? columns[column] : Json::object();
  std::string role = rule.value("role", "");
  if (policy.value("privacyUnit", "") == column) role = "privacy_unit";
  if (roles.contains(column) && roles[column].is_string()) role = roles[column];
  const Json functions = rule.value("functions", Json::array());
  for (size_t i = 0; i < functions.size(); ++i) {
    role += (i == 0 ? " (" : ", ") + functions[i].get<std::string>() +
            (i + 1 == functions.size() ? ")" : "");
  }
  return role;
}

void PrintDataset(const Json& d, const MemberNames& names) {
  std::printf("dataset %s, owner %s, %s\n", d["name"].get<std::string>().c_str(),
              names.Of(d["owner"]).c_str(),
              d["enabled"].get<bool>() ? "enabled" : "disabled by its owner");
  for (const auto& v : d["versions"]) {
    const Json& doc = v["document"];
    const Json policy = doc.value("policy", Json::object());
    std::printf("version %d (seqno %llu) hash %s\n  format %s, location %s\n",
                v["version"].get<int>(), v["seqno"].get<unsigned long long>(),
                v["hash"].get<std::string>().c_str(), doc.value("format", "").c_str(),
                doc.value("location", "").c_str());
    Json allowed = doc.value("allowedFields", policy.value("allowedFields", Json::array()));
    for (const auto& column : doc.value("schema", Json::array())) {
      std::string name = column.value("name", "");
      bool is_allowed = std::find(allowed.begin(), allowed.end(), Json(name)) != allowed.end();
      std::string role = RoleOf(doc, name);
      std::printf("  column %-20s %-10s %s%s%s\n", name.c_str(), column.value("type", "").c_str(),
                  is_allowed ? "allowed" : "NOT allowed", role.empty() ? "" : ", role ",
                  role.c_str());
    }
    std::printf(
        "  floors: at least %lld rows per query input; groups of fewer than %lld distinct "
        "privacy units suppressed%s\n",
        static_cast<long long>(policy.value("minRowCount", int64_t{0})),
        static_cast<long long>(policy.value("minGroupUnits", int64_t{0})),
        policy.contains("privacyUnit")
            ? (" (privacy unit " + policy.value("privacyUnit", "") + ")").c_str()
            : "");
    std::printf("  output: %s\n  differential privacy: none\n",
                policy.value("output", "aggregate").c_str());
    std::printf("  key %s\n", v["secret"].is_null() ? "not stored" : "stored (sealed)");
  }
}

void SetupDataset(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "dataset", "Datasets: documents, consent and keys");
  group->require_subcommand(1);
  auto report = [&exit_code](const Status& st) { exit_code.value = st.ok() ? 0 : ReportError(st); };

  auto reg = std::make_shared<RegisterFlags>();
  CLI::App* r = group->add_subcommand("register", "Register a dataset (or a new version of yours)");
  govwire::AddClientFlags(r, &reg->client);
  r->add_option("--document", reg->document_file, "The dataset document as a JSON file");
  r->add_option("--name", reg->name, "Dataset name (a SQL identifier)");
  r->add_option("--format", reg->format, "csv, parquet or ndjson");
  r->add_option("--schema", reg->schema, "Columns as name:type,name:type (Spark types)");
  r->add_option("--allowed", reg->allowed, "allowedFields: the columns queries may see, a,b,c");
  r->add_option("--role", reg->roles,
                "A column role, column=join|dimension|aggregate|privacy_unit");
  r->add_option("--policy", reg->policy_file, "The privacy policy as a JSON file");
  r->add_option("--location", reg->location, "Where the encrypted file is");
  r->add_option("--content", reg->content_file, "The encrypted file, to record its SHA-256");
  r->add_option("--key-file", reg->key_file, "The .dek key: stored with the service, sealed");
  r->add_option("--key-id", reg->key_id, "The key id (default: the .dek's)");
  r->callback([reg, report] { report(Register(*reg)); });

  auto list = std::make_shared<ClientFlags>();
  CLI::App* l = group->add_subcommand("list", "List the datasets of the collaboration");
  govwire::AddClientFlags(l, list.get());
  l->callback([list, report] { report(govwire::GetAndPrint(*list, "/v1/datasets", PrintList)); });

  struct NamedFlags {
    ClientFlags client;
    std::string name;
  };
  auto show = std::make_shared<NamedFlags>();
  CLI::App* s = group->add_subcommand("show", "Show a dataset with every version");
  govwire::AddClientFlags(s, &show->client);
  s->add_option("name", show->name, "The dataset")->required();
  s->callback([show, report] {
    report(ShowWithNames(show->client, "/v1/datasets/" + show->name, PrintDataset));
  });

  for (bool enable : {true, false}) {
    auto flags = std::make_shared<NamedFlags>();
    CLI::App* sw = group->add_subcommand(enable ? "enable" : "disable",
                                         enable ? "Switch your dataset's consent on"
                                                : "Switch your dataset's consent off (no runs)");
    govwire::AddClientFlags(sw, &flags->client);
    sw->add_option("name", flags->name, "The dataset")->required();
    sw->callback([flags, enable, report] {
      report(govwire::WriteAndPrint(flags->client, "/v1/datasets/" + flags->name + "/consent",
                                    enable ? "dataset.enable" : "dataset.disable",
                                    {{"dataset", flags->name}}));
    });
  }
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupDataset);
}  // namespace cleanroom::cli
