#pragma once

#include <string>

#include "base/status.h"
#include "engine/input_source.h"

namespace cleanroom::runtime {

// Checks a dataset file's unit index (a policy's `unitIndex`, docs/privacy.md "The unit index")
// against its privacy unit before the file is published: the index column must be an integer,
// never NULL, and equal on two rows exactly when their units are equal (all NULL units are one
// unit, as the threshold counts treat them). The columns read are validated first (Parquet page
// by page). InvalidArgument naming the columns when the index does not fit the unit; the message
// holds counts of disagreement kinds only, never a value.
Status CheckUnitIndex(const std::string& file, engine::Format format, const std::string& unit,
                      const std::string& index);

}  // namespace cleanroom::runtime
