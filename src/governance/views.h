#pragma once

#include "governance/state.h"
#include "governance/wire.h"

namespace cleanroom::governance {

// The JSON documents the read routes return (docs/api.md, "Reads"). Each is built from the
// state under the caller's read lock; none copies more than the object it shows.

// The collaboration: id, state, stop switches and every contract version with its votes.
Json CollaborationView(const State& state);
// Every dataset: name, owner, consent, latest version number and hash.
Json DatasetListView(const State& state);
// One dataset with every version's document. NotFound naming it.
Result<Json> DatasetView(const State& state, const std::string& name);
// Every query, summarised.
Json QueryListView(const State& state);
// One query: the bound document, hash, approvers, votes, phase and switches. NotFound naming it.
Result<Json> QueryView(const State& state, const std::string& id);
// Runs, each with its charges on differential-privacy budgets ("budget").
Json RunListView(const State& state);
Result<Json> RunView(const State& state, const std::string& id);
// GET /v1/budget: every dataset with a differential-privacy budget (its latest version's) or
// charges: {"datasets": [{"name","owner","latestVersion","budget":{"epsilon","delta"},
// "spent":{"epsilon","delta","rho"},"remaining":{"epsilon","delta","rho"},"charges":[...]}]}.
Result<Json> BudgetView(const State& state);

}  // namespace cleanroom::governance
