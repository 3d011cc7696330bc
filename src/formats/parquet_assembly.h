#pragma once

#include <vector>

#include "base/status.h"
#include "formats/column_vector.h"
#include "formats/parquet_column_reader.h"
#include "formats/parquet_schema.h"

namespace cleanroom::formats {

// Converts a leaf's dense physical values into a vector of its SQL type (no NULLs, one row per
// defined value). DataLoss when a value cannot be represented (a decimal too wide, a timestamp
// out of range).
Status ConvertLeaf(const LeafColumn& leaf, ValueBuffer&& values, ColumnVector* out);

// Assembles one top-level field from its leaves' levels and converted values (Dremel record
// assembly). `chunks[i]` and `dense[i]` are indexed by leaf column; only the field's leaves
// need to be filled; a leaf's dense values may be moved out. DataLoss when the leaves disagree
// on the structure.
Status AssembleField(const ParquetSchema& schema, const ColumnPlan& plan,
                     const std::vector<ColumnChunkData>& chunks, std::vector<ColumnVector>& dense,
                     size_t num_rows, ColumnVector* out);

}  // namespace cleanroom::formats
