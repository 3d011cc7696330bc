#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "govwire/governance_client.h"

namespace cleanroom::govwire {

// The flags every client verb takes: --governance URL, --identity DIR,
// --service-fingerprint HEX (both optional once pinned), --passphrase-file FILE, --json.
struct ClientFlags {
  std::string governance;
  std::string identity;
  std::string fingerprint;
  bool json = false;
  std::string passphrase_file;
};
void AddClientFlags(CLI::App* command, ClientFlags* flags);
// --passphrase-file alone, for commands that load an identity without the other client flags.
void AddPassphraseFlag(CLI::App* command, std::string* passphrase_file);

// Loads the identity and connects (pinned TLS).
Result<std::unique_ptr<GovernanceClient>> Connect(const ClientFlags& flags);

// Prints a successful reply: the JSON body (indented) with --json, else `human(body)`. An error
// reply becomes its Status (code and message from the service).
Status PrintReply(const Result<ApiReply>& reply, bool json,
                  const std::function<void(const Json& body)>& human);

// Connects, GETs `path` and prints the reply (see PrintReply).
Status GetAndPrint(const ClientFlags& flags, const std::string& path,
                   const std::function<void(const Json& body)>& human);
// Connects, signs and POSTs one write and prints its result.
Status WriteAndPrint(const ClientFlags& flags, const std::string& path,
                     const std::string& message_type, const Json& payload);

// A one-line summary of a write's result: "seqno N: key=value ...".
void PrintWriteResult(const Json& body);

// The first 12 hex digits of a member id, for people.
std::string ShortId(const std::string& member_id);

// The JSON document in the file at `path` (bounded parsing; errors name the file, line and column).
Result<Json> ReadJsonFile(const std::string& path);

}  // namespace cleanroom::govwire
