// `cleanroom encrypt`: encrypts a dataset file into the container format
// (docs/formats/encrypted-dataset.md) with a fresh data key written to a .dek file.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "crypto/container.h"
#include "crypto/sha256_tree.h"

namespace cleanroom::cli {
namespace {

struct EncryptFlags {
  std::string in;
  std::string out;
  std::string key_out;
  std::string dataset_id;
  uint32_t chunk_size = crypto::container::kDefaultChunkSize;
  bool progress = false;
};

// A "\r<verb>: 512 / 1024 MiB (50%)" line on stderr, at most ten updates a second; shown with
// --progress, or when stderr is a terminal and the input is at least 64 MiB.
crypto::container::ProgressFn EncryptProgress(bool forced, uint64_t total) {
  if (!forced && !(::isatty(STDERR_FILENO) && total >= (uint64_t{64} << 20))) return nullptr;
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last, total](uint64_t done) {
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - *last < std::chrono::milliseconds(100)) return;
    *last = now;
    std::fprintf(stderr, "\rencrypt: %llu / %llu MiB (%d%%)%s", (unsigned long long)(done >> 20),
                 (unsigned long long)(total >> 20), total ? (int)(100 * done / total) : 100,
                 done >= total ? "\n" : "");
  };
}

Status RunEncrypt(const EncryptFlags& flags) {
  namespace container = crypto::container;
  if (std::filesystem::exists(flags.key_out)) {
    return Status::AlreadyExists("encrypt: " + flags.key_out +
                                 " exists; refusing to overwrite a key file");
  }
  struct stat st {};
  if (::stat(flags.in.c_str(), &st) != 0) {
    return Status::NotFound("encrypt: " + flags.in + " does not exist");
  }
  CR_ASSIGN_OR_RETURN(container::DataKey key, container::DataKey::Generate());
  container::EncryptOptions options;
  options.dataset_id = flags.dataset_id.empty()
                           ? std::filesystem::path(flags.in).filename().string()
                           : flags.dataset_id;
  options.chunk_size = flags.chunk_size;
  options.hash_kind = container::ContentHashKind::kSha256Tree;
  options.progress = EncryptProgress(flags.progress, static_cast<uint64_t>(st.st_size));
  CR_ASSIGN_OR_RETURN(container::EncryptSummary summary,
                      container::EncryptFile(key, options, flags.in, flags.out));
  std::string key_text = key.Serialize();
  Status written = WriteFileAtomic(flags.key_out, key_text, 0600);
  SecureWipe(key_text.data(), key_text.size());
  if (!written.ok()) {
    // Without its key the ciphertext is useless: do not leave it behind.
    std::filesystem::remove(flags.out);
    return written;
  }
  nlohmann::ordered_json out = {{"dataset_id", options.dataset_id},
                                {"key_id", HexEncode(key.key_id())},
                                {"content_hash", HexEncode(summary.plaintext_sha256)},
                                {"content_hash_kind", crypto::kSha256TreeName},
                                {"plaintext_size", summary.plaintext_size},
                                {"chunks", summary.chunk_count},
                                {"chunk_size", summary.header.chunk_size},
                                {"container_size", summary.container_size}};
  std::printf("%s\n",
              out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  return Status::OK();
}

void SetupEncrypt(CLI::App& root, ExitCode& exit_code) {
  auto flags = std::make_shared<EncryptFlags>();
  CLI::App* cmd = root.add_subcommand(
      "encrypt", "Encrypt a dataset file with a fresh data key (AES-256-GCM container)");
  cmd->add_option("--in", flags->in, "Plaintext file")->required();
  cmd->add_option("--out", flags->out, "Encrypted container to write")->required();
  cmd->add_option("--key-out", flags->key_out, "Data key file to write (mode 0600)")->required();
  cmd->add_option("--dataset-id", flags->dataset_id,
                  "Dataset id bound into the header (default: the input's file name)");
  cmd->add_option("--chunk-size", flags->chunk_size, "Plaintext bytes per chunk")
      ->check(CLI::Range(crypto::container::kMinChunkSize, crypto::container::kMaxChunkSize))
      ->capture_default_str();
  cmd->add_flag("--progress", flags->progress, "Print a progress line on stderr");
  cmd->callback([flags, &exit_code] {
    Status status = RunEncrypt(*flags);
    exit_code.value = status.ok() ? 0 : ReportError(status);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupEncrypt);
}  // namespace cleanroom::cli
