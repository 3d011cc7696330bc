#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "govwire/json_reader.h"
#include "govwire/run_record.h"

// The work order governance sends with released keys: what the runtime executes. Metadata only
// (the keys are sealed beside it, govwire/key_release.h).
namespace cleanroom::govwire {

// The query to run: its id, its hash (what the approvers voted on) and its document as
// proposed (docs/api.md "Query"). The document itself is validated by governance when proposed
// and by the runtime's checked query when run; here it must be an object with a list of steps.
struct WorkQuery {
  std::string id;
  std::string hash;  // lower-case hex SHA-256
  Json document = Json::object();
};

// One dataset version the query reads: its registered document and that document's hash. `model`:
// the entry is an ML job's published model (governance's DatasetRecord::is_model), not a table;
// the runtime takes this flag, never a guess from the document.
struct WorkDataset {
  std::string name;
  int64_t version = 0;
  std::string document_hash;  // lower-case hex SHA-256
  Json document = Json::object();
  bool model = false;
};

// A member the result is sealed to, with its X25519 key (PEM SPKI) from the contract.
struct WorkRecipient {
  std::string member;
  std::string encryption_public_key;
};

// {"query": {"id", "hash", "document"}, "datasets": [{"name", "version", "documentHash",
// "document", "model"?: true}], "recipients": [{"member", "encryptionPublicKey"}], "budget"?:
// [RunBudgetCharge]}. Unknown fields are refused at every level of the wrapper; the documents
// inside are the registered ones, checked as such.
struct WorkOrder {
  WorkQuery query;
  std::vector<WorkDataset> datasets;
  std::vector<WorkRecipient> recipients;
  // The run's privacy budget charges, made with the release; the runtime states them in its
  // record.
  std::vector<RunBudgetCharge> budget;

  Json ToJson() const;
  static Result<WorkOrder> FromJson(const Json& value, const std::string& where);
};

}  // namespace cleanroom::govwire
