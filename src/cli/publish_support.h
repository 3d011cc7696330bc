#pragma once

#include <string>

#include "base/status.h"
#include "govwire/cli_support.h"
#include "govwire/governance_client.h"
#include "runtime/dataset_publish.h"
#include "runtime/storage.h"

namespace cleanroom::cli {

// What publishing a dataset and a model share once the file is encrypted into storage: keep the
// key if asked (--save-key, mode 0600), register the document with governance (`route`,
// message `type`, payload {field: document}), then store the key with governance, sealed. A
// refused registration removes the ciphertext. `noun` ("dataset", "model") names the result
// field of the registration. `*registered` says whether the document was registered (then the
// ciphertext must stay: the ledger names it), whatever happens after.
Status RegisterPublished(govwire::GovernanceClient& client, runtime::Storage& storage,
                         const runtime::PublishedDataset& published, const std::string& file,
                         const std::string& save_key, bool json, const std::string& route,
                         const std::string& type, const std::string& noun, bool* registered);

}  // namespace cleanroom::cli
