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

namespace cleanroom::cli {
namespace {

struct GetFlags {
  std::string run, out, identity;
  std::string storage = "file://cleanroom-storage";
  std::string governance, fingerprint;
};

Status Get(const GetFlags& f) {
  CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, crypto::LoadIdentity(f.identity));
  std::unique_ptr<govwire::GovernanceClient> client;
  if (!f.governance.empty() || std::filesystem::exists(f.identity + "/" + govwire::kPinFile)) {
    govwire::ClientFlags flags{f.governance, f.identity, f.fingerprint, false};
    CR_ASSIGN_OR_RETURN(client, govwire::Connect(flags));
  } else {
    std::fprintf(stderr,
                 "note: no governance service given or pinned: the run record is not "
                 "checked against the ledger\n");
  }
  CR_ASSIGN_OR_RETURN(OpenedRun opened, OpenRunResult(client.get(), f.storage, f.run, identity));
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
  g->add_option("--storage", flags->storage, "Where results are: file://DIR")
      ->capture_default_str();
  g->add_option("--governance", flags->governance,
                "The governance service that must vouch for the run (default: the pinned one)");
  g->add_option("--service-fingerprint", flags->fingerprint, "Its certificate's SHA-256 (hex)");
  g->callback([flags, &exit_code] {
    Status st = Get(*flags);
    exit_code.value = st.ok() ? 0 : ReportError(st);
  });
}

}  // namespace
CLEANROOM_REGISTER_COMMAND(SetupResult);
}  // namespace cleanroom::cli
