#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/identity.h"

namespace cleanroom::govwire {

// The environment variable a passphrase may come from (docs/governance.md, "Identities").
inline constexpr char kPassphraseEnv[] = "CLEANROOM_PASSPHRASE";

// A passphrase in a fixed buffer (never reallocated, so never copied behind our back), wiped when
// it goes. At most kMaxSize bytes.
class Passphrase {
 public:
  static constexpr size_t kMaxSize = 1023;
  Passphrase() = default;
  ~Passphrase() { Wipe(); }
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;

  std::string_view view() const { return {buffer_.data(), size_}; }
  bool empty() const { return size_ == 0; }
  // Sets the text; InvalidArgument (naming `source`, never the text) when it is too long.
  Status Assign(std::string_view text, const std::string& source);
  void Wipe();

 private:
  std::array<char, kMaxSize + 1> buffer_{};
  size_t size_ = 0;
};

// The passphrase in the file at `path` (a regular file, or a pipe such as /dev/fd/3); one
// trailing line end is not part of it. InvalidArgument when the file is empty, too long, holds
// more than one line, or is a regular file that group or others may read (chmod 600 it). The
// file's text is never quoted.
Status ReadPassphraseFile(const std::string& path, Passphrase* out);

// CLEANROOM_PASSPHRASE when set (true), wiped from this process's environment once read.
Result<bool> PassphraseFromEnvironment(Passphrase* out);

// Whether a passphrase can be asked for: standard input and standard error are terminals.
bool CanPrompt();

// Asks on the terminal (prompt on standard error, echo off, one line from standard input).
// `confirm` asks twice and refuses two different answers. FailedPrecondition without a terminal.
Status PromptPassphrase(const std::string& prompt, bool confirm, Passphrase* out);

// A member's identity from `directory` (crypto::LoadIdentity), its private keys unlocked when
// they are passphrase-protected with, in order: the file `passphrase_file` (when not empty),
// CLEANROOM_PASSPHRASE, or a prompt on the terminal. Unauthenticated for a wrong passphrase and
// when no source is there (the message says which to use); InvalidArgument when
// `passphrase_file` is given for keys that are not protected (a setting is never ignored). The
// passphrase is wiped before this returns; errors never quote it or the keys.
Result<crypto::MemberIdentity> LoadMemberIdentity(const std::string& directory,
                                                  const std::string& passphrase_file);

}  // namespace cleanroom::govwire
