#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "privacy/checker.h"
#include "privacy/policy.h"
#include "sql/catalog.h"

namespace cleanroom::privacy {

// The check of a query as its documents describe it: what governance runs when a query is
// proposed, and what the runtime runs (before loading, and again over the loaded tables). One
// code path, so a query is refused at proposal with the message the runtime would give.

// A dataset as its registered document describes it (docs/api.md "Dataset").
struct DeclaredDataset {
  std::string name;
  std::vector<sql::Column> schema;
  std::string policy_json;  // the document's "policy" object; "" when it has none
  // The policy the whole document states (its `policy` with the top-level allowedFields and
  // columnRoles: PolicyOfDatasetDocument). DeclaredDatasetFromDocument sets it; when set,
  // policy_json is not read.
  std::optional<DatasetPolicy> document_policy;
};

// Reads name, schema and policy from a dataset document (JSON text). InvalidArgument naming
// the field for a document without them.
Result<DeclaredDataset> DeclaredDatasetFromDocument(std::string_view document_json);

// The query document's "privacy" settings (docs/differential-privacy.md): parsed and validated
// on their own (InvalidArgument naming the field); empty text, null or {} are none (nullopt).
// CheckScript then checks them against the datasets read.
Result<std::optional<QueryDpSettings>> ParseQueryPrivacy(std::string_view privacy_json);

// The policies of one query: each dataset's policy, the query's guards and its differential
// privacy settings (JSON text; "" for none), validated strictly (an unknown field, e.g.
// "minGroupUnit", is InvalidArgument naming it, and so is a differential-privacy field among the
// guards).
Result<PolicyFile> PoliciesOfQuery(const std::vector<DeclaredDataset>& datasets,
                                   std::string_view guards_json,
                                   std::string_view privacy_json = "");

// Restricts a copy of `physical` to the policies' allowedFields, compiles `script` with safe
// arithmetic and checks and rewrites it (CheckScript, which reads hidden columns of `physical`).
Result<CheckedProgram> CompileAndCheck(const sql::Catalog& physical, std::string_view script,
                                       const PolicyFile& policies);

// The proposal-time check: privacy settings, guards and policies, then the checker over the
// documents' schemas. OK with the checked program (its `explain` is the checked plan) when the
// runtime would accept the query; else the runtime's refusal, same code and message.
// `script`: the query's steps joined by ";\n", as the runtime joins them.
Result<CheckedProgram> CheckProposedQuery(std::string_view script, std::string_view guards_json,
                                          std::string_view privacy_json,
                                          const std::vector<DeclaredDataset>& datasets);

// The script of a query's steps, as the runtime runs it (each step followed by ";\n"): error
// positions (line, column) refer to it, so proposal and run must join the same way.
std::string JoinSteps(const std::vector<std::string>& steps);

// CheckProposedQuery over the documents themselves: the query document (JSON: "steps" array of
// SQL, optional "guards" and "privacy" objects, docs/api.md) and the registered documents of
// the datasets it reads (JSON text each). What governance calls when a query is proposed.
Result<CheckedProgram> CheckQueryDocument(std::string_view query_document_json,
                                          const std::vector<std::string>& dataset_documents_json);

}  // namespace cleanroom::privacy
