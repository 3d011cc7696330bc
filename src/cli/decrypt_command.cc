// `cleanroom decrypt`: decrypts a container with its .dek file. The output appears only when
// every chunk authenticated: a wrong key or a tampered file leaves no output file.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "crypto/container.h"
#include "crypto/sha256_tree.h"

namespace cleanroom::cli {
namespace {

struct DecryptFlags {
  std::string in;
  std::string key;
  std::string out;
  bool progress = false;
};

// As encrypt's progress line; `total` is the container's size, a close bound on the plaintext.
crypto::container::ProgressFn DecryptProgress(bool forced, uint64_t total) {
  if (!forced && !(::isatty(STDERR_FILENO) && total >= (uint64_t{64} << 20))) return nullptr;
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last, total](uint64_t done) {
    auto now = std::chrono::steady_clock::now();
    if (now - *last < std::chrono::milliseconds(100)) return;
    *last = now;
    int percent = total ? static_cast<int>(100 * done / total) : 100;
    std::fprintf(stderr, "\rdecrypt: %llu MiB (%d%%)", (unsigned long long)(done >> 20), percent);
  };
}

// A key file that belongs to another container is named as such, before any chunk fails to
// authenticate. Key ids are public (encrypt prints them); a header that does not parse is left
// to DecryptFile, which names the field.
Status CheckKeyFits(const crypto::container::DataKey& key, const DecryptFlags& flags) {
  namespace container = crypto::container;
  auto input = container::OpenFileInput(flags.in);
  if (!input.ok()) return Status::OK();
  Bytes prefix(std::min<uint64_t>((*input)->size(), container::MaxHeaderSize()));
  if (!(*input)->ReadAt(0, prefix.data(), prefix.size()).ok()) return Status::OK();
  auto header = container::ParseHeader(prefix);
  if (!header.ok() || header->key_id == key.key_id()) return Status::OK();
  return Status::InvalidArgument("--key " + flags.key + " is not the key of " + flags.in + " (" +
                                 flags.in + " needs key id " + HexEncode(header->key_id) + ", " +
                                 flags.key + " holds key id " + HexEncode(key.key_id()) + ")");
}

Status RunDecrypt(const DecryptFlags& flags) {
  namespace container = crypto::container;
  auto key = container::DataKey::ReadFile(flags.key);
  if (!key.ok()) return key.status();
  CR_RETURN_IF_ERROR(CheckKeyFits(*key, flags));
  struct stat st {};
  uint64_t size = ::stat(flags.in.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  auto progress = DecryptProgress(flags.progress, size);
  auto summary = container::DecryptFile(*key, flags.in, flags.out, progress,
                                        container::ContentHashKind::kSha256Tree);
  if (progress && summary.ok()) {
    // The running line measured against the container's size; the last one is exact.
    unsigned long long mib = summary->plaintext_size >> 20;
    std::fprintf(stderr, "\rdecrypt: %llu / %llu MiB (100%%)\n", mib, mib);
  } else if (progress) {
    std::fprintf(stderr, "\n");
  }
  if (!summary.ok()) return summary.status().WithContext(flags.in);
  // The dataset id comes from the file: the JSON dump escapes it (and replaces invalid UTF-8).
  nlohmann::ordered_json out = {{"dataset_id", summary->dataset_id},
                                {"content_hash", HexEncode(summary->plaintext_sha256)},
                                {"content_hash_kind", crypto::kSha256TreeName},
                                {"plaintext_size", summary->plaintext_size},
                                {"chunks", summary->chunk_count}};
  std::printf("%s\n",
              out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  return Status::OK();
}

void SetupDecrypt(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<DecryptFlags>();
  CLI::App* cmd = root.add_subcommand("decrypt", "Decrypt an encrypted dataset container");
  cmd->add_option("--in", flags->in, "Encrypted container")->required();
  cmd->add_option("--key", flags->key, "Data key file (.dek)")->required();
  cmd->add_option("--out", flags->out, "Plaintext file to write (atomically, mode 0600)")
      ->required();
  cmd->add_flag("--progress", flags->progress, "Print a progress line on stderr");
  cmd->callback([flags, &exit_code] {
    Status status = RunDecrypt(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupDecrypt);
}  // namespace cleanroom::cli
