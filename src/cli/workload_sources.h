#pragma once

#include <string>

#include "base/status.h"
#include "engine/input_source.h"
#include "workload/schema.h"

namespace cleanroom::cli {

// The engine's source for generated table `table` in `dir`: DIR/<name>.csv with the declared
// schema of the workload (so types are enforced, never guessed), or DIR/<name>.parquet when
// `format` is kParquet (types come from the file). Used by `generate` and `demo`.
Result<engine::TableSource> WorkloadTableSource(const workload::WorkloadTable& table,
                                                const std::string& dir, engine::Format format);

}  // namespace cleanroom::cli
