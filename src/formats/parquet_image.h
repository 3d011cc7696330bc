#pragma once

// The validated, uncompressed image of a Parquet file (docs/formats/parquet.md, "The image").
//
// Every page is validated exactly as ParquetReader::Verify does, and the page bytes the
// validation decompressed are written out with the codec set to UNCOMPRESSED (and
// BYTE_STREAM_SPLIT values transposed to PLAIN, which every reader takes): page headers
// rewritten (both sizes the uncompressed size, no CRC, v2 pages marked not compressed), the
// footer rewritten for the new offsets (codec, sizes, page offsets; column and offset indexes
// and bloom filters, which are not copied, dropped), everything else in the footer copied
// byte for byte. DuckDB then reads exactly the bytes that were validated, without
// decompressing them a second time.
//
// An image may hold only some top-level fields (the columns a query reads): the other fields'
// pages are neither validated nor copied, and the footer is rewritten to describe only the
// fields it holds (schema elements, row groups' column chunks and column orders pruned), so a
// reader of the image cannot reach a byte of a field that was not validated.

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "formats/parquet_reader.h"

namespace cleanroom::formats {

// One page of the image: where its header is in the source file, where it goes in the image,
// its rewritten header and the size of its uncompressed body.
struct ImagePage {
  uint64_t source = 0;  // offset of the original header in the file
  uint64_t target = 0;  // offset of the rewritten header in the image
  Bytes header;
  uint64_t body = 0;
  // BYTE_STREAM_SPLIT values are written PLAIN (the header says so): the value width, else 0.
  uint32_t transpose = 0;
};

// Writes bytes at an offset of an image (a memory file written with pwrite, say).
using ImageWrite = std::function<Status(uint64_t offset, ByteSpan bytes)>;

// Where the pages of one column chunk go, filled in by ReadColumnChunk as it validates them:
// into `image` (the whole image, ImagePlan::size() bytes), or through `write` when set.
struct ImageChunk {
  std::vector<ImagePage> pages;
  uint8_t* image = nullptr;
  const ImageWrite* write = nullptr;
  size_t next = 0;  // the next page to be written
};

// The layout of a file's image, from its page headers alone (no page is decompressed).
struct ImagePlan {
  std::vector<std::vector<ImageChunk>> chunks;  // [row group][leaf column]
  std::vector<bool> leaves;                     // [leaf column]: held (and validated) or not
  Bytes footer;                                 // the rewritten footer
  uint64_t lead = 0;                            // zero bytes before the leading magic
  // An in-place image (PlanInPlaceImage): the file's byte ranges [offset, offset + length)
  // copied to the same offsets, pages as stored.
  // Some held leaves may still be imaged uncompressed (PlanInPlaceImage's
  // `uncompressed_ratio`): in_place_leaves says which are as stored ([leaf column]).
  bool in_place = false;
  std::vector<bool> in_place_leaves;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  uint64_t footer_offset = 0;
  uint64_t size() const { return footer_offset + footer.size() + 8; }
  // The leaves of the image (its own numbering: the held leaves, in order) whose pages are as
  // stored: what is left to validate once an in-place image is written and sealed.
  std::vector<bool> ImageLeavesInPlace() const;
};

// Rewrites one page header for the image (both sizes `body`, no CRC, v2 pages marked not
// compressed, BYTE_STREAM_SPLIT values declared PLAIN when `to_plain`). DataLoss when the
// header cannot be read.
Result<Bytes> RewritePageHeader(ByteSpan header, uint64_t body, bool to_plain = false);

// Plans the image of the file `reader` reads. When the page headers are malformed, the file is
// verified for the error (DataLoss naming row group, column and page). `lead` zero bytes may
// come before the leading magic (readers, DuckDB's included, find a file by its footer): to
// fill memory whose size is rounded up, such as huge pages.
// `fields` lists the top-level fields (indices into reader.fields(), ascending, no repeats) the
// image holds; empty: all of them.
Result<ImagePlan> PlanUncompressedImage(const ParquetReader& reader, uint64_t lead = 0,
                                        const std::vector<int>& fields = {});

// Plans an in-place image of `fields` (as for PlanUncompressedImage): the pages of the held
// column chunks stay as they are in the file, compressed, at the same offsets (the bytes between
// them are left out: zeros, or holes of a sparse memory file), and the footer is rewritten to
// describe the held fields alone, their codecs kept, each chunk's compressed size that of the
// pages walked. Nothing is validated here: the image is a Parquet file of its own, validated
// by ParquetReader once it is sealed (its bytes can no longer change), and DuckDB then
// decompresses the same pages itself. Holds only the compressed bytes of the fields read, no
// decompressed copy. Unimplemented when a held chunk has a page or codec DuckDB's reader is not
// known to read as ours does (index pages, BYTE_STREAM_SPLIT, LZO, Hadoop LZ4, BROTLI): image
// that file uncompressed instead.
// A held leaf whose chunks declare at most `uncompressed_ratio` times their compressed size
// uncompressed is imaged uncompressed instead (after the file's last byte): its pages are
// validated as they are written (one decompression, ours, instead of ours and DuckDB's), for
// at most that ratio of memory. 0: every held leaf in place. Then the held leaves that grow
// least when decompressed (declared uncompressed minus compressed bytes) are imaged
// uncompressed too, while their growth adds up to at most `uncompressed_allowance` bytes (a
// bound on the memory this trades for DuckDB's second decompression; needs a ratio above 0).
Result<ImagePlan> PlanInPlaceImage(const ParquetReader& reader, const std::vector<int>& fields,
                                   double uncompressed_ratio = 0,
                                   uint64_t uncompressed_allowance = 0);

// Writes an in-place image through `write`: the leading magic, every range of the file (the
// file's pages of each released once written), the pages of the leaves planned uncompressed,
// validated as they are written, `threads` row groups at a time (0: one per hardware thread),
// then the footer. A validation failure is DataLoss naming row group, column and page; the
// image is then incomplete and must not be used. The leaves in place are yet to be validated
// (ImagePlan::ImageLeavesInPlace, once sealed).
Status WriteInPlaceImage(const ParquetReader& reader, ImagePlan& plan, const ImageWrite& write,
                         size_t threads = 1);

// A Parquet file with the schema of the file `reader` reads and no row groups: its footer
// rewritten, no page read. What a table's columns and types are read from before the query
// that says which columns to validate is known.
Result<Bytes> SchemaOnlyImage(const ParquetReader& reader);

// Validates every page of the fields the plan holds, `threads` row groups at a time (0: one per
// hardware thread), writing the image into `out` (exactly plan.size() bytes; row groups fill
// disjoint ranges). Returns the first failure in row-group order (DataLoss naming row group, column
// and page); `out` is then incomplete and must not be used.
Status FillUncompressedImage(const ParquetReader& reader, ImagePlan& plan, size_t threads,
                             std::span<uint8_t> out);

// Plans and fills an image in memory and hands it to `write` (tests, tools).
Status WriteUncompressedImage(const ParquetReader& reader, size_t threads,
                              const std::function<Status(ByteSpan)>& write);

}  // namespace cleanroom::formats
