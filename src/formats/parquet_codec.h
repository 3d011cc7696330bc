#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/status.h"
#include "formats/parquet_metadata.h"

namespace cleanroom::formats {

// Decompresses one page body with `codec` into `out`, which must then hold exactly
// `expected_size` bytes (the size the page header declares): anything else is DataLoss.
// GZIP accepts concatenated members; LZ4 accepts the Hadoop framing, the LZ4 frame format and
// a raw block (detected in that order). LZO is Unimplemented. Thread-safe.
Status Decompress(Codec codec, ByteSpan input, size_t expected_size, Bytes* out);

// The same into `out`, which holds exactly the declared size (out.size()): for a caller that
// reuses one buffer across pages (nothing allocated or zeroed per page). A codec whose
// output must be streamed (BROTLI) goes through a temporary buffer.
Status DecompressInto(Codec codec, ByteSpan input, std::span<uint8_t> out);

// Compresses `input` with `codec` (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, BROTLI) for the
// writer, appending to `out`.
Status Compress(Codec codec, ByteSpan input, Bytes* out);

}  // namespace cleanroom::formats
