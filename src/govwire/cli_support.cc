#include "govwire/cli_support.h"

#include <cstdio>

#include "base/file.h"
#include "govwire/json_reader.h"

namespace cleanroom::govwire {

void AddClientFlags(CLI::App* command, ClientFlags* flags) {
  command->add_option("--governance", flags->governance,
                      "The governance service, https://HOST:PORT (default: the pinned one)");
  command->add_option("--identity", flags->identity, "The member's identity directory (keygen)")
      ->required();
  command->add_option("--service-fingerprint", flags->fingerprint,
                      "SHA-256 of the service certificate (default: the pinned one)");
  command->add_flag("--json", flags->json, "Print the service's JSON reply");
  AddPassphraseFlag(command, &flags->passphrase_file);
}

void AddPassphraseFlag(CLI::App* command, std::string* passphrase_file) {
  command->add_option("--passphrase-file", *passphrase_file,
                      "The identity's passphrase, when it has one (a 0600 file or /dev/fd/N; "
                      "else $CLEANROOM_PASSPHRASE or a prompt on a terminal)");
}

Result<std::unique_ptr<GovernanceClient>> Connect(const ClientFlags& flags) {
  ClientOptions options;
  options.url = flags.governance;
  options.service_fingerprint = flags.fingerprint;
  options.identity_dir = flags.identity;
  options.passphrase_file = flags.passphrase_file;
  return GovernanceClient::Create(options);
}

Status PrintReply(const Result<ApiReply>& reply, bool json,
                  const std::function<void(const Json& body)>& human) {
  if (!reply.ok()) return reply.status();
  CR_RETURN_IF_ERROR(reply->ToStatus());
  if (json) {
    std::printf("%s\n", reply->body.dump(2).c_str());
  } else {
    human(reply->body);
  }
  return Status::OK();
}

Status GetAndPrint(const ClientFlags& flags, const std::string& path,
                   const std::function<void(const Json& body)>& human) {
  CR_ASSIGN_OR_RETURN(auto client, Connect(flags));
  return PrintReply(client->Get(path), flags.json, human);
}

Status WriteAndPrint(const ClientFlags& flags, const std::string& path,
                     const std::string& message_type, const Json& payload) {
  CR_ASSIGN_OR_RETURN(auto client, Connect(flags));
  return PrintReply(client->Write(path, message_type, payload), flags.json, PrintWriteResult);
}

void PrintWriteResult(const Json& body) {
  std::string line = "seqno " + std::to_string(body.value("seqno", 0ull)) + ":";
  if (body.contains("result") && body["result"].is_object()) {
    for (const auto& [key, value] : body["result"].items()) {
      line += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  std::printf("%s\n", line.c_str());
}

std::string ShortId(const std::string& member_id) { return member_id.substr(0, 12); }

Result<Json> ReadJsonFile(const std::string& path) {
  CR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseJson(text, path);
}

}  // namespace cleanroom::govwire
