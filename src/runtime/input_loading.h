#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/engine.h"
#include "govwire/run_record.h"
#include "privacy/policy.h"
#include "privacy/query_check.h"
#include "runtime/run_execution.h"
#include "runtime/storage.h"

// What a SQL run and an ML job share (run_execution.cc): loading an encrypted input into the
// engine's memory and the inputs' declared datasets.
namespace cleanroom::runtime {

// Reads the ciphertext, checks its sha256-tree-v1 against the document's contentHash, decrypts
// it into the engine's memory file (never to disk) and appends the input (dataset, version,
// documentHash, contentHash, timings) to `record`. `hash_units`: the tables whose privacy
// unit's hash is computed while loading.
Status LoadInput(const RunInput& input, Storage& storage, engine::Engine& engine,
                 const privacy::PolicyFile& policies, const std::set<std::string>& hash_units,
                 govwire::RunRecord& record);

// The datasets of a run as their documents declare them, for the checker.
Result<std::vector<privacy::DeclaredDataset>> DeclaredInputs(const std::vector<RunInput>& inputs);

}  // namespace cleanroom::runtime
