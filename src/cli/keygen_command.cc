// `cleanroom keygen`: a member's identity directory (signing key, self-signed certificate and the
// X25519 key results are sealed to), as crypto/identity.h describes it.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "crypto/identity.h"

namespace cleanroom::cli {
namespace {

struct KeygenFlags {
  std::string name;
  std::string out;
  std::string passphrase_file;
  bool ed25519 = false;
};

Status RunKeygen(const KeygenFlags& flags) {
  std::optional<std::string> passphrase;
  if (!flags.passphrase_file.empty()) {
    CR_ASSIGN_OR_RETURN(passphrase, ReadFileToString(flags.passphrase_file));
    // One trailing newline is the file's line end, not part of the passphrase.
    if (!passphrase->empty() && passphrase->back() == '\n') passphrase->pop_back();
    if (!passphrase->empty() && passphrase->back() == '\r') passphrase->pop_back();
    if (passphrase->empty()) {
      return Status::InvalidArgument("keygen: the passphrase file " + flags.passphrase_file +
                                     " is empty");
    }
  }
  crypto::KeyType type = flags.ed25519 ? crypto::KeyType::kEd25519 : crypto::KeyType::kEcP384;
  auto identity = crypto::GenerateIdentity(flags.name, type);
  Status status = identity.status();
  if (status.ok()) {
    status = crypto::WriteIdentity(
        flags.out, *identity,
        passphrase ? std::optional<std::string_view>(*passphrase) : std::nullopt);
  }
  if (passphrase) SecureWipe(passphrase->data(), passphrase->size());
  CR_RETURN_IF_ERROR(status);
  std::printf(
      "member %s\nname %s\nsigning key %s (%s)\nwrote "
      "%s/{key.pem,cert.pem,enc_key.pem,enc_pub.pem}\n",
      identity->member_id().c_str(), flags.name.c_str(),
      std::string(crypto::KeyTypeName(type)).c_str(),
      passphrase ? "passphrase-protected" : "unencrypted", flags.out.c_str());
  return Status::OK();
}

void SetupKeygen(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<KeygenFlags>();
  CLI::App* cmd = root.add_subcommand(
      "keygen", "Create a member identity: signing key, self-signed certificate, encryption key");
  cmd->add_option("--name", flags->name, "The member's name (the certificate's CN)")->required();
  cmd->add_option("--out", flags->out, "Directory to write the identity into")->required();
  cmd->add_option("--passphrase-file", flags->passphrase_file,
                  "Encrypt the private keys (PKCS#8) with the passphrase in this file");
  cmd->add_flag("--ed25519", flags->ed25519, "Sign with Ed25519 instead of ECDSA P-384");
  cmd->callback([flags, &exit_code] {
    Status status = RunKeygen(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupKeygen);
}  // namespace cleanroom::cli
