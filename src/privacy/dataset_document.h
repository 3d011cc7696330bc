#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "privacy/policy.h"

namespace cleanroom::privacy {

// The policy a dataset document states, as the runtime enforces it and governance validates it
// at registration: the document's `policy` object together with its top-level `allowedFields`
// and `columnRoles` (docs/api.md "Dataset"). Every setting the document makes is enforced; a
// document that says two different things (an allowedFields list in `policy` that differs from
// the top-level one, a column given two roles, two privacy units) is InvalidArgument, never
// resolved silently. Errors name the field and never echo values.
Result<DatasetPolicy> PolicyOfDatasetDocument(const nlohmann::json& document);

}  // namespace cleanroom::privacy
