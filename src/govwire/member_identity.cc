#include "govwire/member_identity.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/bytes.h"
#include "base/file_mode.h"

namespace cleanroom::govwire {
namespace {

// Drops one line end ("\n" or "\r\n").
size_t WithoutLineEnd(const char* text, size_t size) {
  if (size > 0 && text[size - 1] == '\n') --size;
  if (size > 0 && text[size - 1] == '\r') --size;
  return size;
}

// Reads one line of at most Passphrase::kMaxSize bytes from `fd` into `out` (line end dropped).
Status ReadLine(int fd, const std::string& source, Passphrase* out) {
  std::array<char, Passphrase::kMaxSize + 2> line{};
  size_t size = 0;
  bool too_long = false;
  for (;;) {
    char c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    if (size == line.size()) {
      too_long = true;  // Stop reading: the source may never end (/dev/zero).
      break;
    }
    line[size++] = c;
    c = 0;
  }
  size = WithoutLineEnd(line.data(), size);
  Status status = too_long
                      ? Status::InvalidArgument(source + ": the passphrase is longer than " +
                                                std::to_string(Passphrase::kMaxSize) + " bytes")
                      : out->Assign(std::string_view(line.data(), size), source);
  SecureWipe(line.data(), line.size());
  return status;
}

// Terminal echo off while it lives.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

Status AskOnce(const std::string& prompt, Passphrase* out) {
  EchoOff quiet(STDIN_FILENO);
  if (!quiet.active()) return Status::FailedPrecondition("cannot turn the terminal's echo off");
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  return ReadLine(STDIN_FILENO, "the terminal", out);
}

}  // namespace

Status Passphrase::Assign(std::string_view text, const std::string& source) {
  Wipe();
  if (text.size() > kMaxSize) {
    return Status::InvalidArgument(source + ": the passphrase is longer than " +
                                   std::to_string(kMaxSize) + " bytes");
  }
  std::memcpy(buffer_.data(), text.data(), text.size());
  size_ = text.size();
  return Status::OK();
}

void Passphrase::Wipe() {
  SecureWipe(buffer_.data(), buffer_.size());
  size_ = 0;
}

Status ReadPassphraseFile(const std::string& path, Passphrase* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("--passphrase-file: " + path + " does not exist");
    return Status::InvalidArgument("--passphrase-file: cannot open " + path + ": " +
                                   std::strerror(err));
  }
  Status mode = CheckOwnerOnly(path);
  if (!mode.ok()) {
    ::close(fd);
    return Status::InvalidArgument("--passphrase-file: " + mode.message());
  }
  Status status = ReadLine(fd, "--passphrase-file " + path, out);
  char more = 0;
  bool more_lines = status.ok() && ::read(fd, &more, 1) == 1;
  ::close(fd);
  CR_RETURN_IF_ERROR(status);
  if (more_lines) {
    out->Wipe();
    return Status::InvalidArgument("--passphrase-file: " + path +
                                   " holds more than one line (the passphrase is one line)");
  }
  if (out->empty()) return Status::InvalidArgument("--passphrase-file: " + path + " is empty");
  return Status::OK();
}

Result<bool> PassphraseFromEnvironment(Passphrase* out) {
  char* value = std::getenv(kPassphraseEnv);
  if (value == nullptr) return false;
  size_t size = std::strlen(value);
  Status status = out->Assign(std::string_view(value, size), kPassphraseEnv);
  // The environment's copy goes too: nothing this process starts inherits it.
  SecureWipe(value, size);
  ::unsetenv(kPassphraseEnv);
  CR_RETURN_IF_ERROR(status);
  if (out->empty()) return Status::InvalidArgument(std::string(kPassphraseEnv) + " is empty");
  return true;
}

bool CanPrompt() { return ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1; }

Status PromptPassphrase(const std::string& prompt, bool confirm, Passphrase* out) {
  if (!CanPrompt()) return Status::FailedPrecondition("no terminal to ask for a passphrase on");
  CR_RETURN_IF_ERROR(AskOnce(prompt, out));
  if (!confirm || out->empty()) return Status::OK();
  Passphrase again;
  CR_RETURN_IF_ERROR(AskOnce("the same passphrase again: ", &again));
  if (again.view() != out->view()) {
    out->Wipe();
    return Status::InvalidArgument("the two passphrases differ");
  }
  return Status::OK();
}

Result<crypto::MemberIdentity> LoadMemberIdentity(const std::string& directory,
                                                  const std::string& passphrase_file) {
  CR_ASSIGN_OR_RETURN(bool is_protected, crypto::IdentityIsProtected(directory));
  if (!is_protected) {
    if (!passphrase_file.empty()) {
      return Status::InvalidArgument("--passphrase-file: the identity in " + directory +
                                     " is not passphrase-protected");
    }
    return crypto::LoadIdentity(directory);
  }
  Passphrase passphrase;
  if (!passphrase_file.empty()) {
    CR_RETURN_IF_ERROR(ReadPassphraseFile(passphrase_file, &passphrase));
  } else {
    CR_ASSIGN_OR_RETURN(bool from_environment, PassphraseFromEnvironment(&passphrase));
    if (!from_environment) {
      if (!CanPrompt()) {
        return Status::Unauthenticated(
            "the identity in " + directory +
            " is passphrase-protected: give --passphrase-file FILE, set " + kPassphraseEnv +
            ", or run on a terminal to be asked");
      }
      CR_RETURN_IF_ERROR(PromptPassphrase("passphrase of the identity in " + directory + ": ",
                                          false, &passphrase));
    }
  }
  auto identity = crypto::LoadIdentity(directory, passphrase.view());
  passphrase.Wipe();
  if (!identity.ok() && identity.status().code() == StatusCode::kUnauthenticated) {
    return Status::Unauthenticated("the identity in " + directory +
                                   ": wrong passphrase (or its key files are corrupt)");
  }
  return identity;
}

}  // namespace cleanroom::govwire
