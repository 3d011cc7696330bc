#pragma once
// Opening a run's sealed result as a recipient: shared by `cleanroom result get` and
// `cleanroom console` (which hands it to the console module as its ResultOpener).

#include <nlohmann/json.hpp>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/identity.h"
#include "govwire/governance_client.h"

namespace cleanroom::cli {

struct OpenedRun {
  nlohmann::json record;  // the run record, its signature verified
  Bytes output;           // the plaintext result (wipe it after use)
};

// Reads run `run`'s record and sealed result from `storage_url`, verifies the record's
// signature under the runtime key it names, requires it to have succeeded and, when `client` is
// given, to be byte for byte the record the runtime reported to governance (where the run must
// have succeeded), then opens the result with `identity`'s key and checks it against the
// record's output hash. FailedPrecondition for a run that did not succeed; DataLoss for a
// record or result that does not check.
Result<OpenedRun> OpenRunResult(govwire::GovernanceClient* client, const std::string& storage_url,
                                const std::string& run, const crypto::MemberIdentity& identity);

}  // namespace cleanroom::cli
