#pragma once

// A Parquet input's in-place image in a sealed memory file (formats/parquet_image.h,
// PlanInPlaceImage): the compressed pages of the fields a query reads, copied from the file,
// sealed, then validated whole as a Parquet file of their own. DuckDB decompresses the same
// pages itself, so no decompressed copy is ever held (docs/engine.md, "What is validated when").

#include <vector>

#include "base/status.h"
#include "formats/parquet_reader.h"

namespace cleanroom::engine {

// Writes the in-place image of `fields` (ascending top-level field indices; empty: all) of the
// file `reader` reads into a sealed memory file, validates it with `threads` threads (0: every
// core) and returns its descriptor, which the caller owns. The leaves whose chunks declare at
// most `uncompressed_ratio` times their compressed size uncompressed are imaged uncompressed,
// validated as written (formats::PlanInPlaceImage; 0: none), and then those that grow least
// while their growth adds up to at most `uncompressed_allowance` bytes. Unimplemented when the file
// cannot be imaged in place (the caller images it uncompressed); a validation failure is DataLoss
// naming the file, row group, column and page, and no descriptor is left open.
Result<int> SealedInPlaceImage(const formats::ParquetReader& reader, const std::vector<int>& fields,
                               size_t threads, double uncompressed_ratio = 0,
                               uint64_t uncompressed_allowance = 0);

}  // namespace cleanroom::engine
