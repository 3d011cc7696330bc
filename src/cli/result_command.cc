// `cleanroom result get RUN --out FILE`: fetch a run's sealed result from storage, open it with
// the recipient's key and check it against the run record's output hash.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/file.h"
#include "cli/command_registry.h"
#include "crypto/identity.h"
#include "govwire/cli_support.h"
#include "runtime/sealed_result.h"
#include "runtime/storage.h"

namespace cleanroom::cli {
namespace {

struct GetFlags {
  std::string run, out, identity;
  std::string storage = "file://cleanroom-storage";
  std::string governance, fingerprint;
};

// Governance's view of the run: it must have succeeded there. Returns the signed record the
// runtime reported (base64), which the record in storage must equal.
Result<std::string> ReportedRecord(const GetFlags& f) {
  govwire::ClientFlags client{f.governance, f.identity, f.fingerprint, false};
  CR_ASSIGN_OR_RETURN(auto connection, govwire::Connect(client));
  CR_ASSIGN_OR_RETURN(govwire::ApiReply reply, connection->Get("/v1/runs/" + f.run));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  const nlohmann::json& run = reply.body;
  if (run.value("state", "") != "succeeded") {
    return Status::FailedPrecondition("run " + f.run + " is " + run.value("state", "unknown") +
                                      " in governance" +
                                      (run.contains("reason") ? ": " + run.value("reason", "") : ""));
  }
  return run["report"].is_object() ? run["report"].value("signedRecord", "") : std::string();
}

Status Get(const GetFlags& f) {
  CR_ASSIGN_OR_RETURN(crypto::MemberIdentity identity, crypto::LoadIdentity(f.identity));
  std::optional<std::string> reported;
  if (!f.governance.empty() || std::filesystem::exists(f.identity + "/" + govwire::kPinFile)) {
    CR_ASSIGN_OR_RETURN(reported, ReportedRecord(f));
  } else {
    std::fprintf(stderr, "note: no governance service given or pinned: the run record is not "
                         "checked against the ledger\n");
  }
  CR_ASSIGN_OR_RETURN(auto storage, runtime::OpenStorage(f.storage));
  CR_ASSIGN_OR_RETURN(Bytes signed_record, storage->Get(runtime::RunRecordKey(f.run)));
  CR_ASSIGN_OR_RETURN(nlohmann::json unverified, runtime::ReadRunRecordUnverified(signed_record));
  // The record names the runtime key that signed it; the signature must verify under it.
  auto runtime_key = crypto::PublicKey::FromPem(unverified.value("runtimeKey", ""));
  if (!runtime_key.ok()) return Status::DataLoss("run record: no valid runtimeKey");
  CR_ASSIGN_OR_RETURN(nlohmann::json record, runtime::VerifyRunRecord(signed_record, *runtime_key));
  if (record.value("run", "") != f.run) return Status::DataLoss("run record: names another run");
  if (record.value("state", "") != "succeeded") {
    return Status::FailedPrecondition("run " + f.run + " " + record.value("state", "unknown") +
                                      ": " + record.value("reason", ""));
  }
  if (reported && !ConstantTimeEquals(AsBytes(*reported), AsBytes(Base64Encode(signed_record)))) {
    return Status::DataLoss("run " + f.run +
                            ": the record in storage is not the one the runtime reported to governance");
  }
  CR_ASSIGN_OR_RETURN(Bytes output, runtime::OpenSealedResult(*storage, f.run, identity,
                                                              record.value("outputHash", "")));
  Status written = WriteFileAtomic(f.out, std::string_view(reinterpret_cast<const char*>(output.data()),
                                                           output.size()), 0600);
  SecureWipe(output);
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
  g->add_option("--storage", flags->storage, "Where results are: file://DIR")->capture_default_str();
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
