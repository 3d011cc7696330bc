#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/engine.h"
#include "privacy/checker.h"

namespace cleanroom::runtime {

// A policy-checked query over an engine's loaded inputs: the one path by which the clean room
// runs an analyst's SQL (`cleanroom sql --policy` and the runtime).
//
// REQUIRES: every input is loaded into `engine`; the engine need not be locked yet.
// Restricts the engine's catalog to the policies' allowedFields, compiles `text` with
// safe arithmetic, and checks and rewrites it (privacy::CheckScript). PermissionDenied for a
// use a role forbids.
Result<privacy::CheckedProgram> CompileChecked(engine::Engine& engine, std::string_view text,
                                               const privacy::PolicyFile& policies);

// The same check against `catalog` (e.g. built from dataset documents' schemas before anything
// is loaded), so that a caller can learn which tables want their unit hash precomputed
// (CheckedProgram::unit_hash_wanted) before loading them.
Result<privacy::CheckedProgram> CompileCheckedAgainst(const sql::Catalog& catalog,
                                                      std::string_view text,
                                                      const privacy::PolicyFile& policies);

// Validates (engine::Engine::PrepareInputs) only what the checked program of `text` can read:
// the columns the query's own plans read, and each dataset's privacy unit with the hidden unit
// columns its view computes from it (the thresholds count them). A column left out is not in
// the image and any read of it fails (fail closed); a script that does not compile as it is
// leaves every column to Lock(). REQUIRES: the engine is not locked; its inputs were loaded
// with EngineOptions::validate_columns_read (otherwise this validates nothing more).
Status PrepareCheckedInputs(engine::Engine& engine, std::string_view text,
                            const privacy::PolicyFile& policies);

struct CheckedResult {
  std::unique_ptr<engine::QueryResult> result;  // nullptr when the script has no query
  std::vector<privacy::SuppressionNote> notes;  // rows suppressed per rule
};

// Runs the program's preparation (pre-conditions, threshold tables, suppression counts,
// views) and starts the final query. REQUIRES: the engine is locked (Engine::Lock, or
// LockFileAccess for test scripts); Engine::Query refuses otherwise.
Result<CheckedResult> RunChecked(engine::Engine& engine, const privacy::CheckedProgram& program);

}  // namespace cleanroom::runtime
