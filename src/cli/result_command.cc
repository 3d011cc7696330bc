// `cleanroom result get RUN --out FILE`: fetch a run's sealed result from storage, open it with
// the recipient's key and check it against the run record's output hash.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "cli/run_result.h"
#include "crypto/identity.h"
#include "govwire/cli_support.h"
#include "govwire/member_identity.h"
#include "runtime/storage.h"

namespace cleanroom::cli {
namespace {

struct GetFlags {
  std::string run, out, identity, passphrase_file;
  std::string storage;  // empty: the default (runtime::StorageUrlOrDefault)
  std::string governance, fingerprint;
};

Status Get(const GetFlags& f) {
  // The identity is unlocked once: the client's, or loaded alone when no service vouches.
  std::unique_ptr<govwire::GovernanceClient> client;
  std::optional<crypto::MemberIdentity> identity;
  if (!f.governance.empty() || std::filesystem::exists(f.identity + "/" + govwire::kPinFile)) {
    govwire::ClientFlags flags{f.governance, f.identity, f.fingerprint, false, f.passphrase_file};
    CR_ASSIGN_OR_RETURN(client, govwire::Connect(flags));
    identity = client->identity();
  } else {
    CR_ASSIGN_OR_RETURN(identity, govwire::LoadMemberIdentity(f.identity, f.passphrase_file));
    std::fprintf(stderr,
                 "note: no governance service given or pinned: the run record is not "
                 "checked against the ledger\n");
  }
  CR_ASSIGN_OR_RETURN(OpenedRun opened, OpenRunResult(client.get(), f.storage, f.run, *identity));
  const nlohmann::json& record = opened.record;
  Status written = WriteFileAtomic(f.out, AsStringView(opened.output), 0600);
  SecureWipe(opened.output);
  CR_RETURN_IF_ERROR(written);
  std::printf("run %s: %lld rows, output hash %s verified, written to %s\n", f.run.c_str(),
              static_cast<long long>(record.value("rowsOut", int64_t{0})),
              record.value("outputHash", "").c_str(), f.out.c_str());
  for (const auto& note : record.value("suppressed", nlohmann::json::array())) {
    std::printf("  %lld rows suppressed by %s\n",
                static_cast<long long>(note.value("rows", int64_t{0})),
                note.value("rule", "").c_str());
  }
  return Status::OK();
}

void SetupResult(CLI::App& root, ExitCode& exit_code) {
  CLI::App* group = CommandGroup(root, "result", "Sealed results of runs");
  group->require_subcommand(1);
  auto flags = std::make_shared<GetFlags>();
  CLI::App* g = group->add_subcommand("get", "Fetch and open a run's result (recipients only)");
  g->add_option("run", flags->run, "The run id")->required();
  g->add_option("--out", flags->out, "Where to write the result")->required();
  g->add_option("--identity", flags->identity, "The recipient's identity directory")->required();
  g->add_option("--storage", flags->storage,
                std::string("Where results are: file://DIR (" +
                            std::string(runtime::kDefaultStorageText) + ")"));
  g->add_option("--governance", flags->governance,
                "The governance service that must vouch for the run (default: the pinned one)");
  g->add_option("--service-fingerprint", flags->fingerprint, "Its certificate's SHA-256 (hex)");
  govwire::AddPassphraseFlag(g, &flags->passphrase_file);
  g->callback([flags, &exit_code] {
    Status st = Get(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupResult);
}  // namespace cleanroom::cli
