// `cleanroom keygen`: a member's identity directory (signing key, self-signed certificate and the
// X25519 key results are sealed to), as crypto/identity.h describes it, its private keys
// encrypted under a passphrase when one is given or asked for.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_registry.h"
#include "crypto/identity.h"
#include "govwire/member_identity.h"

namespace cleanroom::cli {
namespace {

struct KeygenFlags {
  std::string name;
  std::string out;
  std::string passphrase_file;
  bool no_passphrase = false;
  bool ed25519 = false;
};

// The passphrase the keys are encrypted under: the file, CLEANROOM_PASSPHRASE, or asked twice on
// a terminal (an empty answer leaves them unencrypted). None without a terminal or with
// --no-passphrase.
Status ChoosePassphrase(const KeygenFlags& flags, govwire::Passphrase* passphrase) {
  if (flags.no_passphrase) return Status::OK();
  if (!flags.passphrase_file.empty())
    return govwire::ReadPassphraseFile(flags.passphrase_file, passphrase);
  CR_ASSIGN_OR_RETURN(bool from_environment, govwire::PassphraseFromEnvironment(passphrase));
  if (from_environment || !govwire::CanPrompt()) return Status::OK();
  return govwire::PromptPassphrase(
      "passphrase for the new identity's private keys (empty: none): ", true, passphrase);
}

Status RunKeygen(const KeygenFlags& flags) {
  govwire::Passphrase passphrase;
  CR_RETURN_IF_ERROR(ChoosePassphrase(flags, &passphrase));
  bool is_protected = !passphrase.empty();
  crypto::KeyType type = flags.ed25519 ? crypto::KeyType::kEd25519 : crypto::KeyType::kEcP384;
  auto identity = crypto::GenerateIdentity(flags.name, type);
  Status status = identity.status();
  if (status.ok()) {
    status = crypto::WriteIdentity(
        flags.out, *identity,
        is_protected ? std::optional<std::string_view>(passphrase.view()) : std::nullopt);
  }
  passphrase.Wipe();
  CR_RETURN_IF_ERROR(status);
  std::printf(
      "member %s\nname %s\nsigning key %s (%s)\nwrote "
      "%s/{key.pem,cert.pem,enc_key.pem,enc_pub.pem}\n",
      identity->member_id().c_str(), flags.name.c_str(),
      std::string(crypto::KeyTypeName(type)).c_str(),
      is_protected ? "passphrase-protected" : "unencrypted", flags.out.c_str());
  return Status::OK();
}

void SetupKeygen(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<KeygenFlags>();
  CLI::App* cmd = root.add_subcommand(
      "keygen", "Create a member identity: signing key, self-signed certificate, encryption key");
  cmd->add_option("--name", flags->name, "The member's name (the certificate's CN)")->required();
  cmd->add_option("--out", flags->out, "Directory to write the identity into")->required();
  CLI::Option* file =
      cmd->add_option("--passphrase-file", flags->passphrase_file,
                      "Encrypt the private keys (PKCS#8, scrypt) with the passphrase in this file "
                      "(0600, or /dev/fd/N); default: $CLEANROOM_PASSPHRASE, else asked on a "
                      "terminal");
  cmd->add_flag("--no-passphrase", flags->no_passphrase,
                "Leave the private keys unencrypted (tests, CI; the files are still 0600)")
      ->excludes(file);
  cmd->add_flag("--ed25519", flags->ed25519, "Sign with Ed25519 instead of ECDSA P-384");
  cmd->callback([flags, &exit_code] {
    Status status = RunKeygen(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupKeygen);
}  // namespace cleanroom::cli
