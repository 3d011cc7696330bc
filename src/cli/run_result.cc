#include "cli/run_result.h"

#include <optional>

#include "runtime/sealed_result.h"
#include "runtime/storage.h"

namespace cleanroom::cli {
namespace {

// Governance's view of the run: it must have succeeded there. Returns the signed record the
// runtime reported (base64), which the record in storage must equal.
Result<std::string> ReportedRecord(govwire::GovernanceClient& client, const std::string& run_id) {
  CR_ASSIGN_OR_RETURN(govwire::ApiReply reply, client.Get("/v1/runs/" + run_id));
  CR_RETURN_IF_ERROR(reply.ToStatus());
  const nlohmann::json& run = reply.body;
  if (run.value("state", "") != "succeeded") {
    return Status::FailedPrecondition(
        "run " + run_id + " is " + run.value("state", "unknown") + " in governance" +
        (run.contains("reason") ? ": " + run.value("reason", "") : ""));
  }
  return run["report"].is_object() ? run["report"].value("signedRecord", "") : std::string();
}

}  // namespace

Result<OpenedRun> OpenRunResult(govwire::GovernanceClient* client, const std::string& storage_url,
                                const std::string& run, const crypto::MemberIdentity& identity) {
  std::optional<std::string> reported;
  if (client != nullptr) {
    CR_ASSIGN_OR_RETURN(reported, ReportedRecord(*client, run));
  }
  CR_ASSIGN_OR_RETURN(auto storage, runtime::OpenStorage(storage_url));
  CR_ASSIGN_OR_RETURN(Bytes signed_record, storage->Get(runtime::RunRecordKey(run)));
  CR_ASSIGN_OR_RETURN(nlohmann::json unverified, runtime::ReadRunRecordUnverified(signed_record));
  // The record names the runtime key that signed it; the signature must verify under it.
  auto runtime_key = crypto::PublicKey::FromPem(unverified.value("runtimeKey", ""));
  if (!runtime_key.ok()) return Status::DataLoss("run record: no valid runtimeKey");
  CR_ASSIGN_OR_RETURN(nlohmann::json record, runtime::VerifyRunRecord(signed_record, *runtime_key));
  if (record.value("run", "") != run) return Status::DataLoss("run record: names another run");
  if (record.value("state", "") != "succeeded") {
    return Status::FailedPrecondition("run " + run + " " + record.value("state", "unknown") + ": " +
                                      record.value("reason", ""));
  }
  if (reported && !ConstantTimeEquals(AsBytes(*reported), AsBytes(Base64Encode(signed_record)))) {
    return Status::DataLoss(
        "run " + run + ": the record in storage is not the one the runtime reported to governance");
  }
  CR_ASSIGN_OR_RETURN(Bytes output, runtime::OpenSealedResult(*storage, run, identity,
                                                              record.value("outputHash", "")));
  return OpenedRun{std::move(record), std::move(output)};
}

}  // namespace cleanroom::cli
